/** `headroom collect` on the dashboard: its start and each merged second of the agents' live pushes. */
import type { LiveSecond, LiveTotals } from '../load/live.js';
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
 * One merged second as the page draws it, with the run's errors by kind so far from `totals`. The agents' own CPU
 * and self-check are not pushed live (their final results carry them), so those tiles stay unknown until the end.
 */
export function collectSecond(second: LiveSecond, totals: LiveTotals): DashboardSecond {
  return {
    t: second.t,
    rps: second.rps,
    p50Ms: second.p50Ms,
    p90Ms: second.p90Ms,
    p99Ms: second.p99Ms,
    errors: second.errors,
    errorsByKind: totals.errorsByKind,
    cpuPct: null,
    busiestThread: null,
    selfCheck: null,
    label: `${second.agents}/${second.expected} agents`,
  };
}
