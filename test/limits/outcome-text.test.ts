/**
 * The terminal summary and the HTML page describe a result in the same words (issue 10 §4): both take their
 * headline from `describeOutcome`, so an interrupted search cannot read "no rate meets the SLO" on the page.
 */
import { describe, expect, it } from 'vitest';
import { background, withCancel } from '../../src/context/index.js';
import { findLimits, formatSummary } from '../../src/limits/index.js';
import type { StepRunner } from '../../src/limits/step-runner.js';
import type { LimitsResult, StepPhase } from '../../src/limits/types.js';
import { renderLimitsPage } from '../../src/report/limits-page.js';
import { simulate } from './helpers/simulated-runner.js';

const SLO = ['p99<100ms', 'errors<1%'];

/** A search on a simulated 800 req/s queue, Ctrl-C'd during the `nth` step of `phase` (never, when omitted). */
async function searchStoppedIn(phase?: StepPhase, nth = 1): Promise<LimitsResult> {
  const [ctx, cancel] = withCancel(background());
  const inner = simulate({ capacity: 800 }, SLO).runner;
  let seen = 0;
  const runner: StepRunner = async (request) => {
    if (request.phase === phase && ++seen === nth) cancel();
    return inner(request);
  };
  return findLimits(
    { url: 'http://127.0.0.1:1/', slo: [...SLO], step: '1s', cooldown: '1ms', ctx },
    { runner },
  );
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The terminal's verdict: the summary's first line up to the bottleneck. */
const terminalHeadline = (result: LimitsResult) =>
  formatSummary(result).split('\n')[0]!.split('; bottleneck')[0]!;

describe('the page and the terminal tell the same outcome', () => {
  it.each([
    ['interrupted before any rate passed', 'calibrate', 1],
    ['interrupted during the ramp', 'ramp', 2],
    ['interrupted during the bisection', 'bisect', 2],
    ['found', undefined, 1],
  ] as const)('%s', async (_name, phase, nth) => {
    const result = await searchStoppedIn(phase, nth);
    const headline = terminalHeadline(result);
    expect(renderLimitsPage(result)).toContain(escapeHtml(headline));
  });

  it('never says "max sustainable" or "no rate meets the SLO" for an interrupted search', async () => {
    for (const [phase, nth] of [
      ['calibrate', 1],
      ['bisect', 2],
      ['retest', 1],
    ] as const) {
      const result = await searchStoppedIn(phase, nth);
      expect(result.outcome).toBe('interrupted');
      const page = renderLimitsPage(result);
      for (const text of [terminalHeadline(result), page.slice(0, page.indexOf('<script'))]) {
        expect(text, phase).not.toMatch(/max sustainable|no rate meets the SLO/);
      }
      expect(terminalHeadline(result)).toMatch(new RegExp(`^interrupted during ${phase}`));
    }
  });
});
