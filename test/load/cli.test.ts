import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { tempDir } from '../support/temp-dir.js';
import { CLI, closedPortUrl, httpServer, runCli, type TestServer } from './helpers.js';

/** Runs the CLI on a pseudo-terminal (util-linux `script`); resolves with everything it wrote. */
function runOnTty(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { env: { ...process.env, TERM: 'xterm', NO_COLOR: '', ...env } },
      (error, stdout) => resolve({ code: error ? Number(error.code) : 0, output: stdout }),
    );
  });
}

/** Erases the live block from its first line (the cursor goes back up to it first). */
const ERASE = '\r\u001b[0J';
/** The four-line block goes back up three lines before it is redrawn. */
const REDRAW = '\r\u001b[3A\u001b[0J';
/** Colour codes (SGR), stripped before the block's text is matched. */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[\\d*m`, 'g');
const LIVE_BLOCK =
  /50%\s+1s\/2s\r?\n.*req\/s.* [\d,]+\r?\n.*latency.* p50 \S+ {2}p99 \S+\r?\n.*errors.* 0\/s · 0 in all \(0\.00%\)/;

let server: TestServer;
const dir = tempDir('load');

beforeAll(async () => {
  server = await httpServer((_req, res) => res.end('hello'));
});
afterAll(() => server.close());

describe('headroom load (built CLI)', () => {
  it('exits 0 when thresholds hold and 1 when one is breached, and prints headroom.load/v1 JSON', async () => {
    const ok = await runCli([
      'load',
      server.url,
      '-c',
      '4',
      '-t',
      '2',
      '-d',
      '1s',
      '--json',
      '--threshold',
      'errors<1%',
      '--threshold',
      'rps>10',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result).toMatchObject({
      schema: 'headroom.load/v1',
      target: server.url,
      model: 'closed',
      threads: 2,
      requests: { sent: expect.any(Number), completed: expect.any(Number), errors: 0, timeouts: 0 },
      status: { '2xx': expect.any(Number), '3xx': 0, '4xx': 0, '5xx': 0 },
      throughput: { rps: expect.any(Number), offeredRps: null },
      latencyMs: {
        min: expect.any(Number),
        mean: expect.any(Number),
        p50: expect.any(Number),
        p90: expect.any(Number),
        p99: expect.any(Number),
        p999: expect.any(Number),
        max: expect.any(Number),
      },
      phasesMs: {
        connect: { p50: expect.any(Number) },
        tls: null,
        firstByte: { p50: expect.any(Number), p99: expect.any(Number) },
        response: { p50: expect.any(Number), p99: expect.any(Number) },
      },
      errorsByKind: {},
      generator: {
        cpuPct: expect.any(Number),
        eventLoopDelayP99Ms: expect.any(Number),
        bound: expect.any(Boolean),
        warnings: expect.any(Array),
      },
      thresholds: [
        { expr: 'errors<1%', ok: true, actual: 0 },
        { expr: 'rps>10', ok: true, actual: expect.any(Number) },
      ],
    });
    expect(result.timeline[0]).toMatchObject({
      t: 1,
      rps: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      errors: 0,
    });
    expect(ok.stderr).toMatch(/Requests\/sec/);

    const breached = await runCli([
      'load',
      server.url,
      '-c',
      '2',
      '-t',
      '1',
      '-d',
      '500ms',
      '--threshold',
      'p99<1us',
      '--no-progress',
    ]);
    expect(breached.code).toBe(1);
    expect(breached.stdout).toMatch(/✗ threshold p99<1us/);
  });

  it('takes a wrk command line unchanged (-t 2 -c 4 -d 1 --latency URL) and prints a wrk-style summary', async () => {
    const run = await runCli(['load', '-t', '2', '-c', '4', '-d', '1', '--latency', server.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^Running 1s test @ http:\/\/127\.0\.0\.1:\d+\/ \(closed model\)\n {2}2 threads and 4 connections\n/,
    );
    expect(run.stdout).toMatch(
      /Latency Distribution\n +50% +\S+\n +75% +\S+\n +90% +\S+\n +99% +\S+\n +99\.9% +\S+\n/,
    );
    expect(run.stdout).toMatch(/first byte +p50 .*\n +response +p50 /);
    expect(run.stdout).toMatch(/Status 2xx [\d,]+ +3xx 0 +4xx 0 +5xx 0\n/);
    expect(run.stdout).toMatch(/\nRequests\/sec: +\d+\.\d\d\nTransfer\/sec: +\d+\.\d\d[KM]?B\n/);
    expect(run.stdout).toMatch(/Generator: CPU [\d.]+%, event-loop delay p99 /);
  });

  it('shows the live block on a TTY only, coloured unless NO_COLOR, and not with --no-progress', async () => {
    const args = ['load', server.url, '-c', '2', '-t', '1', '-d', '2s'];
    // The four runs are independent (nothing here depends on their rate): at once, they take one run's time.
    const [tty, uncoloured, off, piped] = await Promise.all([
      runOnTty(args),
      runOnTty(args, { NO_COLOR: '1' }),
      runOnTty([...args, '--no-progress']),
      runCli(args),
    ]);
    for (const run of [tty, uncoloured]) {
      expect(run.code).toBe(0);
      expect(run.output).toContain(REDRAW);
      expect(run.output.replace(SGR, '')).toMatch(LIVE_BLOCK);
      expect(run.output).toMatch(/Requests\/sec/);
    }
    expect(tty.output).toContain('\u001b[32m█');
    for (const colour of ['\u001b[2m', '\u001b[31m', '\u001b[32m'])
      expect(uncoloured.output).not.toContain(colour);
    expect(off.output).toMatch(/Requests\/sec/);
    expect(off.output).not.toContain(ERASE);
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toContain(ERASE);
  });

  it('exits 2 with one line for an unreachable target and bad flags', async () => {
    const unreachable = await runCli(['load', await closedPortUrl(), '-d', '1s']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/cannot reach/);
    const flags = [
      ['-c', 'zero'],
      ['-d', 'soon'],
      ['--threshold', 'p99~5'],
      ['--rate', '-3'],
      ['-s', 'script.lua'],
      ['--scenario', 'missing.json'],
    ];
    const runs = await Promise.all(flags.map((args) => runCli(['load', server.url, ...args])));
    runs.forEach((bad, i) => {
      expect(bad.code, flags[i]?.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('writes an HTML report whose charts render in headless Chromium', async () => {
    const html = path.join(dir, 'report.html');
    const json = path.join(dir, 'result.json');
    const run = await runCli([
      'load',
      server.url,
      '-c',
      '2',
      '-t',
      '1',
      '-d',
      '2s',
      '--html',
      html,
      '-o',
      json,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(readFileSync(html, 'utf8')).not.toMatch(/<script[^>]+src=|<link[^>]+href=/); // self-contained
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${html}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      for (const id of ['timeline', 'percentiles']) {
        const canvas = await page.$(`#${id} canvas`);
        expect(canvas, id).not.toBeNull();
        // The canvas has drawn pixels (not blank).
        const inked = await page.evaluate<number>(`(() => {
          const c = document.querySelector('#${id} canvas');
          const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
          return n;
        })()`);
        expect(inked, id).toBeGreaterThan(500);
      }
      expect(await page.evaluate<number>("Number(document.getElementById('timeline').dataset.points)")).toBe(
        result.timeline.length,
      );
      expect(
        await page.evaluate<number>("Number(document.getElementById('percentiles').dataset.points)"),
      ).toBeGreaterThan(10);
      const embedded = await page.$eval('#report-data', (el) => JSON.parse(el.textContent ?? 'null'));
      expect(embedded.requests.completed).toBe(result.requests.completed);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
