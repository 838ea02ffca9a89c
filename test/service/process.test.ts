import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { cpuQuota, resolveWorkers } from '../../src/service/index.js';

const FIXTURE = 'test/service/fixtures/service-fixture.ts';

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  exit: Promise<number | null>;
}

function spawnFixture(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ raw: line });
    }
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => stderr.push(line));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, stderr, exit };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('service process', () => {
  it('stops on bad config with one clear line naming the variable, exit 2', async () => {
    const child = spawnFixture({ PORT: 'eighty', REQUEST_TIMEOUT: '10s' });
    expect(await child.exit).toBe(2);
    expect(child.stderr).toEqual(['fixture: invalid PORT: expected an integer 0-65535, got "eighty"']);
  });

  it('SIGTERM under constant load: readyz fails first, every accepted request completes, exit 0', async () => {
    const child = spawnFixture({ DRAIN_DELAY: '300ms', SHUTDOWN_TIMEOUT: '5s' });
    try {
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'), 20_000);
      const url = String(listening.url);
      const adminUrl = String(listening.adminUrl);
      expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);

      let stop = false;
      let ok = 0;
      const failedStatuses: number[] = [];
      const connectionErrors: string[] = [];
      const loop = async () => {
        while (!stop) {
          try {
            const res = await fetch(`${url}/work`);
            await res.text();
            if (res.status === 200) ok++;
            else failedStatuses.push(res.status);
          } catch (error) {
            connectionErrors.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      };
      const loops = Array.from({ length: 16 }, loop);
      await new Promise((resolve) => setTimeout(resolve, 700));
      child.proc.kill('SIGTERM');
      // Within the drain delay (the listener still accepts), readiness already fails.
      let readyStatus = 200;
      const signalled = Date.now();
      while (readyStatus === 200 && Date.now() - signalled < 250) {
        readyStatus = (await fetch(`${adminUrl}/readyz`)).status;
      }
      expect(readyStatus).toBe(503);
      const code = await child.exit;
      stop = true;
      await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 5000))]);

      expect(code).toBe(0);
      const served = child.lines.filter((l) => l.msg === 'request');
      expect(served.length).toBeGreaterThan(50);
      // Every request the server accepted was answered 200 and reached the client; the only client errors are
      // connections refused/reset after the listener closed (never accepted).
      expect(served.every((l) => l.status === 200)).toBe(true);
      expect(failedStatuses).toEqual([]);
      expect(ok).toBe(served.length);
      expect(child.stderr).toContain('onClose called');
      expect(child.lines.some((l) => l.msg === 'shut down')).toBe(true);
    } finally {
      child.proc.kill('SIGKILL');
    }
  });
});

describe('workers', () => {
  it('reads the cgroup cpu.max quota like automaxprocs', () => {
    expect(cpuQuota('max 100000')).toBeUndefined();
    expect(cpuQuota('200000 100000')).toBe(2);
    expect(cpuQuota('150000 100000')).toBe(1);
    expect(cpuQuota('50000 100000')).toBe(1);
    expect(resolveWorkers(3)).toBe(3);
    expect(resolveWorkers('auto', '/nonexistent/cpu.max')).toBeGreaterThanOrEqual(1);
  });
});
