/**
 * The live view of `headroom load` on a terminal: one block redrawn in place each second — progress bar, req/s,
 * p50/p99 and errors (this second and in all). Colour only when asked (the caller honours NO_COLOR).
 */
import { formatDuration } from '../../units/duration.js';
import type { LiveFigures } from '../types.js';

/** How the block is drawn. */
export interface LiveViewOptions {
  /** ANSI colours (false under NO_COLOR or when the caller decides so). */
  color: boolean;
}

const BAR_WIDTH = 24;

/** The block's lines, joined by newlines (no trailing newline); each stays under 60 columns. */
export function renderLiveView(p: LiveFigures, options: LiveViewOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const dim = (text: string) => paint('2', text);
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  const done = p.answered;
  const share = p.requestsTotal !== null ? done / p.requestsTotal : p.elapsedS / p.durationS;
  const fraction = Number.isFinite(share) ? Math.max(0, Math.min(1, share)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = paint('32', '█'.repeat(filled)) + dim('░'.repeat(BAR_WIDTH - filled));
  const where =
    p.requestsTotal !== null
      ? `${count(done)}/${count(p.requestsTotal)} requests`
      : `${p.elapsedS.toFixed(0)}s${Number.isFinite(p.durationS) ? `/${p.durationS}s` : ''}`;
  const errorShare = done > 0 ? (100 * p.errorsTotal) / done : 0;
  const errors = `${count(p.errors)}/s · ${count(p.errorsTotal)} in all (${errorShare.toFixed(2)}%)`;
  return [
    `${bar} ${String(Math.round(fraction * 100)).padStart(3)}%  ${where}`,
    `${dim('req/s  ')} ${count(p.rps)}`,
    `${dim('latency')} p50 ${formatDuration(p.p50Ms)}  p99 ${formatDuration(p.p99Ms)}`,
    `${dim('errors ')} ${p.errorsTotal > 0 ? paint('31', errors) : errors}`,
  ].join('\n');
}
