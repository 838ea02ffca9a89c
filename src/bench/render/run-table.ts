/** The readable table after a run: median ns/op with its interval, ops/s, B/op. */
import type { BenchReport } from '../types.js';
import { columns, formatNs, formatRate } from './format.js';

/** One row per benchmark; the interval's real confidence is in the header; then failures and the CPU pinned to. */
export function renderRunTable(report: BenchReport): string {
  const rows: string[][] = [['benchmark', 'median', '95% interval', '±', 'ops/s', 'B/op', 'samples']];
  for (const b of report.benchmarks) {
    const s = b.summary;
    const half = Math.max(s.high - s.median, s.median - s.low);
    const interval =
      s.confidence >= 0.95 ? `[${formatNs(s.low)}, ${formatNs(s.high)}]` : `n/a (n=${b.samples.length})`;
    rows.push([
      b.name,
      `${formatNs(s.median)}/op`,
      interval,
      s.median > 0 ? `±${((half / s.median) * 100).toFixed(1)}%` : '',
      formatRate(s.opsPerSec),
      b.heapBytesPerOp === null ? '-' : String(Math.round(b.heapBytesPerOp)),
      String(b.samples.length),
    ]);
  }
  const failures = report.failures.map((f) => `FAILED ${f.name} (${f.file}): ${f.error}`);
  const cpu = report.settings.pinnedCpu;
  const pinning = cpu === null ? [] : [`benchmark processes pinned to CPU ${cpu} (--no-pin: any CPU)`];
  return `${[columns(rows), ...failures, ...pinning].join('\n')}\n`;
}
