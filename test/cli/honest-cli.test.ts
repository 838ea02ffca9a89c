/**
 * One flag grammar and exit codes a CI can trust, on the built CLI against real servers:
 * `--json` is a switch, `-o` writes the file, SI suffixes and `-n`, every request sent ends as a response or a named
 * error, unwritable outputs are refused before any load, Ctrl-C exits 130 with the partial result, a bug exits 70.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressOn } from '../../src/cli/flags.js';
import type { LimitsResult } from '../../src/limits/types.js';
import type { LoadResult } from '../../src/load/types.js';
import { CLI, httpServer, ROOT, runCli, type TestServer, tcpServer } from '../load/helpers.js';
import { tempDir } from '../support/temp-dir.js';

let server: TestServer;
let answered = 0;
let silent: TestServer;
const held: net.Socket[] = [];
const dir = tempDir('cli');

beforeAll(async () => {
  server = await httpServer((_req, res) => {
    answered++;
    res.end('hello');
  });
  // Accepts connections and reads requests, never answers.
  silent = await tcpServer((socket) => {
    held.push(socket);
    socket.on('data', () => {});
    socket.on('error', () => {});
  });
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await Promise.all([server.close(), silent.close()]);
});

/** `sent = completed + no-response errors`: every request ends as exactly one of the two. */
function expectEveryRequestAccounted(r: LoadResult): void {
  const noResponse = r.requests.errors - r.status['4xx'] - r.status['5xx'];
  expect(r.requests.sent).toBe(r.requests.completed + noResponse);
}

