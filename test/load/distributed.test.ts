/**
 * One run over several machines: real agent processes of the built CLI (`headroom load --segment k/4
 * --start-at T`), a real server, and `headroom merge`.
 *
 * Interleaving: request j of the single-generator schedule is intended at T + j/R. Agent k sends j ≡ k (mod 4),
 * so its requests arrive on its slots, k/R into each of its periods 4/R (plus a transport delay); four agents that
 * each ran their own schedule would all arrive on agent 0's slots, in bursts of four.
 *
 * Stalls: the server stalls 500 ms every 2 s (analytic open-model p99 480 ms, derived in honesty.test.ts): the
 * merged p99 of four agents must be within 10% of the analytic value.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectResults, livePusher, load, mergeResults, pushResult } from '../../src/load/index.js';
import { toLivePush } from '../../src/load/live.js';
import { partitionRows } from '../../src/load/scenario/data-files.js';
import { compileVar } from '../../src/load/scenario/vars.js';
import type { LoadResult, LoadSecond, RunIdentity } from '../../src/load/types.js';
import { tempDir } from '../support/temp-dir.js';
import { CLI, closedPortUrl, httpServer, ROOT, runCli, type TestServer } from './helpers.js';

const AGENTS = 4;
/**
 * Time for four agent processes to start (node, the CLI's imports, the thread and its connections) on a busy 2-core
 * machine: they were ready 0.7–1.0 s after being spawned together, 1.0–1.3 s with two CPU hogs on both cores (an
 * agent ready after --start-at warns and misses its first requests: the count check fails).
 */
const START_LEAD_MS = 5_000;
const dir = tempDir('dist');

/** Runs `AGENTS` agent processes with one --start-at; resolves with their result files once all exited 0. */
async function runAgents(url: string, args: (k: number) => string[]): Promise<string[]> {
  const startAt = String(Date.now() + START_LEAD_MS);
  const files = Array.from({ length: AGENTS }, (_, k) => path.join(dir, `agent-${k}-${startAt}.json`));
  const exits = files.map(
    (file, k) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            CLI,
            'load',
            url,
            '--segment',
            `${k}/${AGENTS}`,
            '--start-at',
            startAt,
            '-t',
            '1',
            ...args(k),
          ].concat(['--no-progress', '-o', file]),
          { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code: code ?? -1, stderr }));
      }),
  );
  for (const exit of await Promise.all(exits)) expect(exit.code, exit.stderr).toBe(0);
  return files;
}

/** Starts `headroom collect` on an ephemeral port; resolves once it listens, with its URL and its whole run. */
async function startCollector(
  agents: number,
): Promise<{ url: string; done: Promise<{ code: number; stdout: string; stderr: string }> }> {
  const child = spawn(
    process.execPath,
    [CLI, 'collect', '--listen', '127.0.0.1:0', '--expect', String(agents), '--json'],
    {
      cwd: ROOT,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const listening = /collecting \d+ results on (\S+)/.exec(stderr);
      if (listening) resolve(listening[1] as string);
    });
    void done.then(() => reject(new Error(`collect exited before listening: ${stderr}`)));
  });
  return { url, done };
}

