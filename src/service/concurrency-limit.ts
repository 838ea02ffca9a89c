/**
 * The adaptive concurrency limit of the overload guard: how many requests may be in flight at once, learned from
 * the latency admitted requests see (a gradient on latency, in the family of Netflix's concurrency-limits Gradient
 * and Vegas and Envoy's adaptive concurrency filter).
 *
 * It starts open (at `MAX_INFLIGHT`): a cold service admits a burst as a fixed cap would, and the limit only comes
 * down once latency shows a queue. A window whose mean latency is past `tolerance ×` the no-load baseline while
 * Little's law puts more than a few of the requests in flight in a queue (`inflight × (1 − baseline / latency)`,
 * Vegas's estimate: noise on a busy machine slows every request a little but queues few), twice in a row, is a
 * queue in a pool, a database or a downstream, and the limit shrinks in proportion; when the limit refused
 * requests and latency is within tolerance, it grows. Latency from CPU contention is no queue: each window the
 * baseline is stretched by the share of the CPU the process got while its loop had work (`cpuShare`: other
 * processes held the cores), and with instrumented pools a window is a queue only if requests also wait for a
 * connection (`poolWaiting`).
 *
 * The baseline comes from quiet windows, and from a probe (Envoy's minRTT calculation) whenever the limit refuses
 * requests with a baseline never measured, or not for a while (1 s after the first probe and after one that measured
 * less than the probe before — a process still warming up —, otherwise doubling up to 10 s): the limit is pinned to
 * the floor until the requests admitted before have drained, and the mean of the next requests is the baseline. A
 * service started straight into overload (no quiet window; logins and JIT warm-up make the first windows slow) so
 * learns its real no-load latency within seconds of shedding, and a probe never sheds a load the limit was not
 * refusing already. Per request the cost is two additions and an in-flight read (`sample`); the arithmetic runs
 * once per window on one unref'd process-wide timer.
 */

/** Options for {@link ConcurrencyLimit}. */
export interface ConcurrencyLimitOptions {
  /** The hard cap (`MAX_INFLIGHT`) and the starting limit; the limit never exceeds it. Infinity = no cap. */
  max: number;
  /** The floor (`ADAPTIVE_MIN_INFLIGHT`): the limit never goes below it; a probe pins the limit here. */
  min: number;
  /** How much slower than the baseline the mean latency may get before the limit shrinks (`ADAPTIVE_TOLERANCE`). */
  tolerance: number;
  /** Latency (ms) the event loop explains in the last window (its longest stall, its delay): not a queue. */
  stallMs: () => number;
  /** Requests in flight now (admitted, not yet completed). */
  inflight: () => number;
  /**
   * The share of the CPU the process got while its event loop had work since the last call (1: never descheduled;
   * see {@link cpuShareMeter}); called once per window. Default: always 1.
   */
  cpuShare?: () => number;
  /**
   * Requests waiting for a connection in the service's instrumented pools now (null: none instrumented); read once
   * per window. With pools, a window is a queue only if it also ends with requests waiting for a connection:
   * latency without one is the CPU (the refusals, the database, other processes), which a lower limit does not
   * shorten. Default: none.
   */
  poolWaiting?: () => number | null;
  /** The window (ms); default 100. */
  windowMs?: number;
  /** The clock (ms); default `performance.now`. */
  now?: () => number;
}

/** A window needs this many completed requests to say anything; fewer are carried into the next window. */
const MIN_SAMPLES = 5;
/** A window never shrinks the limit below this fraction of what was in flight (one bad window is not a collapse). */
const MAX_DECREASE = 0.5;
/** Below `FAST_GROWTH ×` baseline there is no queue to speak of: grow by √limit instead of 1. */
const FAST_GROWTH = 1.1;
/** Requests that may queue before the limit shrinks, however slow they are: √inflight, at least this (Vegas's beta). */
const MIN_QUEUE_ALLOWANCE = 2;
/** Consecutive queued windows before the limit shrinks: one slow window on a busy machine is noise, two are a trend. */
const QUEUED_WINDOWS = 2;
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
/**
 * While the limit refuses requests, the baseline is re-measured by a probe after an interval (ms) that starts at
 * the first and doubles after each probe up to the last; the first probe, and one that measured `PROBE_WARMING` ×
 * less than the probe before, start over from the first (a cold process: JIT warm-up makes each probe faster than
 * the last). A probe is compared with the probe before, not with the baseline: the baseline drifts up between probes
 * as latency is re-learned, and 20 requests of a mixed workload differ by ±50% from one probe to the next — compared
 * with the baseline, YAES at 3× capacity probed every second, each probe pinning the limit to the floor.
 */
