/** Turning the `Duration`s the context API accepts into milliseconds and timer delays. */
import { type Duration, parseDuration } from '../units/duration.js';

/** setTimeout's longest delay (about 24.8 days); a longer wait is armed in steps of at most this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Milliseconds for a timeout or sleep: numbers pass through as they are (negative and infinite included, so each
 * caller applies its own rule), strings are Go-style durations (`'250ms'`, `'1m30s'`).
 * @throws RangeError for NaN or a string that is not a duration.
 */
export function toMilliseconds(duration: Duration): number {
  if (typeof duration !== 'number') return parseDuration(duration);
  if (Number.isNaN(duration)) throw new RangeError(`invalid duration: ${duration}`);
  return duration;
}
