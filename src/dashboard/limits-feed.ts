/** `headroom limits` on the dashboard: its start, each step's seconds and verdict, and the final result's figures. */
import type { LimitsProgress, LimitsResult, LimitsStep } from '../limits/types.js';
import { latencySlos, renderLimitsPage } from '../report/limits-page.js';
import { loadSecond } from './load-feed.js';
import type { DashboardFinal, DashboardSecond, DashboardStart, DashboardStep } from './types.js';

/** The page's heading for a search against `url` under `slo` (normalised: `normalizeSlo`). */
export function limitsStart(url: string, slo: readonly string[]): DashboardStart {
  return {
    kind: 'limits',
    title: `headroom limits — ${url}`,
    subtitle: `SLO ${slo.join(', ')}`,
    sloLines: latencySlos(slo).map((t) => ({ label: t.expr, limitMs: t.limit })),
  };
}

/**
 * Maps the steps' seconds onto one time axis, from the search's start (each step's own clock starts at 0), and
 * labels each with its step.
 */
export function limitsSeconds(): (p: LimitsProgress) => DashboardSecond {
  const origin = performance.now();
  return (p) => ({
    ...loadSecond(p),
    t: Math.round(performance.now() - origin) / 1000,
    label: `${p.phase} ${p.offeredRps} req/s`,
  });
}

/** A finished step, as the steps table and the capacity curves show it. */
export function limitsStep(s: LimitsStep): DashboardStep {
  return {
    phase: s.phase,
    offeredRps: s.offeredRps,
    achievedRps: s.achievedRps,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    errorRate: s.errorRate,
    pass: s.pass,
    failures: s.failures,
  };
}

const rps = (value: number | null | undefined) => (value == null ? '—' : `${Math.round(value)} req/s`);

/** The final figures of a limits result (each `value` as in the headroom.limits/v1 JSON) and its HTML page. */
export function limitsFinal(r: LimitsResult): DashboardFinal {
  return {
    figures: [
      { key: 'outcome', label: 'outcome', value: r.outcome, text: r.outcome },
      { key: 'capacity', label: 'capacity', value: r.capacity?.rps ?? null, text: rps(r.capacity?.rps) },
      { key: 'fails', label: 'fails at', value: r.capacity?.high ?? null, text: rps(r.capacity?.high) },
      { key: 'steps', label: 'steps', value: r.steps.length, text: String(r.steps.length) },
      { key: 'bottleneck', label: 'bottleneck', value: r.bottleneck.kind, text: r.bottleneck.kind },
    ],
    reportHtml: renderLimitsPage(r),
  };
}