const PROBE_INTERVAL_MS = { first: 1_000, last: 10_000 };
/** A probe that measured less than the one before by more than this ratio found the process still warming up. */
const PROBE_WARMING = 1.25;
/** A probe's baseline is the mean of this many requests admitted once the probe drained the queue. */
const PROBE_SAMPLES = 20;
/** A probe that has not finished after this long (ms) ends with what it measured (the load went away, or stalls). */
const PROBE_TIMEOUT_MS = 2_000;
/** Windows at the floor after which the baseline is suspect (too low) and a probe is due, as Envoy does. */
const FLOOR_WINDOWS = 5;
/**
 * The limit never shrinks below this many times the best throughput seen × the baseline (BBR's congestion window
 * gain on its bandwidth-delay product): latency that rises with in-flight while throughput rises too is contention
 * for the CPU (shared with the refusals, the database, the client), not a queue that a lower limit shortens — below
 * it the limit would only cost goodput.
 */
const THROUGHPUT_GAIN = 2;
/** Window throughputs are smoothed by this factor before the best is taken (100 ms windows are noisy). */
const THROUGHPUT_SMOOTHING = 0.3;
/** The best throughput decays by this factor per window (a half-life of ~1.4 s): it follows a service that slowed. */
const THROUGHPUT_DECAY = 0.95;
/** A CPU share below this is read as this (a window where the loop barely ran says little about contention). */
const MIN_CPU_SHARE = 0.1;

/**
 * A meter of CPU contention from other processes: each call returns, for the time since the previous call, the
 * CPU time the process used over the time its event loop was active (`process.cpuUsage` over
 * `performance.eventLoopUtilization`), within [0.1, 1]. A loop that had work but got fewer CPU seconds than it was
 * active was descheduled — other processes held the cores — and every request it served was slowed by that, with
 * no queue a lower limit shortens. 1 when the loop was (nearly) idle; CPU of the process's other threads (GC, the
 * libuv pool) counts as its own, so the share errs toward 1 (toward reading a queue).
 */
export function cpuShareMeter(): () => number {
  let loop = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  return () => {
    const activeMs = performance.eventLoopUtilization(loop).active;
    const used = process.cpuUsage(cpu);
    loop = performance.eventLoopUtilization();
    cpu = process.cpuUsage();
    if (activeMs < 1) return 1;
    return Math.min(1, Math.max(MIN_CPU_SHARE, (used.user + used.system) / 1000 / activeMs));
  };
}

/** A baseline probe in progress. */
interface Probe {
  /** When it started (ms). */
  startedAt: number;
  /** The limit it set aside, restored when it ends. */
  saved: number;
  /** When the requests admitted before it had drained (NaN: not yet). */
  drainedAt: number;
  /** Latency sum and count of the requests admitted after the drain. */
  sumMs: number;
  count: number;
}

