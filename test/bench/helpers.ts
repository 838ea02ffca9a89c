/** Shared helpers for the bench tests: run the CLI from source, and build synthetic reports. */
import { spawnSync } from 'node:child_process';
import { fingerprint } from '../../src/bench/environment.js';
import { median } from '../../src/bench/statistics/index.js';
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

/**
 * A report with one benchmark per entry: `samples` in ns/op, and a heap B/op — either `heap` alone (as reports
 * written before per-batch B/op was recorded) or `heapSamples`, one array of batch B/op per process.
 */
export function syntheticReport(
  benchmarks: { name: string; samples: number[]; heap?: number | null; heapSamples?: number[][] }[],
  environment = fingerprint(),
): BenchReport {
  return {
    schema: 'headroom.bench/v1',
    createdAt: new Date().toISOString(),
    git: null,
    environment,
    settings: { timeMs: 1000, count: 10, clock: 'wall', pinnedCpu: null },
    benchmarks: benchmarks.map((b) => {
      const planned = { file: 'synthetic.bench.ts', name: b.name, tags: [] };
      const iterations = b.samples.map(() => 1000);
      if (b.heapSamples) {
        const [first, ...rest] = b.heapSamples.map((heapSamples, i) => ({
          samples: i === 0 ? b.samples : [],
          iterations: i === 0 ? iterations : [],
          heapBytesPerOp: median(heapSamples),
          heapSamples,
        }));
        return summarise(planned, [first!, ...rest]);
      }
      const { heapSamples: _none, ...result } = summarise(planned, [
        { samples: b.samples, iterations, heapBytesPerOp: null, heapSamples: [] },
      ]);
      return { ...result, heapBytesPerOp: b.heap === undefined ? 0 : b.heap };
    }),
    failures: [],
  };
}

/** `n` samples around `center` with a small deterministic spread (±1%). */
export function around(center: number, n = 10): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + ((i * 7) % 11) / 550 - 0.01));
}

export { root };
