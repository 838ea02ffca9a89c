/**
 * Go-style durations: `500ms`, `10s`, `2m`, `1h30m`, `1.5s`, `250us`. A bare number is milliseconds.
 * Used by every part (context timeouts, request headers, CLI flags) so the grammar is the same everywhere.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const WHOLE = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** A duration in milliseconds, or a Go-style duration string. */
export type Duration = number | string;

/**
 * Parses a duration to milliseconds. Accepts a non-negative finite number (milliseconds) or a string such as
 * `'250ms'`, `'10s'`, `'1m30s'`; a string of digits alone is milliseconds.
 * @throws RangeError naming the bad input.
 * @example parseDuration('1m30s') // 90000
 */
export function parseDuration(input: Duration): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new RangeError(`invalid duration: ${input}`);
    return input;
  }
  const text = input.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  if (!WHOLE.test(text)) {
    throw new RangeError(`invalid duration "${input}" (use e.g. 500ms, 10s, 2m, 1h30m)`);
  }
  let ms = 0;
  for (const [, value, unit] of text.matchAll(PART))
    ms += Number(value) * (UNIT_MS[unit as string] as number);
  return ms;
}

/** Formats milliseconds for people: `850µs`, `12.3ms`, `4.20s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 100) return `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