/** The adaptive limit; read `limit` on admission, call `sample(ms)` on completion and `shed()` on refusal. */
export class ConcurrencyLimit {
  /** Requests that may be in flight now (an integer in [min, max], or Infinity when uncapped and not yet shrunk). */
  limit: number;
  /** The no-load latency (ms): probed, or the lowest smoothed window mean, re-learned when latency rises alone. */
  baselineMs = Number.POSITIVE_INFINITY;
  /** Probes run so far (for `/debug/vars` and tests). */
  probes = 0;
  readonly #options: ConcurrencyLimitOptions;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #sumMs = 0;
  #count = 0;
  #shed = 0;
  /** The most requests seen in flight at a completion this window. */
  #peak = 0;
  /** Window means, exponentially smoothed (NaN before the first window). */
  #smoothedMs = Number.NaN;
  /** The exact (fractional) limit; `limit` is its floor. */
  #estimate: number;
  /** Consecutive windows that showed a queue. */
  #queued = 0;
  /** Consecutive windows at the floor. */
  #atFloor = 0;
  /** When the last probe ended (-Infinity: never). */
  #probedAt = Number.NEGATIVE_INFINITY;
  /** What the last probe measured (ms, uncontended; NaN: no probe measured yet). */
  #probedMs = Number.NaN;
  /** The wait (ms) from the last probe to the next. */
  #probeInterval = PROBE_INTERVAL_MS.first;
  /** The running probe (null: none). */
  #probe: Probe | null = null;
  /** When the current window started (ms). */
  #windowStart: number;
  /** Completions per ms, smoothed over windows (NaN before the first window). */
  #throughput = Number.NaN;
  /** The best smoothed throughput (completions per ms), decaying. */
  #bestThroughput = 0;
  /** The CPU share of the last window (1: the process was never descheduled). */
  #share = 1;

