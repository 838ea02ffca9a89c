/**
 * The adaptive concurrency limit of the overload guard: how many requests may be in flight at once, learned from
 * the latency admitted requests see (AIMD on latency, in the family of Netflix's concurrency-limits Gradient and
 * Vegas and Envoy's adaptive concurrency filter). When a window's mean latency rises past `tolerance ×` the no-load
 * baseline and Little's law puts more than a few requests in a queue (`limit × (1 − baseline / latency)`, Vegas's
 * estimate: noise on a busy machine slows every request a little but queues few), the excess is a queue in a pool,
 * a database or a downstream, and the limit shrinks in proportion; otherwise, when the limit refused requests, it
 * grows. Per request the cost is two additions
 * (`sample`); the arithmetic runs once per window on one unref'd process-wide timer.
 */

/** Options for {@link ConcurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** The hard cap (`MAX_INFLIGHT`); the limit never exceeds it. Infinity = no cap. */
  max: number;
  /** The floor (`ADAPTIVE_MIN_INFLIGHT`): the limit never goes below it. */
  min: number;
  /** How much slower than the baseline the mean latency may get before the limit shrinks (`ADAPTIVE_TOLERANCE`). */
  tolerance: number;
  /** Latency (ms) the event loop explains in the last window (its longest stall, its delay): not a queue. */
  stallMs: () => number;
  /** The window (ms); default 100. */
  windowMs?: number;
}

/** The limit before anything was measured: enough for a cold service, small enough to learn from quickly. */
const INITIAL_LIMIT = 20;
/** A window needs this many completed requests to say anything; fewer are carried into the next window. */
const MIN_SAMPLES = 5;
/** A window never shrinks the limit below this fraction of what it was (one bad window is not a collapse). */
const MAX_DECREASE = 0.5;
/** Below `FAST_GROWTH ×` baseline there is no queue to speak of: grow by √limit instead of 1. */
const FAST_GROWTH = 1.1;
/** Requests that may queue before the limit shrinks, however slow they are: √limit, at least this (Vegas's beta). */
const MIN_QUEUE_ALLOWANCE = 2;
/**
 * Refusals per completion from which a window is a retry storm: closed-loop clients that ignore Retry-After come
 * back at once, so refusing them only turns CPU into 503s (with N such clients latency is N / throughput whatever
 * the limit, Little's law). An open-model overload of 3× refuses ~2 per completion.
 */
const STORM_RATIO = 8;
/** When the baseline looks stale (slow but no queue), it moves this fraction toward the latency per window. */
const BASELINE_RELEARN = 0.2;
/**
 * The baseline follows window means smoothed by this factor (an exponential average over ~5 windows): the lowest
 * single window of a mixed workload (a few cheap requests) is far below its no-queue latency, and a baseline that
 * low reads every window as a queue and shrinks the limit until the service idles.
 */
const BASELINE_SMOOTHING = 0.2;

/** The adaptive limit; read `limit` on admission, call `sample(ms)` on completion and `shed()` on refusal. */
export class ConcurrencyLimit {
  /** Requests that may be in flight now (an integer in [min, max]). */
  limit: number;
  /** The no-load latency (ms): the lowest smoothed window mean seen, re-learned when latency rises without a queue. */
  baselineMs = Number.POSITIVE_INFINITY;
  readonly #options: ConcurrencyLimitOptions;
  readonly #timer: NodeJS.Timeout;
  #sumMs = 0;
  #count = 0;
  #shed = 0;
  /** Window means, exponentially smoothed (NaN before the first window). */
  #smoothedMs = Number.NaN;
  /** The exact (fractional) limit; `limit` is its floor. */
  #estimate: number;

  constructor(options: ConcurrencyLimitOptions) {
    this.#options = options;
    this.#estimate = Math.max(options.min, Math.min(options.max, INITIAL_LIMIT));
    this.limit = Math.floor(this.#estimate);
    this.#timer = setInterval(() => this.update(), options.windowMs ?? 100).unref();
  }

  /** Records the latency (ms) of one admitted request that completed. */
  sample(ms: number): void {
    this.#sumMs += ms;
    this.#count++;
  }

  /** Records one request refused because the limit was reached (the limit was binding in this window). */
  shed(): void {
    this.#shed++;
  }

  /** Closes a window: adjusts the limit from its mean latency. Called by the timer; public for tests. */
  update(): void {
    if (this.#count < MIN_SAMPLES) return;
    const { min, max, tolerance } = this.#options;
    const rtt = this.#sumMs / this.#count;
    const binding = this.#shed > 0;
    const storm = this.#shed > STORM_RATIO * this.#count;
    this.#sumMs = 0;
    this.#count = 0;
    this.#shed = 0;
    this.#smoothedMs = Number.isNaN(this.#smoothedMs)
      ? rtt
      : this.#smoothedMs + (rtt - this.#smoothedMs) * BASELINE_SMOOTHING;
    if (this.#smoothedMs < this.baselineMs) this.baselineMs = this.#smoothedMs;
    const target = this.baselineMs * tolerance;
    let next = this.#estimate;
    const slow = rtt > target;
    const queued = this.#estimate * (1 - this.baselineMs / rtt);
    if (storm) {
      next = this.#estimate + Math.sqrt(this.#estimate);
    } else if (slow && queued > Math.max(MIN_QUEUE_ALLOWANCE, Math.sqrt(this.#estimate))) {
      // A long event-loop block or a saturated loop delays every request in flight: no queue to shorten, hold.
      if (this.#options.stallMs() >= rtt - this.baselineMs) return;
      // Even at the floor: the work itself got slower, the baseline is stale.
      if (this.#estimate <= min) this.baselineMs += (rtt - this.baselineMs) * BASELINE_RELEARN;
      next = this.#estimate * Math.max(MAX_DECREASE, target / rtt);
    } else {
      // Slow without a queue and without refusals: the work itself got slower, the baseline is stale.
      if (slow && !binding) this.baselineMs += (rtt - this.baselineMs) * BASELINE_RELEARN;
      if (binding)
        next = this.#estimate + (rtt < this.baselineMs * FAST_GROWTH ? Math.sqrt(this.#estimate) : 1);
    }
    this.#estimate = Math.max(min, Math.min(max, next));
    this.limit = Math.floor(this.#estimate);
  }

  /** Stops the window timer. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
