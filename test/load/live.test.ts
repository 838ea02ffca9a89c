/**
 * The collector's live merge (`LiveMerger`) and its terminal view, without processes: seconds of two agents
 * merged exactly, a second one agent never reports shown after the grace with "1/2 agents", and the view.
 */
import { describe, expect, it } from 'vitest';
import { encodeHistogram, mergingHistogram } from '../../src/load/histogram.js';
import { LiveMerger, type LiveSecond, type LiveTotals, SETTLE_MS, toLivePush } from '../../src/load/live.js';
import { renderCollectLiveView, renderCollectProgress } from '../../src/load/render/index.js';

const START = Date.parse('2026-01-01T12:00:00.000Z');

/** Agent `index` of 2's second `t`, with these latencies (ms). */
function push(index: number, t: number, latenciesMs: number[], errorsByKind: Record<string, number> = {}) {
  const h = mergingHistogram();
  for (const ms of latenciesMs) h.recordValue(ms * 1000);
  const errors = Object.values(errorsByKind).reduce((a, b) => a + b, 0);
  return toLivePush({
    run: {
      target: 'http://127.0.0.1:8080/',
      model: 'open',
      protocol: 'http/1.1',
      startedAt: new Date(START).toISOString(),
      segment: { index, count: 2 },
    },
    t,
    seconds: 1,
    at: START + t * 1000,
    durationS: 10,
    sent: latenciesMs.length + errors,
    completed: latenciesMs.length,
    errors,
    errorsByKind,
    latency: encodeHistogram(h),
  });
}

describe('LiveMerger', () => {
  it('merges the agents’ seconds exactly and emits a second once every agent reported it', () => {
    const seen: [LiveSecond, LiveTotals][] = [];
    const merger = new LiveMerger(2, (s, t) => seen.push([s, t]));
    const fast = Array.from({ length: 98 }, () => 1);
    merger.add(push(0, 1, fast));
    expect(seen).toHaveLength(0);
    // The slow agent holds the two slowest samples of the 100: the merged p99 is one of them (an average of
    // the agents' p99s would be about half of it).
    merger.add(push(1, 1, [200, 300], { timeout: 1 }));
    merger.add(push(1, 1, [200, 300], { timeout: 1 })); // pushed twice: counted once
    expect(seen).toHaveLength(1);
    const [second, totals] = seen[0] as [LiveSecond, LiveTotals];
    expect(second).toMatchObject({
      t: 1,
      agents: 2,
      expected: 2,
      completed: 100,
      sent: 101,
      errors: 1,
      rps: 100,
    });
    expect(second.p99Ms).toBeCloseTo(200, 0);
    expect(second.errorsByKind).toEqual({ timeout: 1 });
    expect(totals).toMatchObject({ elapsedS: 1, durationS: 10, completed: 100, answered: 101, agents: 2 });
    expect(totals.errorsByKind).toEqual({ timeout: 1 });
  });

  it('shows a second one agent never reports after the grace, with the agents that did', () => {
    let now = 0;
    const seen: LiveSecond[] = [];
    let totals: LiveTotals | undefined;
    const merger = new LiveMerger(
      2,
      (s, t) => {
        seen.push(s);
        totals = t;
      },
      () => now,
    );
    merger.add(push(0, 1, [1, 2], { timeout: 1 }));
    merger.add(push(1, 1, [1]));
    merger.add(push(0, 2, [1, 2, 3], { timeout: 2, reset: 1 }));
    now = SETTLE_MS - 1;
    merger.settleDue();
    expect(seen.map((s) => s.t)).toEqual([1]);
    now = SETTLE_MS;
    merger.settleDue();
    expect(seen.map((s) => [s.t, s.agents, s.completed])).toEqual([
      [1, 2, 3],
      [2, 1, 3],
    ]);
    // The run's errors by kind so far: every second's, summed.
    expect(totals?.errorsByKind).toEqual({ timeout: 3, reset: 1 });
    // A late report still counts in the summary, without a second event.
    merger.add(push(1, 2, [4]));
    const summary = merger.finish();
    expect(seen).toHaveLength(2);
    expect(summary).toMatchObject({ pushes: 4, agents: 2, completed: 7 });
    expect(summary?.seconds.map((s) => [s.t, s.agents, s.completed])).toEqual([
      [1, 2, 3],
      [2, 2, 4],
    ]);
    expect(new LiveMerger(2).finish()).toBeNull();
  });
});

describe('collect’s live view', () => {
  const second: LiveSecond = {
    t: 3,
    at: START + 3000,
    agents: 3,
    expected: 4,
    sent: 12_000,
    completed: 12_345,
    errors: 2,
    errorsByKind: { timeout: 2 },
    rps: 12_345,
    p50Ms: 1.2,
    p90Ms: 3,
    p99Ms: 4.5,
  };
  const totals: LiveTotals = {
    elapsedS: 3,
    durationS: 10,
    sent: 36_000,
    completed: 36_000,
    errors: 2,
    errorsByKind: { timeout: 2 },
    answered: 36_002,
    agents: 4,
    expected: 4,
  };

  it('draws the load live block over the merged run plus the agents reporting; no colour when asked', () => {
    const plain = renderCollectLiveView(second, totals, { color: false });
    expect(plain).not.toContain('\x1b[');
    expect(plain.split('\n')).toHaveLength(5);
    expect(plain).toMatch(/30%\s+3s\/10s/);
    expect(plain).toMatch(/req\/s\s+12,345/);
    expect(plain).toMatch(/p99 4\.50ms/);
    expect(plain).toMatch(/2\/s · 2 in all/);
    expect(plain.split('\n')[4]).toBe('agents  3/4 reporting');
    expect(renderCollectLiveView(second, totals, { color: true })).toContain('\x1b[33m3/4 reporting');
  });

  it('writes one plain line off a terminal, and no planned end when the agents run until -n is done', () => {
    expect(renderCollectProgress(second, totals)).toMatch(
      /^\[\s+3s\/10s\s+30%\]\s+12,345 req\/s .*errors 2 {2}agents 3\/4$/,
    );
    expect(renderCollectProgress(second, { ...totals, durationS: null })).toMatch(/^\[\s+3s\s+0%\]/);
  });
});
