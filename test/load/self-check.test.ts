/**
 * The generator's self-check against real load: a generator thread that is saturated, or whose timers slip,
 * must say so (`generator.bound` and the terminal warning) instead of passing its own ceiling off as the target's.
 */
import { afterEach, expect, it } from 'vitest';
import { GENERATOR_BOUND_WARNING, load } from '../../src/load/index.js';
import { renderSummary } from '../../src/load/render/index.js';
import { httpServer, type TestServer } from './helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

it('flags a saturated generator thread as the bound and warns in the summary', async () => {
  // The target runs on the generator's own thread: that thread is busy all the time, whatever the target could do.
  server = await httpServer((_req, res) => res.end('x'));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const r = await load({ url: server.url, connections: 16, threads: 1, duration: '1s' });
  const cpu = process.cpuUsage(cpu0);
  // The process's CPU share over the whole call, measured here: the generator's figure covers only the 1 s window
  // (not the thread's start and stop), so it may differ a little; a busy machine lowers both alike.
  const measuredPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100;
  expect(r.generator.threadUtilization[0]).toBeGreaterThanOrEqual(0.95);
  expect(r.generator.cpuPct).toBeGreaterThan(measuredPct * 0.75);
  expect(r.generator.cpuPct).toBeLessThan(measuredPct * 1.25 + 10);
  expect(r.generator.bound).toBe(true);
  expect(r.generator.warnings[0]).toContain(GENERATOR_BOUND_WARNING);
  expect(renderSummary(r)).toContain(`WARNING: ${GENERATOR_BOUND_WARNING}`);
});

it('reports schedule slip and event-loop delay when the open model cannot keep its schedule', async () => {
  server = await httpServer((_req, res) => res.end('x'));
  // Something else on the generator's thread blocks it 80 ms every 250 ms.
  const blocker = setInterval(() => {
    const end = performance.now() + 80;
    while (performance.now() < end);
  }, 250);
  try {
    const r = await load({ url: server.url, rate: 400, connections: 4, threads: 1, duration: '1.5s' });
    expect(r.generator.sendLagP99Ms).toBeGreaterThanOrEqual(30);
    expect(r.generator.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(30);
    expect(r.generator.bound).toBe(true);
    expect(r.generator.warnings[0]).toMatch(/sends slipped .* behind schedule/);
    expect(renderSummary(r)).toMatch(/send lag p99 \d/);
  } finally {
    clearInterval(blocker);
  }
});

it('does not call a lightly loaded generator thread saturated', async () => {
  server = await httpServer((_req, res) => res.end('x'));
  const r = await load({ url: server.url, rate: 50, connections: 2, threads: 1, duration: '1s' });
  expect(r.generator.threadUtilization[0]).toBeLessThan(0.5);
  expect(r.generator.warnings.join(' ')).not.toMatch(/busy/);
  // On a crowded machine the OS may still delay its timers: that, and only that, may flag it.
  expect(r.generator.bound).toBe(r.generator.warnings.length > 0);
  if (!r.generator.bound) expect(renderSummary(r)).not.toContain('WARNING');
});
