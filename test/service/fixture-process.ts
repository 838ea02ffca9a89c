/** Test helpers: the service fixture as a real process, and closed-loop keep-alive clients to load it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { get } from './helpers.js';

const FIXTURE = 'test/service/fixtures/service-fixture.ts';

/** A spawned fixture process with its output captured. */
export interface Child {
  proc: ChildProcess;
  /** stdout lines, parsed when they are JSON. */
  lines: Record<string, unknown>[];
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

/** Spawns a fixture service (default the `/work` one; PORT=0, ADMIN_PORT=0 on 127.0.0.1) with `env` on top. */
export function spawnFixture(env: Record<string, string>, fixture = FIXTURE): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    stdout.push(line);
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ raw: line });
    }
  });
  createInterface({ input: proc.stderr! }).on('line', (line) => stderr.push(line));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, stdout, stderr, exit };
}

/** Runs `loops` closed-loop clients against `url` until `stop()`; counts 200s, other statuses and refusals. */
export function constantLoad(url: string, loops: number) {
  let stopped = false;
  const result = {
    ok: 0,
    failedStatuses: [] as number[],
    connectionErrors: [] as string[],
    pids: new Set<number>(),
  };
  const loop = async () => {
    while (!stopped) {
      try {
        const res = await get(url);
        if (res.status === 200) {
          result.ok++;
          result.pids.add((res.body as { pid: number }).pid);
        } else result.failedStatuses.push(res.status);
      } catch (error) {
        result.connectionErrors.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  const running = Array.from({ length: loops }, loop);
  return {
    result,
    stop: async () => {
      stopped = true;
      await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}
