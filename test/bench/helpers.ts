/** Shared helpers for the bench tests: run the CLI from source, and build synthetic reports. */
import { spawnSync } from 'node:child_process';
import { fingerprint } from '../../src/bench/environment.js';
import { summarise } from '../../src/bench/summarise.js';
import type { BenchReport } from '../../src/bench/types.js';

const root = new URL('../../', import.meta.url).pathname;

/** Runs `headroom …` (from src, via tsx) and returns its exit code and output. */
export function headroom(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${root}src/cli/main.ts`, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A report with one benchmark per entry: `samples` in ns/op and a heap B/op. */
export function syntheticReport(
  benchmarks: { name: string; samples: number[]; heap?: number | null }[],
  environment = fingerprint(),
): BenchReport {
  return {
    schema: 'headroom.bench/v1',
    createdAt: new Date().toISOString(),
    git: null,
    environment,
    settings: { timeMs: 1000, count: 10, clock: 'wall', pinnedCpu: null },
    benchmarks: benchmarks.map((b) => ({
      ...summarise({ file: 'synthetic.bench.ts', name: b.name, tags: [] }, [
        { samples: b.samples, iterations: b.samples.map(() => 1000), heapBytesPerOp: b.heap ?? 0 },
      ]),
      heapBytesPerOp: b.heap === undefined ? 0 : b.heap,
    })),
    failures: [],
  };
}

/** `n` samples around `center` with a small deterministic spread (±1%). */
export function around(center: number, n = 10): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + ((i * 7) % 11) / 550 - 0.01));
}

export { root };
