import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseProfile } from '../../src/limits/cpu-profile.js';
import { findLimits, formatStepLine, type LimitsResult, loadStepRunner } from '../../src/limits/index.js';
import { judgeStep } from '../../src/limits/judge-step.js';
import { renderLimitsPage } from '../../src/report/limits-page.js';
import { launchChromium } from '../support/chromium.js';
import { tempDir } from '../support/temp-dir.js';
import { type SpawnedService, spawnCpuService } from './helpers/spawn-service.js';
import { startQueueServer, startTokenBucketServer } from './helpers/synthetic-servers.js';

/** The steps, for assertion messages. */
const trace = (r: LimitsResult) =>
  `\n${[...r.steps, ...(r.profileStep ? [r.profileStep] : [])].map(formatStepLine).join('\n')}\n${r.notes.join('\n')}`;

// Short steps keep the suite inside its budget; the search logic is the same as with the 2 s default.
const FAST = { step: '1s', cooldown: '200ms', maxTime: '50s', precision: 0.08, slo: ['p90<100ms'] } as const;

describe('findLimits against servers of known capacity', () => {
  let queueResult: LimitsResult | undefined;

  it('finds 4 workers × 6 ms (667 req/s) within ±10%', async () => {
    const server = await startQueueServer(4, 6);
    try {
      const started = performance.now();
      const result = await findLimits({ url: server.url, ...FAST, slo: [...FAST.slo] });
      queueResult = result;
      expect(result.outcome, trace(result)).toBe('found');
      expect(result.capacity?.rps, trace(result)).toBeGreaterThanOrEqual(600);
      expect(result.capacity?.rps).toBeLessThanOrEqual(733);
      expect(result.capacity?.high).toBeGreaterThan(result.capacity!.rps);
      expect(
        result.steps.some((s) => s.phase === 'retest' && s.pass && s.offeredRps === result.capacity?.rps),
      ).toBe(true);
      expect(result.bottleneck.kind).toBe('unknown'); // no --admin: no evidence claimed
      expect(performance.now() - started).toBeLessThan(55_000);
    } finally {
      await server.close();
    }
  });

  it('opens enough connections that the generator’s pool never caps the offered rate', async () => {
    // 100 workers × 200 ms: 400 req/s keeps 80 requests in flight, more than a fixed pool of 64 could carry
    // (that pool would queue requests in the generator, break the SLO there, and call it the target's limit).
    const server = await startQueueServer(100, 200);
    try {
      const runner = loadStepRunner({ url: server.url, slo: ['p90<300ms'], request: {}, admin: null });
      const step = judgeStep('bisect', await runner({ phase: 'bisect', rate: 400, durationMs: 2000 }));
      await runner.close();
      expect(step.pass, formatStepLine(step)).toBe(true);
      expect(step.sentRps).toBeGreaterThanOrEqual(392);
    } finally {
      await server.close();
    }
  });

  it('finds a 500 req/s token bucket (503 beyond) within ±10%', async () => {
    const server = await startTokenBucketServer(500, 50);
    try {
      const result = await findLimits({ url: server.url, ...FAST, slo: [...FAST.slo] });
      expect(result.outcome, trace(result)).toBe('found');
      expect(result.capacity?.rps, trace(result)).toBeGreaterThanOrEqual(450);
      expect(result.capacity?.rps).toBeLessThanOrEqual(550);
      const failing = result.steps.find((s) => !s.pass && s.offeredRps === result.capacity?.high);
      expect(failing?.failures.join(' ')).toMatch(/errors<1% broken/);
    } finally {
      await server.close();
    }
  });

  it('renders an HTML report whose curves draw in headless Chromium', async () => {
    expect(queueResult).toBeDefined();
    const dir = tempDir('limits');
    const file = join(dir, 'limits.html');
    await writeFile(file, renderLimitsPage(queueResult!));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      expect(errors).toEqual([]);
      for (const id of ['throughput', 'latency']) {
        expect(await page.locator(`#${id} canvas`).count()).toBe(1);
        const points = Number(await page.locator(`#${id}`).getAttribute('data-points'));
        expect(points).toBeGreaterThanOrEqual(5);
      }
      const legend = await page.locator('#throughput').textContent();
      expect(legend).toContain('knee (capacity)');
      expect(await page.locator('body').textContent()).toContain('max sustainable');
    } finally {
      await browser.close();
    }
  });
});

describe('findLimits against a headroom-kit/service target', () => {
  let target: SpawnedService;
  beforeAll(async () => {
    target = await spawnCpuService();
  });
  afterAll(async () => {
    await target?.stop();
  });

  it('captures a knee profile and names the bottleneck of a CPU-heavy route', async () => {
    const dir = tempDir('limits');
    const profileOut = join(dir, 'knee-cpu.pb.gz');
    const result = await findLimits({
      url: `${target.url}/work`,
      admin: target.adminUrl,
      ...FAST,
      slo: [...FAST.slo],
      profileSeconds: 2,
      profileOut,
    });
    expect(result.outcome, trace(result)).toBe('found');
    expect(result.profileStep?.phase).toBe('profile');
    expect(result.profileStep?.offeredRps).toBe(result.capacity?.rps);
    expect(result.profile, trace(result)).toBe(profileOut);
    expect(existsSync(profileOut)).toBe(true);
    const summary = analyseProfile(readFileSync(profileOut));
    expect(summary.topFunctions.length).toBeGreaterThan(0);
    // The route's own work dominates the profile and is named in the result.
    const names = result.bottleneck.topFunctions.slice(0, 3).map((f) => f.name);
    expect(names.some((n) => n === 'renderReport' || n.includes('stringify'))).toBe(true);
    // @datadog/pprof's real frames, read by package: the route's work is the fixture's own code.
    const hot = result.bottleneck.topFunctions.find(
      (f) => f.name === 'renderReport' || f.name.includes('stringify'),
    );
    expect(hot?.package).toBe('(your code)');
    expect(result.bottleneck.packages.map((p) => p.name)).toContain('(your code)');
    expect(result.bottleneck.profileTree?.totalPct).toBe(100);
    // On a machine busy with other work (a parallel test run) the process may get less than its core: then the
    // machine is named, with the split of its cores.
    expect(['cpu', 'host-cpu'], result.bottleneck.evidence.join('\n')).toContain(result.bottleneck.kind);
    if (result.bottleneck.kind === 'host-cpu')
      expect(result.bottleneck.evidence[0]).toMatch(/\d+% of \d+ cores busy while the target used/);
    expect(result.bottleneck.evidence.join('\n')).toMatch(/CPU [\d.]+ cores/);
    expect(result.steps.some((s) => s.target !== null && s.target.scrapes >= 2)).toBe(true);
  });
});
