/**
 * The HTML page of a `headroom limits` result: throughput-vs-offered (from 0) and latency-vs-offered curves with
 * the knee (the capacity found) marked and the latency SLOs drawn as lines, the verdict (in the terminal's words:
 * `describeOutcome`), the bottleneck evidence, the self time by package, the top functions (your code's first)
 * and the knee profile as a flame graph.
 */

import { describeOutcome } from '../limits/render/describe-outcome.js';
import { functionLabel, splitFunctions } from '../limits/render/describe-profile.js';
import type { LimitsResult, LimitsStep, PackageShare, TopFunction } from '../limits/types.js';
import { parseThreshold, type Threshold } from '../load/thresholds.js';
import { type ChartSpec, renderHtmlPage, type SeriesSpec, type TableSpec } from './html-page.js';

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Renders a limits result as one self-contained HTML file. */
export function renderLimitsPage(r: LimitsResult): string {
  const points = byRate(r.steps);
  const offered = points.map((s) => s.offeredRps);
  const knee = r.capacity?.rps ?? null;
  // NaN serialises to null: uPlot draws the knee series as a single marked point.
  const atKnee = (pick: (s: LimitsStep) => number) =>
    points.map((s) => (s.offeredRps === knee ? pick(s) : Number.NaN));
  const markX = knee === null ? undefined : { value: knee, label: `capacity ${fmt.format(knee)} req/s` };
  const kneeSeries: SeriesSpec = { label: 'knee (capacity)', color: '#111', pointSize: 12 };
  const throughput: ChartSpec = {
    id: 'throughput',
    title: 'Throughput vs offered load',
    xLabel: 'offered req/s',
    yLabel: 'achieved req/s',
    series: [{ label: 'achieved req/s' }, { label: 'ideal (achieved = offered)', dash: [4, 4] }, kneeSeries],
    data: [offered, points.map((s) => s.achievedRps), offered, atKnee((s) => s.achievedRps)],
    yFromZero: true,
    markX,
  };
  const slo = latencySlos(r.slo);
  const percentiles = LATENCY_SERIES.filter(
    ([metric]) => metric !== 'p999' || slo.some((t) => t.metric === 'p999'),
  );
  const latency: ChartSpec = {
    id: 'latency',
    title: 'Latency vs offered load',
    xLabel: 'offered req/s',
    yLabel: 'latency ms',
    series: [
      ...percentiles.map(([, series]) => series),
      ...slo.map((t) => ({ label: `SLO ${t.expr}`, color: '#dc2626', dash: [8, 4], pointSize: 0 })),
      kneeSeries,
    ],
    data: [
      offered,
      ...percentiles.map(([, , pick]) => points.map(pick)),
      ...slo.map((t) => offered.map(() => t.limit)),
      atKnee((s) => s.p99Ms),
    ],
    yFromZero: true,
    markX,
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
      // Results written before packages and the call tree existed have neither.
      ...profileTables(b.packages ?? [], b.topFunctions),
      {
        title: 'Steps',
        rows: r.steps.map((s) => [
          `${s.phase} ${fmt.format(s.offeredRps)} req/s`,
          `${fmt.format(s.achievedRps)} req/s, p99 ${s.p99Ms.toFixed(1)} ms${beyondProcess(s)}, ${s.pass ? 'pass' : `FAIL: ${s.failures.join('; ')}`}`,
        ]),
      },
    ],
    charts: [throughput, latency],
    flame: b.profileTree
      ? { id: 'flame', title: 'Knee profile (flame graph)', root: b.profileTree }
      : undefined,
    data: r,
  });
}

/** `, host 97% busy, pool waiting 12.0, db 7.1 running`: what the step read beyond the process, when it did. */
function beyondProcess(s: LimitsStep): string {
  const parts: string[] = [];
  if (s.target) parts.push(`target CPU ${s.target.cpuCores.toFixed(2)} cores`);
  if (s.host) parts.push(`host ${(s.host.busyShare * 100).toFixed(0)}% busy of ${s.host.cores} cores`);
  if (s.target?.pool)
    parts.push(`pool "${s.target.pool.name}" waiting ${s.target.pool.waitingAvg.toFixed(1)}`);
  if (s.database) parts.push(`db ${s.database.activeAvg.toFixed(1)} running`);
  return parts.map((p) => `, ${p}`).join('');
}

/** The last step measured at each rate, in rising order of offered load. */
function byRate(steps: readonly LimitsStep[]): LimitsStep[] {
  const last = new Map<number, LimitsStep>();
  for (const step of steps) last.set(step.offeredRps, step);
  return [...last.values()].sort((a, b) => a.offeredRps - b.offeredRps);
}

/** The per-step latency curves: p50 and p99 always, p99.9 when an SLO is about it. */
const LATENCY_SERIES: [metric: string, series: SeriesSpec, pick: (s: LimitsStep) => number][] = [
  ['p50', { label: 'p50 ms', color: '#2563eb' }, (s) => s.p50Ms],
  ['p99', { label: 'p99 ms', color: '#9333ea' }, (s) => s.p99Ms],
  ['p999', { label: 'p99.9 ms', color: '#0891b2' }, (s) => s.p999Ms],
];

/** The latency SLOs with an upper bound (`p99<100ms`): each drawn as a line at its limit. Others are skipped. */
export function latencySlos(slo: readonly string[]): Threshold[] {
  return slo.flatMap((expr) => {
    try {
      const t = parseThreshold(expr);
      return t.metric !== 'errors' && t.metric !== 'rps' && t.op.startsWith('<') ? [t] : [];
    } catch {
      return [];
    }
  });
}

/** The self time by package and the top functions, your code's first (as in the terminal summary). */
function profileTables(packages: readonly PackageShare[], functions: readonly TopFunction[]): TableSpec[] {
  const row = (f: TopFunction): [string, string] => [
    `${f.selfPct.toFixed(1)}%`,
    `${functionLabel(f)}${f.file ? `  ${f.file}:${f.line}` : ''}`,
  ];
  const { own, elsewhere } = splitFunctions(functions, 10);
  const tables: TableSpec[] = [];
  if (packages.length > 0) {
    const rows = packages.slice(0, 12).map((p): [string, string] => [`${p.selfPct.toFixed(1)}%`, p.name]);
    tables.push({ title: 'Self time by package', rows });
  }
  if (own.length > 0) tables.push({ title: 'Top functions in your code (self time)', rows: own.map(row) });
  if (elsewhere.length > 0) {
    const title = own.length > 0 ? 'Top functions elsewhere (self time)' : 'Top functions (self time)';
    tables.push({ title, rows: elsewhere.map(row) });
  }
  return tables;
}