async function merge(files: string[], ...args: string[]): Promise<LoadResult> {
  const run = await runCli(['merge', ...files, '--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as LoadResult;
}

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as LoadResult;

/** The run a result belongs to. */
const identity = ({ target, model, protocol, startedAt, segment }: LoadResult): RunIdentity => ({
  target,
  model,
  protocol,
  startedAt,
  ...(segment ? { segment } : {}),
});

/**
 * The share of `times` that arrive within [−1, +5) ms of a slot `origin + offsetMs + m·periodMs`: sends that kept
 * their schedule (timers fire late, never much early; a busy machine delays a few).
 */
function onSlot(times: number[], origin: number, offsetMs: number, periodMs: number): number {
  const hits = times.filter((t) => {
    const r = (((t - origin - offsetMs) % periodMs) + periodMs) % periodMs;
    return r < 5 || r >= periodMs - 1;
  });
  return hits.length / times.length;
}

describe('four agents, one --start-at, a server that stalls 500 ms every 2 s', () => {
  const RATE = 100;
  const DURATION_S = 4;
  const STALL_MS = 500;
  const PERIOD_MS = 2000;
  const ANALYTIC_P99 = STALL_MS * (1 - 0.01 / (STALL_MS / PERIOD_MS));
  /** Arrival time (epoch ms) and agent of every request. */
  const arrivals: { at: number; agent: number }[] = [];
  let server: TestServer;
  let files: string[];
  let merged: LoadResult;
  let collected: { code: number; stdout: string; stderr: string };
  let startAt: number;

  beforeAll(async () => {
    // The server stalls by holding every response that arrives in the first 500 ms of each 2 s until the stall
    // ends; its event loop stays free, so arrival times are exact even in a stall. 64 connections, each due
    // every 64/100 s = 640 ms > 500 ms, never queue behind a held response: requests arrive on schedule.
    const origin = performance.now();
    // Arrival times on the wall clock the agents' --start-at is on, at sub-millisecond resolution.
    const wallOffset = Date.now() - (performance.timeOrigin + performance.now());
    server = await httpServer((req, res) => {
      const now = performance.now();
      arrivals.push({ at: performance.timeOrigin + now + wallOffset, agent: Number(req.headers['x-agent']) });
      const intoPeriod = (now - origin) % PERIOD_MS;
      if (intoPeriod < STALL_MS) setTimeout(() => res.end('late'), STALL_MS - intoPeriod);
      else res.end('ok');
    });
    // The agents also push their results to a collector, started first on a port of its own.
    const collector = await startCollector(AGENTS);
    files = await runAgents(server.url, (k) => [
      '--push',
      collector.url,
      '-R',
      String(RATE),
      '-c',
      '64',
      '-d',
      `${DURATION_S}s`,
      '-H',
      `x-agent: ${k}`,
    ]);
    startAt = Date.parse(read(files[0] as string).startedAt);
    merged = await merge(files);
    collected = await collector.done;
  });
  afterAll(() => server.close());

  it('sends the single-generator schedule: the total count, interleaved in time, not bunched', () => {
    const expected = RATE * DURATION_S;
    expect(Math.abs(merged.requests.sent - expected)).toBeLessThanOrEqual(0.01 * expected);
    expect(arrivals.length).toBe(merged.requests.completed);
    expect(merged.requests.errors).toBe(0);
    expect(merged.throughput.offeredRps).toBe(RATE);
    expect(merged.connections).toBe(64);
    for (const f of files) expect(read(f).startedAt).toBe(new Date(startAt).toISOString());

    // Agent k's slots are k global intervals (10 ms) into each of its 40-ms periods: most of its arrivals sit
    // there, not at agent 0's instants (N aligned bursts would put every agent there).
    const globalMs = 1000 / RATE;
    const periodMs = AGENTS * globalMs;
    const shares = Array.from({ length: AGENTS }, (_, k) => {
      const times = arrivals.filter((a) => a.agent === k).map((a) => a.at);
      return {
        own: onSlot(times, startAt, k * globalMs, periodMs),
        agent0: onSlot(times, startAt, 0, periodMs),
      };
    });
    console.log(
      `arrivals on their own slots / on agent 0's: ${shares.map((s) => `${s.own.toFixed(2)}/${s.agent0.toFixed(2)}`).join(', ')}`,
    );
    for (const [k, share] of shares.entries()) {
      expect(share.own, `agent ${k}`).toBeGreaterThan(0.5);
      if (k > 0) expect(share.agent0, `agent ${k}`).toBeLessThan(0.2);
    }
  });

  it('merges exactly: the percentiles of every sample, the stalls’ p99 within 10% of the analytic value', () => {
    const all = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    for (const f of files) all.add(hdr.decodeFromCompressedBase64(read(f).histograms.latency, 64, false));
    expect(all.totalCount).toBe(merged.requests.completed);
    expect(merged.latencyMs.p50).toBe(all.getValueAtPercentile(50) / 1000);
    expect(merged.latencyMs.p99).toBe(all.getValueAtPercentile(99) / 1000);
    expect(merged.latencyMs.p999).toBe(all.getValueAtPercentile(99.9) / 1000);
    console.log(
      `analytic p99 ${ANALYTIC_P99}ms; merged p99 of 4 agents (-R ${RATE} in all) ${merged.latencyMs.p99}ms`,
    );
    expect(Math.abs(merged.latencyMs.p99 - ANALYTIC_P99)).toBeLessThanOrEqual(0.1 * ANALYTIC_P99);
    // Per-second timeline: aligned by second, every agent's per-second samples in exactly one merged point.
    expect(merged.timeline.map((p) => Math.round(p.t))).toEqual([1, 2, 3, 4]);
    const count = (encoded: string[]) =>
      encoded.reduce((n, h) => n + hdr.decodeFromCompressedBase64(h, 64, false).totalCount, 0);
    const agentsPerSecond = files.reduce((n, f) => n + count(read(f).histograms.timeline), 0);
    expect(count(merged.histograms.timeline)).toBe(agentsPerSecond);
    expect(merged.agents?.map((a) => a.segment?.index)).toEqual([0, 1, 2, 3]);
  });

  it('collects the pushed results into the same merged result', () => {
    expect(collected.code, collected.stderr).toBe(0);
    for (let k = 0; k < AGENTS; k++) expect(collected.stderr).toMatch(new RegExp(`received segment ${k}/4 `));
    expect(collected.stderr).toMatch(/: 4 of 4\n/);
    const { live, ...pushed } = JSON.parse(collected.stdout) as LoadResult;
    expect({ ...pushed, generator: null }).toEqual({ ...merged, generator: null });
    expect(live).toBeDefined();
  });

  it('receives every agent’s seconds while the run goes on and merges them exactly by second', () => {
    const { live } = JSON.parse(collected.stdout) as LoadResult;
    if (!live) throw new Error('no live summary');
    // Live: the collector saw all four agents report before the first final result arrived.
    const reporting = collected.stderr.indexOf('live: 4 of 4 agents reporting (second ');
    expect(reporting, collected.stderr).toBeGreaterThanOrEqual(0);
    expect(reporting).toBeLessThan(collected.stderr.indexOf('received segment'));
    expect(live.agents).toBe(AGENTS);
    expect(live.pushes).toBe(AGENTS * DURATION_S);
    // Each live second is the merged result's timeline second: the same samples, hence the same exact p99.
    const perSecond = merged.histograms.timeline.map(
      (h) => hdr.decodeFromCompressedBase64(h, 64, false).totalCount,
    );
    expect(live.seconds.map((s) => s.t)).toEqual([1, 2, 3, 4]);
    expect(live.seconds.map((s) => s.agents)).toEqual([4, 4, 4, 4]);
    expect(live.seconds.map((s) => s.completed)).toEqual(perSecond);
    expect(live.seconds.map((s) => s.p99Ms)).toEqual(merged.timeline.map((p) => p.p99Ms));
    // The seconds sum to the run: every request sent in the window, every response but the few drained after it.
    const sum = (key: 'sent' | 'completed' | 'errors') => live.seconds.reduce((n, s) => n + s[key], 0);
    expect(sum('completed')).toBe(live.completed);
    expect(live.completed).toBe(perSecond.reduce((a, b) => a + b, 0));
    expect(sum('sent')).toBe(merged.requests.sent);
    expect(live.sent).toBe(merged.requests.sent);
    expect(merged.requests.completed - live.completed).toBeLessThanOrEqual(64);
    expect(sum('errors')).toBe(0);
  });

  it('a collector refuses a result of another run, accepts a retried push once, and stops at its timeout', async () => {
    let url = '';
    let listening: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const collecting = collectResults({
      host: '127.0.0.1',
      port: 0,
      expect: AGENTS,
      timeoutMs: 1500,
      onListening: (u) => {
        url = u;
        listening();
      },
    });
    await ready;
    const [first, second] = files.map(read) as [LoadResult, LoadResult];
    await pushResult(url, first);
    await pushResult(url, first);
    await expect(pushResult(url, { ...second, target: 'http://10.0.0.1/' })).rejects.toThrow(
      /refused the result: cannot merge results of different runs: .* has target/,
    );
    // A live second: of this run accepted, of another run (another target, another start) refused with 409.
    const liveSecond = (run: Partial<RunIdentity>) =>
      fetch(url, {
        method: 'POST',
        body: JSON.stringify(
          toLivePush({
            run: { ...identity(second), ...run },
            t: 1,
            seconds: 1,
            at: startAt + 1000,
            durationS: 4,
            sent: 25,
            completed: 25,
            errors: 0,
            errorsByKind: {},
            latency: second.histograms.timeline[0] as string,
          }),
        ),
      });
    expect((await liveSecond({})).status).toBe(202);
    const otherTarget = await liveSecond({ target: 'http://10.0.0.1/' });
    expect(otherTarget.status).toBe(409);
    expect(await otherTarget.text()).toMatch(/cannot merge results of different runs: .* has target/);
    const otherStart = await liveSecond({ startedAt: new Date(startAt + 60_000).toISOString() });
    expect(otherStart.status).toBe(409);
    expect((await fetch(url, { method: 'POST', body: '{"schema":"headroom.live/v1"}' })).status).toBe(400);
    const outcome = await collecting;
    expect(outcome.complete).toBe(false);
    expect(outcome.results.map((r) => r.result.segment?.index)).toEqual([0]);
    expect(outcome.live?.pushes).toBe(1);
    expect(outcome.live?.seconds.map((s) => [s.t, s.agents, s.completed])).toEqual([[1, 1, 25]]);
  });

  it('an agent whose collector is down or refuses says so once and goes on', async () => {
    const second = read(files[0] as string);
    const loadSecond = (t: number): LoadSecond => ({
      run: identity(second),
      t,
      seconds: 1,
      at: startAt + t * 1000,
      durationS: 4,
      sent: 1,
      completed: 1,
      errors: 0,
      errorsByKind: {},
      latency: second.histograms.timeline[0] as string,
    });
    const down: string[] = [];
    const toDown = livePusher(await closedPortUrl(), (m) => down.push(m));
    for (let t = 1; t <= 3; t++) toDown.push(loadSecond(t));
    await toDown.close(3000);
    expect(down).toHaveLength(1);
    expect(down[0]).toMatch(/cannot push live seconds to .*ECONNREFUSED.*the run goes on/);
    const refusing = await httpServer((_req, res) => res.writeHead(409).end('another run'));
    try {
      const refused: string[] = [];
      const toRefusing = livePusher(refusing.url, (m) => refused.push(m));
      for (let t = 1; t <= 3; t++) toRefusing.push(loadSecond(t));
      await toRefusing.close(3000);
      expect(refused).toEqual([
        `the collector at ${refusing.url} refused a live second: another run (no more are sent)`,
      ]);
    } finally {
      await refusing.close();
    }
  });

  it('judges thresholds on the merged result and refuses results of different runs', async () => {
    const variant = (name: string, change: (r: LoadResult) => void) => {
      const r = read(files[1] as string);
      change(r);
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(r));
      return file;
    };
    const refusals: [string, RegExp][] = [
      [variant('target.json', (r) => (r.target = 'http://10.0.0.1/')), /target/],
      [variant('count.json', (r) => (r.segment = { index: 1, count: 8 })), /segment 0\/4.*1\/8/],
      [variant('start.json', (r) => (r.startedAt = new Date(startAt + 5000).toISOString())), /--start-at/],
      [files[0] as string, /both segment 0\/4/],
    ];
    const [breached, partial, ...refused] = await Promise.all([
      runCli(['merge', ...files, '--threshold', 'p99<100ms', '--threshold', 'errors<1%']),
      runCli(['merge', ...files.slice(0, 3)]),
      ...refusals.map(([file]) => runCli(['merge', files[0] as string, file])),
    ]);
    expect(breached?.code).toBe(1);
    expect(breached?.stdout).toMatch(/✗ threshold p99<100ms/);
    expect(breached?.stdout).toMatch(/✓ threshold errors<1%/);
    expect(partial?.code).toBe(0);
    expect(partial?.stdout).toMatch(/3 of 4 segments merged \(missing 3\)/);
    refused.forEach((run, i) => {
      const [file, message] = refusals[i] as [string, RegExp];
      expect(run.code, file).toBe(2);
      expect(run.stderr.trim().split('\n'), file).toHaveLength(1);
      expect(run.stderr, file).toMatch(message);
    });
  });
});

describe('segments split the closed model and the data', () => {
  it('splits -c and -n as evenly as possible (totals over the agents)', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    try {
      const parts = await Promise.all(
        [0, 1].map((index) =>
          load({ url: server.url, connections: 5, requests: 7, threads: 1, segment: { index, count: 2 } }),
        ),
      );
      expect(parts.map((r) => r.connections)).toEqual([3, 2]);
      expect(parts.map((r) => r.requests.sent)).toEqual([4, 3]);
      expect(parts.map((r) => r.segment)).toEqual([
        { index: 0, count: 2 },
        { index: 1, count: 2 },
      ]);
    } finally {
      await server.close();
    }
  });

  it('merges histograms, not percentiles: one slow agent of two', async () => {
    const server = await httpServer((req, res) => {
      if (req.headers['x-agent'] === '0') setTimeout(() => res.end('slow'), 50);
      else res.end('ok');
    });
    try {
      const startAt = Date.now() + 300;
      const parts = await Promise.all(
        [0, 1].map((index) =>
          load({
            url: server.url,
            rate: 400,
            connections: 8,
            threads: 1,
            duration: '1s',
            headers: { 'x-agent': String(index) },
            segment: { index, count: 2 },
            startAt,
          }),
        ),
      );
      const merged = mergeResults(parts.map((result, i) => ({ source: `agent ${i}`, result })));
      // Half the samples take 50 ms or more: the p90 of all samples is one of them, whatever the fast agent's is.
      expect(merged.requests.completed).toBe(parts.reduce((n, p) => n + p.requests.completed, 0));
      expect(merged.latencyMs.p90).toBeGreaterThanOrEqual(50);
      expect(merged.latencyMs.p90).toBeGreaterThanOrEqual(parts[0]?.latencyMs.p50 ?? 0);
      const all = hdr.build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
      for (const p of parts) all.add(hdr.decodeFromCompressedBase64(p.histograms.latency, 64, false));
      expect(merged.latencyMs.p50).toBe(all.getValueAtPercentile(50) / 1000);
    } finally {
      await server.close();
    }
  });

  it('partitions data-file rows and keeps sequences unique over every agent and thread', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ user: `u${i}` }));
    const users = [0, 1, 2].map(
      (index) => partitionRows(new Map([['users', rows]]), { index, count: 3 }).get('users') ?? [],
    );
    expect(users.map((part) => part.map((r) => r.user))).toEqual([
      ['u0', 'u3', 'u6', 'u9'],
      ['u1', 'u4', 'u7'],
      ['u2', 'u5', 'u8'],
    ]);
    const seen = new Set<unknown>();
    for (const [index, threads] of [
      [0, 2],
      [1, 1],
      [2, 3],
    ] as const) {
      for (let t = 0; t < threads; t++) {
        const seq = compileVar('n', { seq: 1 }, new Map(), { index: t, count: threads }, { index, count: 3 });
        for (let i = 0; i < 20; i++) seen.add(seq.next(0));
      }
    }
    expect(seen.size).toBe(6 * 20);
    expect(() => partitionRows(new Map([['users', rows.slice(0, 2)]]), { index: 0, count: 3 })).toThrow(
      /2 rows, fewer than the 3 segments/,
    );
  });

  it('rejects a bad segment, a start time in the past, a bad collector URL or address (exit 2, one line)', async () => {
    const load = (...args: string[]) => ['load', 'http://127.0.0.1:1/', '-d', '1s', ...args];
    const bad = [
      load('--segment', '4/4'),
      load('--segment', 'a/4'),
      load('--start-at', String(Date.now() - 5000)),
      load('--start-at', 'tomorrow'),
      load('--push', 'ftp://collector/'),
      ['collect', '--listen', 'collector', '--expect', '4'],
      ['collect', '--listen', ':0'],
      load('--start-at', '2020-01-01T00:00:00Z'),
    ];
    const runs = await Promise.all(bad.map((args) => runCli(args)));
    runs.forEach((run, i) => {
      expect(run.code, bad[i]?.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), bad[i]?.join(' ')).toHaveLength(1);
    });
    const past = runs[bad.length - 1] as { stderr: string };
    expect(past.stderr).toMatch(/--start-at: 2020-01-01T00:00:00.000Z is \d+\.\ds in the past/);
  });
});
