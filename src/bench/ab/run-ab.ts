/**
 * `headroom bench ab --base <ref>`: the honest CI gate for timings. Timings only compare within one job on one
 * machine, so both sides are measured here: the base ref is checked out in a temporary worktree (dependencies linked,
 * not reinstalled), both trees are built, and every benchmark runs `rounds` times as a pair of fresh processes —
 * one base, one head — whose samples are taken in lockstep (A B A B …), so drift and noisy neighbours hit both sides
 * alike; several rounds capture the process-to-process (JIT) variation. Samples are pooled per side and compared
 * with `compareReports`.
 */
import { join, relative } from 'node:path';
import { UsageError } from '../../errors.js';
import type { ClockKind } from '../clock.js';
import { type CompareOptions, type CompareResult, compareReports } from '../compare.js';
import type { Measurement } from '../measure.js';
import { type PlannedBench, planBenchmarks, type Selection } from '../plan.js';
import { type BenchProgress, newReport } from '../run.js';
import { measureInterleaved } from '../sampling.js';
import { summarise } from '../summarise.js';
import type { BenchReport } from '../types.js';
import { shell } from './git.js';
import { createWorktree, repoRoot } from './worktree.js';

/** Options of an A/B run. */
export interface AbOptions extends Selection, Omit<CompareOptions, 'paired'> {
  /** Git ref of the base (A). */
  base: string;
  timeMs: number;
  /** Clock timing the batches (default `wall`). */
  clock?: ClockKind;
  /** Confine the benchmark processes to one CPU where the OS allows (default true). */
  pin?: boolean;
  /** Samples per side in total, split across the rounds. */
  count: number;
  /** Alternating processes per side and benchmark. */
  rounds: number;
  /** Shell command to build each tree, or null for none. */
  build: string | null;
  onProgress?: (event: BenchProgress) => void;
  /** Stops the run (Ctrl-C): no benchmark starts after it; the comparison covers the benchmarks measured. */
  signal?: AbortSignal;
  /** Phase messages (worktree, build…). */
  onStatus?: (line: string) => void;
}

/** The result of an A/B run: `headroom.bench-ab/v1`. */
export interface AbResult {
  schema: 'headroom.bench-ab/v1';
  base: { ref: string; sha: string; report: BenchReport };
  head: { sha: string; report: BenchReport };
  rounds: number;
  comparison: CompareResult;
  /** Benchmarks on one side only, and base-side problems (they are not compared). */
  notes: string[];
}

type Side = 'base' | 'head';
const SIDES: readonly Side[] = ['base', 'head'];

async function planSide(selection: Selection): Promise<PlannedBench[] | string> {
  try {
    return await planBenchmarks(selection);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
}

/** Runs the A/B comparison. @throws UsageError for an unknown ref, a failed build, or nothing to run on head. */
export async function runAb(options: AbOptions): Promise<AbResult> {
  const status = options.onStatus ?? (() => undefined);
  const root = await repoRoot(options.cwd);
  const tree = await createWorktree(root, options.base);
  try {
    const baseCwd = join(tree.dir, relative(root, options.cwd));
    status(`base ${options.base} (${tree.sha.slice(0, 7)}) checked out in ${tree.dir}`);
    if (options.build) {
      for (const [side, dir] of [
        ['base', tree.dir],
        ['head', root],
      ] as const) {
        status(`building ${side}: ${options.build}`);
        await shell(dir, options.build).catch((error: Error) => {
          throw new UsageError(`build of ${side} failed: ${error.message}`);
        });
      }
    }
    const head = await planBenchmarks(options);
    const basePlan = await planSide({ ...options, cwd: baseCwd });
    const notes: string[] = [];
    if (typeof basePlan === 'string') notes.push(`base: ${basePlan}`);
    const baseList = typeof basePlan === 'string' ? [] : basePlan;
    const key = (b: PlannedBench) => `${b.file}\0${b.name}`;
    const baseKeys = new Set(baseList.map(key));
    const both = head.filter((b) => baseKeys.has(key(b)));
    const headKeys = new Set(head.map(key));
    for (const b of head) if (!baseKeys.has(key(b))) notes.push(`only on head: ${b.name}`);
    for (const b of baseList) if (!headKeys.has(key(b))) notes.push(`only on base: ${b.name}`);

    const rounds = Math.min(options.rounds, options.count);
    const perRound = Math.ceil(options.count / rounds);
    const settings = { timeMs: options.timeMs, count: perRound, clock: options.clock, pin: options.pin };
    const reports: Record<Side, BenchReport> = {
      base: newReport(baseCwd, { ...settings, count: perRound * rounds }),
      head: newReport(options.cwd, { ...settings, count: perRound * rounds }),
    };
    const cwdOf: Record<Side, string> = { base: baseCwd, head: options.cwd };
    for (const [index, bench] of both.entries()) {
      if (options.signal?.aborted) break;
      const total = both.length;
      const measured: Record<Side, Measurement[]> = { base: [], head: [] };
      const failed: Partial<Record<Side, string>> = {};
      for (let round = 0; round < rounds && !options.signal?.aborted; round++) {
        options.onProgress?.({ kind: 'start', index, total, bench, label: `round ${round + 1}/${rounds}` });
        const sides = SIDES.map((side) => ({ cwd: cwdOf[side], env: options.env }));
        const outcomes = await measureInterleaved(bench, settings, sides, { lead: round });
        SIDES.forEach((side, i) => {
          const outcome = outcomes[i]!;
          if (outcome.ok) measured[side].push(outcome.measurement);
          else failed[side] ??= outcome.error;
        });
      }
      if (options.signal?.aborted) break;
      for (const side of SIDES) {
        const error = failed[side];
        if (error) {
          const failure = { name: bench.name, file: bench.file, error };
          reports[side].failures.push(failure);
          options.onProgress?.({ kind: 'failed', index, total, failure, label: side });
        } else {
          const result = summarise(bench, measured[side]);
          reports[side].benchmarks.push(result);
          options.onProgress?.({ kind: 'done', index, total, result, label: side });
        }
      }
    }
    // Round r of each side ran in lockstep: compared round by round.
    const comparison = compareReports(reports.base, reports.head, { ...options, paired: true });
    if (reports.head.failures.length > 0) comparison.ok = false;
    return {
      schema: 'headroom.bench-ab/v1',
      base: { ref: options.base, sha: tree.sha, report: reports.base },
      head: { sha: reports.head.git?.sha ?? 'unknown', report: reports.head },
      rounds,
      comparison,
      notes,
    };
  } finally {
    await tree.remove();
  }
}
