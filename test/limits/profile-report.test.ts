/**
 * Issue 14 §2–3: the knee profile read by package (your code first) in the terminal and on the page, the page's
 * flame graph (drawn and zoomable in headless Chromium), and the charts' SLO line, knee mark and zero-based axes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseProfile } from '../../src/limits/cpu-profile.js';
import { findLimits, formatSummary, type LimitsResult } from '../../src/limits/index.js';
import { renderLimitsPage } from '../../src/report/limits-page.js';
import { launchChromium } from '../support/chromium.js';
import { tempDir } from '../support/temp-dir.js';
import { PGLITE_LIKE, pprofOfStacks } from './helpers/pprof.js';
import { simulate } from './helpers/simulated-runner.js';

const SLO = ['p99<100ms', 'errors<1%'];

let result: LimitsResult;
beforeAll(async () => {
  const { runner } = simulate({ capacity: 800 }, SLO);
  result = await findLimits(
    { url: 'http://127.0.0.1:1/', slo: [...SLO], step: '1s', cooldown: '1ms' },
    { runner },
  );
  const summary = analyseProfile(pprofOfStacks(PGLITE_LIKE, 4000));
  result.bottleneck = {
    kind: 'cpu',
    evidence: ['CPU: the process used about one core — the event loop is busy computing'],
    topFunctions: summary.topFunctions,
    packages: summary.packages,
    profileTree: summary.tree,
  };
});

describe('the knee profile by package', () => {
  it('prints packages above the functions, your code first, others marked with their package', () => {
    const lines = formatSummary(result).split('\n');
    expect(lines[0]).toMatch(
      /; bottleneck: CPU — 40% in wasm-function\[12\] \(@electric-sql\/pglite \(wasm\)\)$/,
    );
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines[at('self time by package:')]).toBe(
      'self time by package: @electric-sql/pglite (wasm) 50.0% · (your code) 17.0% · pg 10.0% · (garbage collector) 10.0% · fastify 10.0% · node (internals) 3.0%',
    );
    const own = at('top functions in your code:');
    const elsewhere = at('elsewhere:');
    expect(at('self time by package:')).toBeLessThan(own);
    expect(lines.slice(own + 1, elsewhere)).toEqual([
      '   15.0%  renderRow  /app/src/view.ts:9',
      '    2.0%  handler  /app/src/server.ts:1',
    ]);
    expect(lines.slice(elsewhere + 1, elsewhere + 4)).toEqual([
      '   40.0%  wasm-function[12] (@electric-sql/pglite (wasm))  wasm://wasm/3e5f085e:4',
      '   10.0%  wasm-function[3] (@electric-sql/pglite (wasm))  wasm://wasm/3e5f085e:5',
      '   10.0%  JSON.stringify (pg)',
    ]);
  });
});

describe('the limits page in headless Chromium', () => {
  /** Each flame frame on screen: name → its width in % of the chart (the first frame of that name). */
  const frames = (page: Page) =>
    page.evaluate<Record<string, number>>(`Object.fromEntries(
      [...document.querySelectorAll('#flame .flame-node')].map((n) => [n.dataset.name, Number(n.dataset.width)]).reverse()
    )`);

  it('draws the flame graph, zooms on click, and marks the SLO and the knee on zero-based charts', async () => {
    const dir = tempDir('limits-page');
    const file = join(dir, 'limits.html');
    await writeFile(file, renderLimitsPage(result));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      expect(errors).toEqual([]);

      const whole = await frames(page);
      expect(whole).toMatchObject({ all: 100, handler: 62, query: 50, 'wasm-function[12]': 40, route: 10 });
      expect(await page.locator('#flame').getAttribute('data-focus')).toBe('all');
      expect(await page.locator('#flame .flame-legend').textContent()).toContain(
        '@electric-sql/pglite (wasm)',
      );

      await page.locator('#flame .flame-node[data-name="query"]').click();
      const zoomed = await frames(page);
      expect(await page.locator('#flame').getAttribute('data-focus')).toBe('query');
      // The clicked frame fills the width, its callers stay above it, its callees scale with it; the rest goes.
      expect(zoomed).toMatchObject({ all: 100, handler: 100, query: 100, 'js-to-wasm:i:i': 80 });
      expect(zoomed.route).toBeUndefined();

      await page.locator('#flame .flame-node[data-name="all"]').click();
      expect(await page.locator('#flame').getAttribute('data-focus')).toBe('all');
      expect((await frames(page)).query).toBe(50);

      for (const id of ['throughput', 'latency']) {
        await page.waitForSelector(`#${id}[data-y-min]`, { timeout: 5000 });
        const chart = page.locator(`#${id}`);
        expect(await chart.getAttribute('data-y-min'), id).toBe('0');
        expect(await chart.getAttribute('data-marked'), id).toBe(
          `capacity ${result.capacity?.rps.toLocaleString('en-US')} req/s`,
        );
      }
      expect(await page.locator('#latency .u-legend').textContent()).toContain('SLO p99<100ms');
      expect(await page.locator('body').textContent()).toContain('Top functions in your code');
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
