/** The live progress line: elapsed (or requests done of `-n`), req/s, p99, errors. */
import { formatDuration } from '../../units/duration.js';
import type { LiveFigures } from '../types.js';

/** Formats one progress line (no newline), e.g. `[  3s/10s  30%]    12,345 req/s  p99   1.20ms  errors 0`. */
export function renderProgress(p: LiveFigures): string {
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  const done =
    p.requestsTotal !== null
      ? `${p.elapsedS.toFixed(0).padStart(3)}s ${count(p.completed + p.errors)}/${count(p.requestsTotal)}`
      : `${p.elapsedS.toFixed(0).padStart(3)}s${Number.isFinite(p.durationS) ? `/${p.durationS}s` : ''}`;
  const share =
    p.requestsTotal !== null ? (p.completed + p.errors) / p.requestsTotal : p.elapsedS / p.durationS;
  const pct = Number.isFinite(share) ? Math.min(100, Math.round(share * 100)) : 0;
  return `[${done} ${String(pct).padStart(3)}%] ${count(p.rps).padStart(9)} req/s  p99 ${formatDuration(p.p99Ms).padStart(8)}  errors ${p.errors}`;
}
