/** `headroom collect` on the dashboard: its start and each merged second of the agents' live pushes. */
import type { LiveSecond } from '../load/live.js';
import type { DashboardSecond, DashboardStart } from './types.js';

/** The page's heading for a collector listening on `url` for `expect` agents. */
export function collectStart(url: string, expect: number): DashboardStart {
  return {
    kind: 'collect',
    title: `headroom collect — ${url}`,
    subtitle: `${expect} agents merged`,
    sloLines: [],
  };
}

/**
 * One merged second as the page draws it. The agents' own CPU and self-check are not pushed live (their final
 * results carry them), so those tiles stay unknown until the end; errors by kind are summed here since the start.
 */
export function collectSeconds(): (second: LiveSecond) => DashboardSecond {
  const errorsByKind: Record<string, number> = {};
  return (second) => {
    for (const [kind, n] of Object.entries(second.errorsByKind))
      errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
    return {
      t: second.t,
      rps: second.rps,
      p50Ms: second.p50Ms,
      p90Ms: second.p90Ms,
      p99Ms: second.p99Ms,
      errors: second.errors,
      errorsByKind: { ...errorsByKind },
      cpuPct: null,
      busiestThread: null,
      selfCheck: null,
      label: `${second.agents}/${second.expected} agents`,
    };
  };
}
