/**
 * The live view of `headroom collect`: the merged run second by second — the `headroom load` live block (or its
 * plain progress line off a terminal) over every agent, plus how many agents reported the second.
 */
import type { LiveSecond, LiveTotals } from '../live.js';
import type { LiveFigures } from '../types.js';
import { type LiveViewOptions, renderLiveView } from './live-view.js';
import { renderProgress } from './progress.js';

/** The merged second as the figures `headroom load` shows live. */
function progressOf(second: LiveSecond, totals: LiveTotals): LiveFigures {
  return {
    elapsedS: second.t,
    durationS: totals.durationS ?? Number.POSITIVE_INFINITY,
    rps: second.rps,
    p50Ms: second.p50Ms,
    p99Ms: second.p99Ms,
    errors: second.errors,
    errorsTotal: totals.errors,
    completed: second.completed,
    answered: totals.answered,
    requestsTotal: null,
  };
}

/** The terminal block (no trailing newline): the load live view and an agents line. */
export function renderCollectLiveView(
  second: LiveSecond,
  totals: LiveTotals,
  options: LiveViewOptions,
): string {
  const dim = (text: string) => (options.color ? `\x1b[2m${text}\x1b[0m` : text);
  const short = second.agents < second.expected;
  const agents = `${second.agents}/${second.expected} reporting`;
  return `${renderLiveView(progressOf(second, totals), options)}\n${dim('agents ')} ${
    short && options.color ? `\x1b[33m${agents}\x1b[0m` : agents
  }`;
}

/** One plain progress line (no newline), e.g. `[  3s/10s  30%]    12,345 req/s  p99   1.20ms  errors 0  agents 3/4`. */
export function renderCollectProgress(second: LiveSecond, totals: LiveTotals): string {
  return `${renderProgress(progressOf(second, totals))}  agents ${second.agents}/${second.expected}`;
}
