import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { cpuQuota, resolveWorkers } from '../../src/service/index.js';
import { constantLoad, spawnFixture } from './fixture-process.js';
import { get, waitFor } from './helpers.js';

describe('service process', () => {
  it('stops on bad config with one clear line naming the variable, exit 2', async () => {
    const child = spawnFixture({ PORT: 'eighty', REQUEST_TIMEOUT: '10s' });
    expect(await child.exit).toBe(2);
    expect(child.stderr).toEqual(['fixture: invalid PORT: expected an integer 0-65535, got "eighty"']);
    const other = spawnFixture({ REQUEST_TIMEOUT: 'forever' });
    expect(await other.exit).toBe(2);
    expect(other.stderr).toEqual([
      'fixture: invalid REQUEST_TIMEOUT: expected a duration such as 500ms, 10s, 2m, got "forever"',
    ]);
    const open = spawnFixture({ APP_ENV: 'production', ADMIN_HOST: '0.0.0.0' });
    expect(await open.exit).toBe(2);
    expect(open.stderr).toEqual([
      expect.stringMatching(/^fixture: invalid ADMIN_HOST: "0.0.0.0" is not loopback/),
    ]);
  });

  it('a port in use: one error line naming the cause (flushed from the buffered stdout), exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const child = spawnFixture({ PORT: String((blocker.address() as { port: number }).port) });
      expect(await child.exit).toBe(1);
      const line = child.lines.find((l) => l.msg === 'cannot listen') as { err?: { code?: string } };
      expect(line?.err?.code).toBe('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });

  it('SIGTERM under constant load: readyz fails first, every accepted request completes, exit 0', async () => {
    const child = spawnFixture({ DRAIN_DELAY: '300ms', SHUTDOWN_TIMEOUT: '5s' });
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = String(listening.url);
      const adminUrl = String(listening.adminUrl);
      expect((await get(`${adminUrl}/readyz`)).status).toBe(200);

      const load = constantLoad(`${url}/work`, 16);
      await new Promise((resolve) => setTimeout(resolve, 700));
      child.proc.kill('SIGTERM');
      // Within the drain delay (the listener still accepts), readiness already fails.
      let readyStatus = 200;
      const signalled = Date.now();
      while (readyStatus === 200 && Date.now() - signalled < 250) {
        readyStatus = (await get(`${adminUrl}/readyz`)).status;
      }
      expect(readyStatus).toBe(503);
      const code = await child.exit;
      await load.stop();

      expect(code).toBe(0);
      const served = child.lines.filter((l) => l.msg === 'request');
      expect(served.length).toBeGreaterThan(50);
      // Requests kept being accepted and served during the drain delay.
      const shuttingDown = child.lines.findIndex((l) => l.msg === 'shutting down');
      expect(shuttingDown).toBeGreaterThan(0);
      expect(child.lines.slice(shuttingDown).filter((l) => l.msg === 'request').length).toBeGreaterThan(0);
      // Every request the server accepted was answered 200 and reached the client; the only client errors are
      // connections refused/reset after the listener closed (never accepted).
      expect(served.every((l) => l.status === 200)).toBe(true);
      expect(load.result.failedStatuses).toEqual([]);
      expect(load.result.ok).toBe(served.length);
      expect(child.stderr).toContain('onClose called');
      expect(child.lines.some((l) => l.msg === 'shut down')).toBe(true);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });

  it('LOG_FORMAT=pretty writes human lines (request ids included) and flushes them on shutdown', async () => {
    const child = spawnFixture({ LOG_FORMAT: 'pretty' });
    try {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours
      const plain = () => child.stdout.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
      const url = await waitFor(() => /url: "(http:\/\/[^"]+)"/.exec(plain())?.[1], 20_000);
      expect(child.lines.every((l) => 'raw' in l)).toBe(true); // no JSON lines
      expect(plain()).toMatch(/INFO.*listening/);
      expect((await get(`${url}/work`, { headers: { 'x-request-id': 'pretty-1' } })).status).toBe(200);
      child.proc.kill('SIGTERM');
      expect(await child.exit).toBe(0);
      expect(plain()).toMatch(/INFO.*: request\n(\s+\w+: .*\n)*\s+reqId: "pretty-1"/);
      expect(plain()).toMatch(/shut down/);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });
});

describe('workers', () => {
  it('WORKERS=2: shared public port; the admin port sums /metrics, lists /debug/vars per worker, forwards pprof and trace; SIGTERM drains both', async () => {
    const child = spawnFixture({ WORKERS: '2', DRAIN_DELAY: '200ms', ADMIN_TOKEN: 't0ken' });
    try {
      const workers = await waitFor(() => {
        const lines = child.lines.filter((l) => l.msg === 'listening');
        return lines.length === 2 ? lines : undefined;
      }, 30_000);
      expect(new Set(workers.map((l) => l.pid)).size).toBe(2);
      expect(workers[0]?.url).toBe(workers[1]?.url); // one shared public port
      const adminUrl = String(child.lines.find((l) => l.msg === 'cluster admin listening')?.adminUrl);
      const result = await load({
        url: `${workers[0]?.url}/work`,
        connections: 8,
        threads: 1,
        requests: 400,
      });
      expect(result.requests.errors).toBe(0);
      const served = (text: string) =>
        text
          .split('\n')
          .filter((l) => l.startsWith('http_requests_total{') && l.includes('route="/work"'))
          .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      // Each worker's private admin port counts its own share; the shared admin port counts them all.
      const perWorker = await Promise.all(
        workers.map(async (w) => served(String((await get(`${w.adminUrl}/metrics`)).body))),
      );
      expect(perWorker.every((n) => n > 0)).toBe(true);
      expect(served(String((await get(`${adminUrl}/metrics`)).body))).toBe(result.status['2xx']);
      expect(perWorker[0]! + perWorker[1]!).toBe(result.status['2xx']);

      // ADMIN_TOKEN guards /debug/* on the primary and is forwarded to the workers.
      expect((await get(`${adminUrl}/debug/vars`)).status).toBe(401);
      const auth = { headers: { authorization: 'Bearer t0ken' } };
      const vars = (await get(`${adminUrl}/debug/vars`, auth)).body as {
        workers: { worker: number; pid: number }[];
      };
      expect(vars.workers.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
      const second = vars.workers[1]!;
      expect(
        ((await get(`${adminUrl}/debug/vars?worker=${second.worker}`, auth)).body as { pid: number }).pid,
      ).toBe(second.pid);
      const heap = await fetch(`${adminUrl}/debug/pprof/heap?worker=${second.worker}`, auth);
      expect(heap.status).toBe(200);
      expect(Buffer.from(await heap.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // gzip
      expect((await get(`${adminUrl}/debug/pprof/heap?worker=99`, auth)).status).toBe(400);
      // Each worker records its trace into its own file (workers share the working directory).
      for (const w of vars.workers) {
        const trace = await get(`${adminUrl}/debug/trace?seconds=0.2&worker=${w.worker}`, auth);
        expect(trace.status).toBe(200);
        const pids = new Set(
          (trace.body as { traceEvents: { pid: number }[] }).traceEvents.map((e) => e.pid),
        );
        expect(pids).toEqual(new Set([w.pid]));
      }
      expect((await get(`${adminUrl}/readyz`)).body).toMatchObject({ status: 'ready', workers: [{}, {}] });

      const steady = constantLoad(`${workers[0]?.url}/work`, 8);
      await waitFor(() => (steady.result.pids.size === 2 ? true : undefined), 10_000);
      child.proc.kill('SIGTERM');
      expect(await child.exit).toBe(0);
      await steady.stop();
      expect(steady.result.failedStatuses).toEqual([]);
      expect(child.lines.filter((l) => l.msg === 'shut down')).toHaveLength(2);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });

  it('stops (exit 1) instead of re-forking forever when workers cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    try {
      const child = spawnFixture({ WORKERS: '2', PORT: port });
      const code = await Promise.race([child.exit, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      child.proc.kill('SIGKILL');
      expect(code).toBe(1);
      expect(child.stderr.some((l) => l.includes('before listening; stopping'))).toBe(true);
      expect(child.lines.filter((l) => l.msg === 'cannot listen').length).toBeLessThanOrEqual(2);
    } finally {
      blocker.close();
    }
  });

  it('reads the cgroup v2 cpu.max quota like automaxprocs', () => {
    expect(cpuQuota('max 100000')).toBeUndefined();
    expect(cpuQuota('max')).toBeUndefined();
    expect(cpuQuota('200000 100000')).toBe(2);
    expect(cpuQuota('150000 100000\n')).toBe(1);
    expect(cpuQuota('50000 100000')).toBe(1);
    expect(cpuQuota('400000 50000')).toBe(8);
    expect(cpuQuota('')).toBeUndefined();
    expect(cpuQuota('abc 100000')).toBeUndefined();
    expect(cpuQuota('100000 0')).toBeUndefined();
    expect(cpuQuota('-1 100000')).toBeUndefined();
  });

  it('resolves WORKERS: N as is; auto from the quota file, capped by the CPU count, else the CPU count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-max-'));
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const cpus = availableParallelism();
    try {
      expect(resolveWorkers(3)).toBe(3);
      expect(resolveWorkers('auto', file('one', '100000 100000\n'))).toBe(1);
      expect(resolveWorkers('auto', file('many', '6400000 100000\n'))).toBe(cpus);
      expect(resolveWorkers('auto', file('unlimited', 'max 100000\n'))).toBe(cpus);
      expect(resolveWorkers('auto', join(dir, 'missing'))).toBe(cpus);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
