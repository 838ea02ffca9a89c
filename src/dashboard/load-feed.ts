/** `headroom load` on the dashboard: its start, each second of `LoadProgress`, and the final result's figures. */
import type { LoadProgress, LoadResult } from '../load/types.js';
import { renderLoadReport } from '../report/load-report.js';
import { formatDuration } from '../units/duration.js';
import type { DashboardFigure, DashboardFinal, DashboardSecond, DashboardStart } from './types.js';

/** The page's heading for a load run against `url` (`rate`: the open model's req/s, absent closed). */
export function loadStart(url: string, rate: number | undefined): DashboardStart {
  return {
    kind: 'load',
    title: `headroom load — ${url}`,
    subtitle: rate === undefined ? 'closed model' : `open model, ${rate} req/s offered`,
    sloLines: [],
  };
}

/** One second of a load run, as the page draws it. */
export function loadSecond(p: LoadProgress): DashboardSecond {
  return {
    t: p.elapsedS,
    rps: Math.round(p.rps * 10) / 10,
    p50Ms: p.p50Ms,
    p90Ms: p.p90Ms,
    p99Ms: p.p99Ms,
    errors: p.errors,
    errorsByKind: p.errorsTotalByKind,
    cpuPct: Math.round(p.generator.cpuPct),
    busiestThread: Math.max(0, ...p.generator.threadUtilization),
    selfCheck: p.generator.warnings,
  };
}

const ms = (key: string, label: string, value: number): DashboardFigure => ({
  key,
  label,
  value,
  text: formatDuration(value),
});

/** The final figures of a load result (each `value` as in the headroom.load/v1 JSON) and its HTML report. */
export function loadFinal(r: LoadResult): DashboardFinal {
  const l = r.latencyMs;
  return {
    figures: [
      {
        key: 'completed',
        label: 'completed',
        value: r.requests.completed,
        text: String(r.requests.completed),
      },
      { key: 'errors', label: 'errors', value: r.requests.errors, text: String(r.requests.errors) },
      { key: 'rps', label: 'requests/s', value: r.throughput.rps, text: r.throughput.rps.toFixed(1) },
      ms('p50', 'p50', l.p50),
      ms('p90', 'p90', l.p90),
      ms('p99', 'p99', l.p99),
      ms('p999', 'p99.9', l.p999),
      { key: 'cpu', label: 'generator CPU', value: r.generator.cpuPct, text: `${r.generator.cpuPct}%` },
      {
        key: 'selfCheck',
        label: 'self-check',
        value: r.generator.bound ? 'bound' : 'ok',
        text: r.generator.bound ? 'the generator was the bottleneck' : 'ok',
      },
    ],
    reportHtml: renderLoadReport(r),
  };
}
