/**
 * Reading and writing `headroom.bench/v1` files: validated on read (zod) so `compare` fails with one clear line on
 * a wrong or truncated file, and named `<UTC timestamp>-<git sha>.json` in an `--out-dir` so a history accumulates.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { BenchReport } from './types.js';

const interval = { median: z.number(), low: z.number(), high: z.number(), confidence: z.number() };

const reportSchema = z.object({
  schema: z.literal('headroom.bench/v1'),
  createdAt: z.string(),
  git: z.object({ sha: z.string(), dirty: z.boolean() }).nullable(),
  environment: z.object({
    node: z.string(),
    v8: z.string(),
    v8Flags: z.array(z.string()),
    cpu: z.string(),
    cpus: z.number(),
    os: z.string(),
  }),
  settings: z.object({
    timeMs: z.number(),
    count: z.number(),
    clock: z.enum(['wall', 'cpu']).default('wall'),
    pinnedCpu: z.number().nullable().default(null),
  }),
  benchmarks: z.array(
    z.object({
      name: z.string(),
      file: z.string(),
      tags: z.array(z.string()),
      samples: z.array(z.number()),
      iterations: z.array(z.number()),
      heapBytesPerOp: z.number().nullable(),
      heapSamples: z.array(z.array(z.number())).optional(),
      summary: z.object({ ...interval, opsPerSec: z.number() }),
    }),
  ),
  failures: z.array(z.object({ name: z.string(), file: z.string(), error: z.string() })),
});

/** Reads and validates a report. @throws UsageError naming the file and the first problem. */
export function readReport(path: string): BenchReport {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read ${path}: ${reason}`, { code: 'unreadable-file' });
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'file';
    throw new UsageError(
      `${path} is not a headroom.bench/v1 report (${where}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data as BenchReport;
}

/** Writes a report as pretty JSON, creating the directory. */
export function writeReport(path: string, report: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** `<dir>/<UTC timestamp>-<short sha>.json`, e.g. `bench-results/20261123T142748Z-35463ca.json`. */
export function historyPath(dir: string, report: BenchReport): string {
  const stamp = report.createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const sha = report.git ? `${report.git.sha.slice(0, 7)}${report.git.dirty ? '-dirty' : ''}` : 'nogit';
  return join(dir, `${stamp}-${sha}.json`);
}