describe('one flag grammar', () => {
  it('takes --json as a switch before the URL, SI suffixes, and -n as an exact request count', async () => {
    const before = answered;
    const closed = await runCli(['load', '--json', server.url, '-n', '1k', '-c', '7', '-t', '1']);
    expect(closed.code, closed.stderr).toBe(0);
    const result = JSON.parse(closed.stdout) as LoadResult;
    expect(result.requests).toMatchObject({ sent: 1000, completed: 1000, errors: 0 });
    expect(result.requestLimit).toBe(1000);
    expect(answered - before).toBe(1000);
    expect(closed.stderr).toMatch(/Requests\/sec/); // the summary moved to stderr

    // Open model: the first 500 requests of a 1k req/s schedule (0.5 s), over two threads.
    const open = await runCli(['load', server.url, '-R', '1k', '-n', '500', '-c', '10', '-t', '2', '--json']);
    expect(open.code, open.stderr).toBe(0);
    const openResult = JSON.parse(open.stdout) as LoadResult;
    expect(openResult.requests.sent).toBe(500);
    expect(openResult.throughput.offeredRps).toBe(1000);
    expect(openResult.durationS).toBeCloseTo(0.5, 1);
  });

  it('shows numbers as numbers, no empty defaults, and an example in every --help', async () => {
    const commands = [['load'], ['limits'], ['bench'], ['bench', 'compare'], ['bench', 'ab']];
    const helps = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    for (const [i, help] of helps.entries()) {
      const command = commands[i]!;
      expect(help.code).toBe(0);
      expect(help.stdout, command.join(' ')).toMatch(/\nExample:\n {2}\$ headroom /);
      expect(help.stdout).not.toMatch(/\(default: (\[\]|"\d)/);
      expect(help.stdout).toMatch(/ --json +print/);
      expect(help.stdout).toMatch(/-o, --output <file>/);
    }
    const load = helps[0]!; // `load --help`
    expect(load.stdout).toMatch(/\(default:\s+64\)/);
    expect(load.stdout).toMatch(/-T, --timeout <duration>/);
    expect(load.stdout).toMatch(/-n, --requests <n>/);
  });

  it('reads a bare number as seconds in every duration flag (limits --max-time 60 is a minute)', async () => {
    // --max-time 1 is one second: shorter than the 2 s step, so it is refused; in ms it would read "1ms".
    const short = await runCli(['limits', server.url, '--max-time', '1']);
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('headroom: --max-time: must be longer than the step\n');
    const bad = await runCli(['load', server.url, '--threshold', 'errors<200%']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/at most 100%/);
  });
});

describe('every request that got no answer is counted', () => {
  it('fails errors<1% against a server that accepts and never replies (exit 1)', async () => {
    const run = await runCli([
      'load',
      silent.url,
      '-d',
      '1',
      '-T',
      '500ms',
      '-c',
      '8',
      '-t',
      '1',
      '--threshold',
      'errors<1%',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as LoadResult;
    expect(result.requests.sent).toBeGreaterThanOrEqual(8);
    expect(result.requests.completed).toBe(0);
    expect(result.errorsByKind.timeout).toBe(result.requests.sent);
    expectEveryRequestAccounted(result);
    expect(result.thresholds).toEqual([{ expr: 'errors<1%', ok: false, actual: 100 }]);
  });

  it('Ctrl-C on a silent target ends at once: exit 130, the partial result written, in-flight requests cancelled', async () => {
    const out = path.join(dir, 'interrupted.json');
    const connectedBefore = held.length;
    const child = spawn(
      process.execPath,
      [CLI, 'load', silent.url, '-d', '30s', '-c', '4', '-t', '1', '-o', out],
      {
        cwd: ROOT,
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Signal once the run is under way (its 4 connections accepted), however slowly the process started.
    while (held.length < connectedBefore + 4) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = performance.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(performance.now() - signalled).toBeLessThan(1500);
    expect(code).toBe(130);
    expect(stdout).toMatch(/Requests\/sec/);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
    expect(result.errorsByKind.cancelled).toBe(4);
    expectEveryRequestAccounted(result);
  });
});

describe('exit codes', () => {
  it('refuses an unwritable output before any load (exit 2, one line)', async () => {
    const before = answered;
    const unwritable = [
      ['-o', '/no/such/folder/r.json'],
      ['--html', dir],
    ];
    const runs = await Promise.all(
      unwritable.map((flags) => runCli(['load', server.url, '-d', '5s', ...flags])),
    );
    runs.forEach((run, i) => {
      expect(run.code, unwritable[i]?.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^headroom: cannot write \S+: .+\n$/);
    });
    expect(answered).toBe(before);
  });

  it('exits 70 with one line for an internal error, and shows the stack with --debug', async () => {
    // A scenario that trips a bug-like failure after it loaded (an exception nobody catches).
    const scenario = path.join(dir, 'crash.mjs');
    writeFileSync(
      scenario,
      "setTimeout(() => { throw new TypeError('boom in a callback'); }, 300);\nexport default { requests: [{ path: '/' }] };\n",
    );
    const args = ['load', server.url, '--scenario', scenario, '-d', '3s', '-t', '1', '--no-progress'];
    const [plain, debug] = await Promise.all([runCli(args), runCli([...args, '--debug'])]);
    expect(plain.code).toBe(70);
    expect(plain.stderr).toBe('headroom: internal error: boom in a callback (--debug shows where)\n');
    expect(debug.code).toBe(70);
    expect(debug.stderr).toMatch(/TypeError: boom in a callback\n\s+at /);
  });
});

describe('progress where nobody watches a terminal', () => {
  it('prints a plain line every 10 s when stderr is not a TTY, and redraws a block in place on a TTY', () => {
    let clock = 0;
    const written: string[] = [];
    const plain = progressOn({ isTTY: false, write: (s: string) => written.push(s) > 0 }, true, () => clock);
    for (clock = 0; clock <= 25_000; clock += 1000) plain.update(`at ${clock}`);
    expect(written).toEqual(['at 10000\n', 'at 20000\n']);
    written.length = 0;
    const tty = progressOn({ isTTY: true, write: (s: string) => written.push(s) > 0 }, true, () => clock);
    tty.update('a');
    tty.update('b\nc\nd');
    tty.update('e');
    tty.done();
    // Back to the block's first line (up one line less than it has), erase to the end of the screen, draw.
    expect(written).toEqual(['\r\x1b[0Ja', '\r\x1b[0Jb\nc\nd', '\r\x1b[2A\x1b[0Je', '\r\x1b[0J']);
  });

  it('limits: Ctrl-C exits 130 and still prints and writes the partial result, in the same words', async () => {
    const out = path.join(dir, 'limits.json');
    const html = path.join(dir, 'limits.html');
    const child = spawn(
      process.execPath,
      [CLI, 'limits', server.url, '--step', '1s', '-o', out, '--html', html, '--no-progress'],
      { cwd: ROOT },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const result = JSON.parse(readFileSync(out, 'utf8')) as LimitsResult;
    expect(result).toMatchObject({ outcome: 'interrupted', stoppedIn: expect.any(String) });
    const headline = stdout.split('\n')[0]!.split('; bottleneck')[0]!;
    expect(headline).toMatch(/^interrupted during \w+/);
    expect(readFileSync(html, 'utf8')).toContain(headline.replace(/</g, '&lt;'));
  });
});
