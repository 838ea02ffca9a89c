/**
 * What a live dashboard is fed: one `DashboardSecond` per second of load, one `DashboardStep` per finished limits
 * step, and a `DashboardFinal` when the run ends. Any run that has per-second figures (load, limits, a collector
 * merging agents) feeds the same page through `DashboardFeed`.
 */

/** Which command the page watches: `limits` adds the steps table and the capacity curves. */
export type DashboardKind = 'load' | 'limits' | 'collect';

/** What the page shows before the first figure: its title and, for limits, the latency SLOs to draw. */
export interface DashboardStart {
  kind: DashboardKind;
  title: string;
  subtitle: string;
  /** Latency SLOs with an upper bound, drawn as lines on the latency-vs-offered chart (`p99<100ms` → 100). */
  sloLines: { label: string; limitMs: number }[];
}

/** One second of load: throughput, latency percentiles, errors, and the generator's own load. */
export interface DashboardSecond {
  /** Seconds on the page's time axis (since the run's measured window, or since the search started). */
  t: number;
  /** Completed requests per second over the second. */
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Errors in the second. */
  errors: number;
  /** Errors by kind since the start (running totals). */
  errorsByKind: Record<string, number>;
  /** Generator process CPU over the second, % of one core; null when not known (e.g. a collector). */
  cpuPct: number | null;
  /** The busiest generator thread's event-loop utilisation (0–1); null when not known. */
  busiestThread: number | null;
  /**
   * The generator's self-check so far: why the generator may be the bottleneck (empty when it is not), null when
   * not known.
   */
  selfCheck: string[] | null;
  /** What the second belongs to, e.g. `ramp 400 req/s` during a limits step. */
  label?: string;
}

/** A finished limits step: the rate offered, what came back, and the verdict. */
export interface DashboardStep {
  phase: string;
  offeredRps: number;
  achievedRps: number;
  p50Ms: number;
  p99Ms: number;
  /** Errors over answered requests (0–1). */
  errorRate: number;
  pass: boolean;
  /** Why the step failed, one phrase per broken rule. */
  failures: string[];
}

/** One headline figure of the final result: `value` is the number in the JSON result, `text` as displayed. */
export interface DashboardFigure {
  key: string;
  label: string;
  value: number | string | null;
  text: string;
}

/** The end of the run: its headline figures and the full HTML report (shown in the page, kept by the browser). */
export interface DashboardFinal {
  figures: DashboardFigure[];
  /** The self-contained HTML report of the result (`renderLoadReport`, `renderLimitsPage`). */
  reportHtml: string;
}

/** What a run feeds its dashboard. */
export interface DashboardFeed {
  /** A second of load has been measured. */
  second(second: DashboardSecond): void;
  /** A limits step has finished. */
  step(step: DashboardStep): void;
}
