/**
 * Refusals answered late: a shed request gets its 503 after `SHED_DELAY` instead of at once (a tarpit). A client
 * that ignores Retry-After and resends at once — a closed-loop client, a naive retry loop — then comes back at most
 * once per delay instead of as fast as the server can say no, so refusing it costs little CPU and cannot slow the
 * admitted requests into a retry storm; an open-model overload (independent arrivals) is shed all the same. Admitted
 * requests never wait here. All delays are equal, so the held replies are a first-in-first-out queue under one
 * unref'd timer, armed for the oldest.
 */

/** Replies held beyond this many are answered at once (a held reply keeps its socket and request open). */
const MAX_HELD = 1000;
/** Sent entries at the front beyond which the arrays are compacted (a tarpit that never empties). */
const COMPACT_AT = 1024;

/** The tarpit of shed requests; `hold(send)` calls `send` after the delay (or at once when full). */
export class ShedDelay {
  readonly #delayMs: number;
  /** Held sends and their due times (ms, `performance.now()`), oldest first from `#head`. */
  #sends: ((() => void) | undefined)[] = [];
  #due: number[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  /** `delayMs` 0: every `hold` sends at once. */
  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /** Replies held now. */
  get held(): number {
    return this.#sends.length - this.#head;
  }

  /** Calls `send` once the delay has passed (at once when the delay is 0 or `MAX_HELD` replies are held). */
  hold(send: () => void): void {
    if (this.#delayMs <= 0 || this.held >= MAX_HELD) {
      send();
      return;
    }
    this.#sends.push(send);
    this.#due.push(performance.now() + this.#delayMs);
    if (this.#timer === undefined) this.#arm();
  }

  #arm(): void {
    const wait = Math.max(0, (this.#due[this.#head] as number) - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#release(performance.now());
      if (this.held > 0) this.#arm();
    }, wait).unref();
  }

  /** Sends the held replies due by `now`, oldest first. */
  #release(now: number): void {
    const sends = this.#sends;
    while (this.#head < sends.length && (this.#due[this.#head] as number) <= now) {
      const send = sends[this.#head];
      sends[this.#head] = undefined;
      this.#head++;
      send?.();
    }
    if (this.#head === sends.length) {
      this.#sends = [];
      this.#due = [];
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT) {
      this.#sends = sends.slice(this.#head);
      this.#due = this.#due.slice(this.#head);
      this.#head = 0;
    }
  }
}
