/**
 * `--dashboard` end to end: a real `headroom load` / `headroom limits` (built CLI) against a local server, the
 * live page opened in headless Chromium while the run goes on. The page must update during the run, show the
 * final figures of the JSON result when it ends, and fetch nothing but its own page and event stream.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitsResult } from '../../src/limits/index.js';
import type { LoadResult } from '../../src/load/index.js';
import { type Running, startQueueServer } from '../limits/helpers/synthetic-servers.js';
import { CLI, httpServer, ROOT, runCli, type TestServer } from '../load/helpers.js';
import { launchChromium } from '../support/chromium.js';
import { tempDir } from '../support/temp-dir.js';

/** A CLI run with its dashboard: the URL it printed, and its exit. */
interface DashboardRun {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
  /** What it printed on stderr so far. */
  stderr: () => string;
}

/** Spawns the built CLI and resolves once it printed the dashboard's URL on stderr. */
function startRun(args: string[]): Promise<DashboardRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
      const match = /dashboard: (http:\/\/\S+)/.exec(stderr);
      if (match) resolve({ child, url: match[1] as string, exited, stderr: () => stderr });
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code} before a dashboard: ${stderr}`)));
  });
}

/** Opens the page; returns it and the URLs it requested outside its own origin. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; foreign: string[] }> {
  const page = await browser.newPage();
  const foreign: string[] = [];
  const origin = new URL(url).origin;
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !/^(about|blob|data):/.test(u)) foreign.push(u);
  });
  await page.goto(url);
  return { page, foreign };
}

/** The status of `GET url` sent with `Host: host`. */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      })
      .on('error', reject);
  });
}

/** `data-<name>` of the first element matching `selector`. */
const attr = (page: Page, selector: string, name: string) =>
  page.locator(selector).first().getAttribute(`data-${name}`);

/** Points drawn on the live timeline (read from outside: the page's CSP forbids evaluating strings in it). */
const points = async (page: Page) => Number(await attr(page, '#live-timeline', 'points'));

let browser: Browser;
let target: TestServer;
let queue: Running;
const dir = tempDir('dashboard');

beforeAll(async () => {
  browser = await launchChromium();
  // Every 10th request is a 503: the errors-by-kind table has something to show.
  let n = 0;
  target = await httpServer((_req, res) => {
    res.statusCode = ++n % 10 === 0 ? 503 : 200;
    res.end('hello');
  });
  queue = await startQueueServer(1, 5);
});
afterAll(async () => {
  await browser?.close();
  await target?.close();
  await queue?.close();
});

describe('headroom load --dashboard', () => {
  it('updates the page while the run goes on and ends with the figures of the JSON result', async () => {
    const json = path.join(dir, 'load.json');
    const run = await startRun([
      'load',
      '--dashboard',
      target.url,
      '-R',
      '1000',
      '-c',
      '4',
      '-t',
      '1',
      // Long enough for two reads of a live page on a busy machine.
      '-d',
      '6s',
      '--no-progress',
      '-o',
      json,
    ]);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { page, foreign } = await openPage(browser, run.url);

    // Live: the timeline grows between two reads while the run's process is still going.
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const first = await points(page);
    const rps = Number(await attr(page, '[data-key="rps"]', 'value'));
    expect(rps).toBeGreaterThan(500);
    await expect.poll(() => points(page), { timeout: 5_000 }).toBeGreaterThan(first);
    expect(run.child.exitCode).toBeNull();
    expect(await attr(page, 'body', 'state')).toBe('running');
    expect(Number(await attr(page, '[data-key="p99"]', 'value'))).toBeGreaterThan(0);
    expect(Number(await attr(page, '[data-key="cpu"]', 'value'))).toBeGreaterThan(0);
    expect(['ok', 'bound']).toContain(await attr(page, '[data-key="selfCheck"]', 'value'));
    await page.waitForSelector('#errors-by-kind tr[data-kind="http-5xx"]');
    // A name pointed at 127.0.0.1 by someone else's DNS (rebinding) does not get the page.
    expect(await statusWithHost(run.url, 'rebound.example.com')).toBe(403);
    expect(await statusWithHost(`${run.url}events`, `localhost:${new URL(run.url).port}`)).toBe(200);

    // The end: the final figures are the JSON result's, and the report is in the page.
    await page.waitForSelector('body[data-state="finished"]', { timeout: 20_000 });
    const { code } = await run.exited;
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as LoadResult;
    const final = (key: string) => attr(page, `[data-final-key="${key}"]`, 'value');
    expect(Number(await final('completed'))).toBe(result.requests.completed);
    expect(Number(await final('errors'))).toBe(result.requests.errors);
    expect(Number(await final('p99'))).toBe(result.latencyMs.p99);
    expect(Number(await final('rps'))).toBe(result.throughput.rps);
    const report = page.frameLocator('#report');
    await report.locator('body[data-rendered="true"]').waitFor();
    const embedded = JSON.parse((await report.locator('#report-data').textContent()) as string) as LoadResult;
    expect(embedded.requests.completed).toBe(result.requests.completed);
    expect(await report.locator('#timeline canvas').count()).toBe(1);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('exits 2 as without it when the target is unreachable, and for an address it cannot listen on', async () => {
    const taken = new URL(target.url).port;
    const addresses = [`127.0.0.1:${taken}`, '127.0.0.1:99999'];
    // Refused before any load: the three processes can run at once.
    const [run, ...runs] = await Promise.all([
      startRun(['load', '--dashboard', 'http://127.0.0.1:1/', '-d', '1s']),
      ...addresses.map((address) => runCli(['load', target.url, '--dashboard', address, '-d', '1s'])),
    ]);
    const { code, stderr } = await run.exited;
    expect(code).toBe(2);
    expect(stderr).toMatch(/dashboard: http/);
    for (const bad of runs) {
      expect(bad.code, bad.stderr).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/--dashboard/);
    }
  });
});

describe('headroom limits --dashboard', () => {
  it('shows each step as it completes and ends with the JSON result', async () => {
    const json = path.join(dir, 'limits.json');
    const run = await startRun([
      'limits',
      queue.url,
      '--dashboard',
      '127.0.0.1:0',
      '--slo',
      'p99<200ms',
      '--step',
      '500ms',
      '--cooldown',
      '100ms',
      '--max-time',
      '8s',
      '--no-progress',
      '-o',
      json,
    ]);
    const { page, foreign } = await openPage(browser, run.url);
    await page.waitForSelector('#steps tr[data-offered]', { timeout: 15_000 });
    expect(run.child.exitCode).toBeNull();
    expect(await attr(page, 'body', 'kind')).toBe('limits');
    await expect
      .poll(async () => Number(await attr(page, '#live-throughput', 'points')), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);

    await page.waitForSelector('body[data-state="finished"]', { timeout: 20_000 });
    await run.exited;
    const result = JSON.parse(readFileSync(json, 'utf8')) as LimitsResult;
    expect(await page.locator('#steps tr[data-offered]').count()).toBe(result.steps.length);
    const offered = (await page.locator('#steps tr[data-offered]').all()).map(async (row) =>
      Number(await row.getAttribute('data-offered')),
    );
    expect(await Promise.all(offered)).toEqual(result.steps.map((s) => s.offeredRps));
    const final = (key: string) => attr(page, `[data-final-key="${key}"]`, 'value');
    expect(await final('outcome')).toBe(result.outcome);
    expect(await final('capacity')).toBe(result.capacity === null ? '' : String(result.capacity.rps));
    expect(Number(await final('steps'))).toBe(result.steps.length);
    expect(foreign).toEqual([]);
    await page.close();
  });
});

describe('headroom collect --dashboard', () => {
  it('shows the merged seconds the agents push while they run, and ends with the merged JSON result', async () => {
    const json = path.join(dir, 'collect.json');
    const run = await startRun([
      'collect',
      '--listen',
      '127.0.0.1:0',
      '--expect',
      '1',
      '--timeout',
      '30s',
      '--dashboard',
      '127.0.0.1:0',
      '--no-progress',
      '-o',
      json,
    ]);
    const { page, foreign } = await openPage(browser, run.url);
    await expect.poll(() => attr(page, 'body', 'kind'), { timeout: 10_000 }).toBe('collect');
    const listening = /collecting 1 results on (http:\/\/\S+)/;
    await expect.poll(() => listening.test(run.stderr()), { timeout: 10_000 }).toBe(true);
    const collector = listening.exec(run.stderr())?.[1] as string;
    const agent = runCli([
      'load',
      target.url,
      '--segment',
      '0/1',
      '--push',
      collector,
      '-R',
      '500',
      '-c',
      '4',
      '-t',
      '1',
      '-d',
      '5s',
      '--no-progress',
    ]);
    // Live: merged seconds reach the page while the agent still runs.
    await expect.poll(() => points(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(run.child.exitCode).toBeNull();
    expect(Number(await attr(page, '[data-key="rps"]', 'value'))).toBeGreaterThan(200);

    await page.waitForSelector('body[data-state="finished"]', { timeout: 30_000 });
    expect((await agent).code).toBe(0);
    expect((await run.exited).code).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8')) as LoadResult;
    const final = (key: string) => attr(page, `[data-final-key="${key}"]`, 'value');
    expect(Number(await final('completed'))).toBe(result.requests.completed);
    expect(Number(await final('p99'))).toBe(result.latencyMs.p99);
    expect(foreign).toEqual([]);
    await page.close();
  });
});