  constructor(options: ConcurrencyLimitOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#estimate = options.max;
    this.limit = Math.floor(this.#estimate);
    this.#windowStart = this.#now();
    this.#timer = setInterval(() => this.update(), options.windowMs ?? 100).unref();
  }

  /** True while a probe pins the limit to the floor to measure the no-load latency. */
  get probing(): boolean {
    return this.#probe !== null;
  }

  /** Records the latency (ms) of one admitted request that completed. */
  sample(ms: number): void {
    this.#sumMs += ms;
    this.#count++;
    const inflight = this.#options.inflight();
    if (inflight > this.#peak) this.#peak = inflight;
    if (this.#probe !== null) this.#probeSample(this.#probe, ms, inflight);
  }

  /** Records one request refused because the limit was reached (the limit was binding in this window). */
  shed(): void {
    this.#shed++;
  }

  /** Closes a window: adjusts the limit from its mean latency. Called by the timer; public for tests. */
  update(): void {
    const share = this.#options.cpuShare?.() ?? 1;
    this.#share = Math.min(1, Math.max(MIN_CPU_SHARE, share));
    const probe = this.#probe;
    if (probe !== null) {
      if (this.#now() - probe.startedAt >= PROBE_TIMEOUT_MS) this.#endProbe(probe);
      return;
    }
    if (this.#count < MIN_SAMPLES) return;
    const { min, max, tolerance } = this.#options;
    const rtt = this.#sumMs / this.#count;
    // The latency the window would have had with the CPU whenever it asked (the baseline is kept in these terms),
    // and the no-queue latency of this window: the baseline stretched by the contention it met.
    const uncontended = rtt * this.#share;
    const expected = this.baselineMs / this.#share;
    const now = this.#now();
    const throughput = this.#count / Math.max(1, now - this.#windowStart);
    const binding = this.#shed > 0;
    const storm = this.#shed > STORM_RATIO * this.#count;
    const inflight = Math.min(this.#estimate, Math.max(this.#peak, 1));
    this.#resetWindow();
    this.#smoothedMs = Number.isNaN(this.#smoothedMs)
      ? uncontended
      : this.#smoothedMs + (uncontended - this.#smoothedMs) * BASELINE_SMOOTHING;
    if (this.#smoothedMs < this.baselineMs) this.baselineMs = this.#smoothedMs;
    this.#throughput = Number.isNaN(this.#throughput)
      ? throughput
      : this.#throughput + (throughput - this.#throughput) * THROUGHPUT_SMOOTHING;
    this.#bestThroughput = Math.max(this.#throughput, this.#bestThroughput * THROUGHPUT_DECAY);
    this.#atFloor = this.#estimate <= min ? this.#atFloor + 1 : 0;
    if (binding && (now - this.#probedAt >= this.#probeInterval || this.#atFloor >= FLOOR_WINDOWS)) {
      this.#startProbe();
      return;
    }
    const target = expected * tolerance;
    let next = this.#estimate;
    const slow = rtt > target;
    const waiting = this.#options.poolWaiting?.() ?? null;
    const queued =
      slow &&
      inflight * (1 - expected / rtt) > Math.max(MIN_QUEUE_ALLOWANCE, Math.sqrt(inflight)) &&
      (waiting === null || waiting >= MIN_QUEUE_ALLOWANCE);
    // A long event-loop block or a saturated loop delays every request in flight: no queue to shorten, hold.
    if (queued && !storm && this.#options.stallMs() >= rtt - expected) return;
    this.#queued = queued && !storm ? this.#queued + 1 : 0;
    if (storm) {
      next = this.#estimate + Math.sqrt(this.#estimate);
    } else if (queued) {
      if (this.#queued < QUEUED_WINDOWS) return;
      // Even at the floor: the work itself got slower, the baseline is stale.
      if (this.#estimate <= min) this.baselineMs += (uncontended - this.baselineMs) * BASELINE_RELEARN;
      next = inflight * Math.max(MAX_DECREASE, target / rtt);
    } else {
      // Slow without a queue and without refusals: the work itself got slower, the baseline is stale.
      if (slow && !binding) this.baselineMs += (uncontended - this.baselineMs) * BASELINE_RELEARN;
      if (binding) next = this.#estimate + (rtt < expected * FAST_GROWTH ? Math.sqrt(this.#estimate) : 1);
    }
    this.#set(Math.max(min, Math.min(max, Math.max(next, this.floor))));
  }

  /**
   * The limit's throughput floor: {@link THROUGHPUT_GAIN} × the best throughput × the baseline as stretched by the
   * last window's CPU contention (0: none yet).
   */
  get floor(): number {
    const floor = (THROUGHPUT_GAIN * this.#bestThroughput * this.baselineMs) / this.#share;
    return Number.isFinite(floor) ? floor : 0;
  }

  /** Stops the window timer. */
  stop(): void {
    clearInterval(this.#timer);
  }

  #set(estimate: number): void {
    this.#estimate = estimate;
    this.limit = Math.floor(estimate);
  }

  #resetWindow(): void {
    this.#sumMs = 0;
    this.#count = 0;
    this.#shed = 0;
    this.#peak = 0;
    this.#windowStart = this.#now();
  }

  /** Pins the limit to the floor; the requests admitted before drain, then the next ones measure the baseline. */
  #startProbe(): void {
    const now = this.#now();
    this.#probe = { startedAt: now, saved: this.#estimate, drainedAt: Number.NaN, sumMs: 0, count: 0 };
    this.limit = Math.floor(this.#options.min);
    this.probes++;
    if (this.#options.inflight() <= this.limit) this.#probe.drainedAt = now;
  }

  /** A completion during a probe: marks the queue drained, or counts a request admitted after it drained. */
  #probeSample(probe: Probe, ms: number, inflight: number): void {
    const now = this.#now();
    if (Number.isNaN(probe.drainedAt)) {
      if (inflight <= this.limit) probe.drainedAt = now;
      return;
    }
    // Started before the queue drained: it waited in it.
    if (now - ms < probe.drainedAt) return;
    probe.sumMs += ms;
    probe.count++;
    if (probe.count >= PROBE_SAMPLES) this.#endProbe(probe);
  }

  /** Ends a probe: its mean (when it measured enough) is the baseline; the limit set aside is restored. */
  #endProbe(probe: Probe): void {
    this.#probe = null;
    this.#probedAt = this.#now();
    let settled = true;
    if (probe.count >= MIN_SAMPLES) {
      const measured = (probe.sumMs / probe.count) * this.#share;
      // NaN (no probe before) compares false: the first probe counts as warming.
      settled = measured * PROBE_WARMING >= this.#probedMs;
      this.#probedMs = measured;
      this.baselineMs = measured;
      this.#smoothedMs = measured;
    }
    this.#probeInterval = settled
      ? Math.min(PROBE_INTERVAL_MS.last, 2 * this.#probeInterval)
      : PROBE_INTERVAL_MS.first;
    this.#queued = 0;
    this.#atFloor = 0;
    this.#resetWindow();
    this.#set(probe.saved);
  }
}
