/**
 * The HTML page of a `headroom limits` result: throughput-vs-offered and latency-vs-offered curves with the
 * knee (the capacity found) marked, the verdict (in the terminal's words: `describeOutcome`), the bottleneck
 * evidence and the top functions.
 */
import { describeOutcome } from '../limits/describe-outcome.js';
import type { LimitsResult, LimitsStep } from '../limits/types.js';
import { type ChartSpec, renderHtmlPage } from './html-page.js';

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Renders a limits result as one self-contained HTML file. */
export function renderLimitsPage(r: LimitsResult): string {
  const points = byRate(r.steps);
  const offered = points.map((s) => s.offeredRps);
  const knee = r.capacity?.rps ?? null;
  // NaN serialises to null: uPlot draws the knee series as a single marked point.
  const atKnee = (pick: (s: LimitsStep) => number) =>
    points.map((s) => (s.offeredRps === knee ? pick(s) : Number.NaN));
  const throughput: ChartSpec = {
    id: 'throughput',
    title: 'Throughput vs offered load',
    xLabel: 'offered req/s',
    yLabel: 'achieved req/s',
    series: [
      { label: 'achieved req/s' },
      { label: 'ideal (achieved = offered)' },
      { label: 'knee (capacity)' },
    ],
    data: [offered, points.map((s) => s.achievedRps), offered, atKnee((s) => s.achievedRps)],
  };
  const latency: ChartSpec = {
    id: 'latency',
    title: 'Latency vs offered load',
    xLabel: 'offered req/s',
    yLabel: 'latency ms',
    series: [{ label: 'p50 ms' }, { label: 'p99 ms' }, { label: 'knee (capacity)' }],
    data: [offered, points.map((s) => s.p50Ms), points.map((s) => s.p99Ms), atKnee((s) => s.p99Ms)],
  };
  const b = r.bottleneck;
  const outcome = describeOutcome(r);
  return renderHtmlPage({
    title: `headroom limits — ${r.target}`,
    subtitle: `${outcome.headline} · ${r.steps.length} steps in ${r.searchS.toFixed(1)}s`,
    warnings: r.notes,
    tables: [
      {
        title: 'Capacity',
        rows: [
          ['outcome', r.stoppedIn ? `${r.outcome} (in ${r.stoppedIn})` : r.outcome],
          ['verdict', outcome.headline],
          ['SLO', r.slo.join(', ')],
          ...(outcome.detail ? [['', outcome.detail] as [string, string]] : []),
          ['passes at', r.capacity ? `${fmt.format(r.capacity.low)} req/s` : '—'],
          ['fails at', r.capacity?.high ? `${fmt.format(r.capacity.high)} req/s` : '—'],
          ['profile', r.profile ?? '—'],
        ],
      },
      {
        title: `Bottleneck: ${b.kind}`,
        rows: b.evidence.map((line, i) => [i === 0 ? 'verdict' : '·', line]),
      },
      {
        title: 'Top functions (self time)',
        rows: b.topFunctions.map((f) => [`${f.selfPct.toFixed(1)}%`, `${f.name} ${f.file}:${f.line}`]),
      },
      {
        title: 'Steps',
        rows: r.steps.map((s) => [
          `${s.phase} ${fmt.format(s.offeredRps)} req/s`,
          `${fmt.format(s.achievedRps)} req/s, p99 ${s.p99Ms.toFixed(1)} ms, ${s.pass ? 'pass' : `FAIL: ${s.failures.join('; ')}`}`,
        ]),
      },
    ],
    charts: [throughput, latency],
    data: r,
  });
}

/** The last step measured at each rate, in rising order of offered load. */
function byRate(steps: readonly LimitsStep[]): LimitsStep[] {
  const last = new Map<number, LimitsStep>();
  for (const step of steps) last.set(step.offeredRps, step);
  return [...last.values()].sort((a, b) => a.offeredRps - b.offeredRps);
}
