/**
 * How a search ended, decided in one place. A search stopped early (Ctrl-C, `--max-time`) ends `interrupted` or
 * `max-time` whatever its steps had shown: only a search that ran to its end can claim `found`.
 */
import { type Context, isDeadlineExceeded } from '../context/index.js';
import type { Capacity, LimitsOutcome, StepPhase } from './types.js';

/** What the steps concluded, for a search that ran to its end. */
export type SearchVerdict = Exclude<LimitsOutcome, 'interrupted' | 'max-time'>;

/** Why and where a search stopped before its end. */
export interface SearchStop {
  reason: 'interrupted' | 'max-time';
  /** The phase of the step that was cut short or did not fit in the time left. */
  phase: StepPhase;
}

/** Where a search ended: its verdict (null when it stopped first), the stop if any, and the band it measured. */
export interface SearchEnd {
  verdict: SearchVerdict | null;
  stop: SearchStop | null;
  /** Highest rate that passed, or null when none did. */
  low: number | null;
  /** Lowest rate above `low` whose failure stands, or null when none did. */
  high: number | null;
}

/** The claim a search makes: its outcome, where it stopped (null when it ran to its end), and the capacity. */
export interface Decision {
  outcome: LimitsOutcome;
  stoppedIn: StepPhase | null;
  /** Null when no capacity can be claimed (no rate passed, or the generator was the bottleneck). */
  capacity: Capacity | null;
}

/**
 * The one place an outcome is decided: a stop always wins over the verdict, so a stopped search keeps only the
 * lower bound its passing steps prove (`capacity.rps` is then "at least", not the maximum).
 * @throws Error when the search ended with neither a verdict nor a stop (a bug in the search).
 */
export function decideOutcome(end: SearchEnd): Decision {
  const outcome = end.stop?.reason ?? end.verdict;
  if (outcome === null) throw new Error('the search ended with neither a verdict nor a stop');
  const claimsNone = outcome === 'no-rate-meets-slo' || outcome === 'generator-bound';
  return {
    outcome,
    stoppedIn: end.stop?.phase ?? null,
    capacity: end.low === null || claimsNone ? null : { rps: end.low, low: end.low, high: end.high },
  };
}

/** A stop in `phase`: `interrupted` when the caller cancelled `ctx` (Ctrl-C), else `max-time` (deadline or budget). */
export function stopIn(phase: StepPhase, ctx: Context | undefined): SearchStop {
  const interrupted = ctx?.err !== undefined && !isDeadlineExceeded(ctx.err);
  return { reason: interrupted ? 'interrupted' : 'max-time', phase };
}
