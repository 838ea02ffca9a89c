/** The live progress line (one line rewritten in place on a TTY): elapsed, req/s, p99, errors. */
import { formatDuration } from '../../units/duration.js';
import type { LoadProgress } from '../types.js';

/** Formats one progress line (no newline). */
function renderProgress(p: LoadProgress): string {
  const pct = p.durationS > 0 ? Math.min(100, Math.round((p.elapsedS / p.durationS) * 100)) : 0;
  return `[${p.elapsedS.toFixed(0).padStart(3)}s/${p.durationS}s ${String(pct).padStart(3)}%] ${Math.round(p.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${formatDuration(p.p99Ms).padStart(8)}  errors ${p.errors}`;
}

/** Writes progress lines to a TTY stream, each replacing the last; `done()` clears the line. */
export function progressWriter(stream: NodeJS.WriteStream): { update(p: LoadProgress): void; done(): void } {
  return {
    update: (p) => stream.write(`\r\x1b[2K${renderProgress(p)}`),
    done: () => stream.write('\r\x1b[2K'),
  };
}
