/**
 * The words for how a search ended, shared by the terminal summary and the HTML page so the two cannot disagree:
 * a headline (the claim, with the SLO it holds under) and, when the headline alone would mislead, a detail line.
 */
import type { Capacity, LimitsResult } from '../types.js';

/** How a result reads: the headline, and what the reader should know about it (null when nothing). */
export interface OutcomeText {
  headline: string;
  detail: string | null;
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const rps = (rate: number) => `${number.format(rate)} req/s`;

/**
 * Describes `result`, e.g. `max sustainable: 12,400 req/s (+3.1%: fails at 12,780) at p99<50ms, errors<1%`, or
 * for a stopped search `interrupted during bisect: sustains ≥ 800 req/s at p99<100ms (not the maximum)`.
 */
export function describeOutcome(result: LimitsResult): OutcomeText {
  const slo = result.slo.join(', ');
  const cap = result.capacity;
  switch (result.outcome) {
    case 'found':
      return { headline: `max sustainable: ${bracket(result)} at ${slo}`, detail: null };
    case 'max-rate':
      return {
        headline: `max sustainable: ≥ ${rps(cap?.rps ?? 0)} at ${slo} (reached --max-rate)`,
        detail: null,
      };
    case 'max-time':
    case 'interrupted': {
      const why = result.outcome === 'interrupted' ? 'interrupted' : '--max-time ran out';
      if (result.stoppedIn === 'profile') {
        return {
          headline: `${why} while profiling: the search had ended — max sustainable ${bracket(result)} at ${slo}`,
          detail: result.profile ? null : 'no CPU profile of the knee was taken',
        };
      }
      const where = `${why} during ${result.stoppedIn ?? 'the search'}`;
      if (!cap) return { headline: `${where}, before any rate passed`, detail: unconfirmedFailure(result) };
      return {
        headline: `${where}: sustains ≥ ${rps(cap.rps)} at ${slo} (not the maximum)`,
        detail: whatIsMissing(result, cap),
      };
    }
    case 'no-rate-meets-slo': {
      const first = result.steps[0];
      const why = first ? `: at ${rps(first.offeredRps)}, ${first.failures.join('; ')}` : '';
      return { headline: `no rate meets the SLO (${slo})${why}`, detail: null };
    }
    case 'generator-bound': {
      const passed = Math.max(0, ...result.steps.filter((s) => s.pass).map((s) => s.offeredRps));
      return {
        headline:
          'no capacity claimed: the load generator saturated before the target' +
          (passed > 0 ? ` (the target sustained ≥ ${rps(passed)})` : '') +
          ' — run the generator on another machine or give it more threads',
        detail: null,
      };
    }
  }
}

/** `900 req/s (+2.8%: fails at 925)`, or just the rate when nothing failed above it. */
function bracket(result: LimitsResult): string {
  const cap = result.capacity;
  if (!cap || cap.high === null) return rps(cap?.rps ?? 0);
  const pct = ((cap.high - cap.low) / cap.low) * 100;
  return `${rps(cap.rps)} (+${pct.toFixed(1)}%: fails at ${number.format(cap.high)})`;
}

/** Why the lower bound `cap` of a stopped search is not the maximum. */
function whatIsMissing(result: LimitsResult, cap: Capacity): string {
  if (cap.high === null) {
    const last = result.steps.at(-1);
    return last && !last.pass
      ? `${rps(last.offeredRps)} failed once; the failure was not confirmed`
      : 'the SLO had not broken yet';
  }
  const precision = result.settings.precision;
  const retested = result.steps.some((s) => s.phase === 'retest' && s.pass && s.offeredRps === cap.low);
  const missing: string[] = [];
  if ((cap.high - cap.low) / cap.low > precision)
    missing.push(`the band is wider than the ${precision * 100}% asked`);
  if (!retested) missing.push(`${rps(cap.low)} was not re-tested`);
  else if (result.stoppedIn === 'retest') missing.push(`${rps(cap.high)} did not get its second look`);
  const band = `${rps(cap.low)} passed and ${rps(cap.high)} failed`;
  return missing.length > 0 ? `${band}; ${missing.join(' and ')}` : band;
}

/** The calibration's failure, when its confirmation did not run. */
function unconfirmedFailure(result: LimitsResult): string | null {
  const first = result.steps[0];
  return first && !first.pass
    ? `at ${rps(first.offeredRps)}: ${first.failures.join('; ')} (not confirmed)`
    : null;
}
