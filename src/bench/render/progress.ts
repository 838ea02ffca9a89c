/** Progress lines for stderr while benchmarks run. */
import type { BenchProgress } from '../run.js';
import { formatNs } from './format.js';

/** One line per event: `[2/5] work/loop … 1.96µs/op ±0.4%`. */
export function renderProgress(event: BenchProgress): string | null {
  const prefix = `[${event.index + 1}/${event.total}]${event.label ? ` ${event.label}` : ''}`;
  if (event.kind === 'start') return null;
  if (event.kind === 'failed') return `${prefix} ${event.failure.name}: FAILED ${event.failure.error}\n`;
  const s = event.result.summary;
  const half = Math.max(s.high - s.median, s.median - s.low);
  const spread = s.median > 0 ? ` ±${((half / s.median) * 100).toFixed(1)}%` : '';
  return `${prefix} ${event.result.name}: ${formatNs(s.median)}/op${spread}\n`;
}
