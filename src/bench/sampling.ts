/**
 * Sampling a benchmark in processes. `measureInChild` runs one process; `measureInterleaved` runs one process per
 * side (e.g. base and head) at once and takes their samples in lockstep — A, B, B, A, A, B… — with the same batch
 * size, so a noisy neighbour or a frequency change hits both sides alike instead of biasing whichever ran during it,
 * and no side always goes first.
 */
import { availableParallelism } from 'node:os';
import { BenchChild } from './child-process.js';
import { benchCpu } from './cpu-pin.js';
import type { Measurement, MeasureSettings } from './measure.js';
import type { PlannedBench } from './plan.js';
import type { ChildReply } from './protocol.js';

/** Where one side's process runs. */
export interface SideSpec {
  cwd: string;
  env?: Record<string, string>;
}

/** A measurement, or why there is none. */
export type Outcome = { ok: true; measurement: Measurement } | { ok: false; error: string };

/** The CPU the benchmark processes of a run with `settings` are confined to, or null (no pinning here). */
export function pinnedCpu(settings: MeasureSettings): number | null {
  if (settings.pin === false) return null;
  const cpu = benchCpu();
  return cpu !== null && typeof settings.pin === 'number' ? settings.pin : cpu;
}

/** A generous limit for one reply: calibration or a batch of samples, times ten, plus start-up. */
function replyTimeoutMs(settings: MeasureSettings): number {
  return 30_000 + 10 * (settings.count + 8) * settings.timeMs;
}

async function expect<T extends { type: string }>(
  child: BenchChild,
  reply: Promise<unknown>,
  type: T['type'],
): Promise<T> {
  const answer = (await reply) as { type: string; error?: string };
  if (answer.type === type) return answer as T;
  child.kill();
  throw new Error(answer.error ?? `unexpected reply ${answer.type}`);
}

/** How `measureInterleaved` orders its sides. */
export interface InterleaveOptions {
  /** Batch size for every side; by default the first side started calibrates it and the others reuse it. */
  fixedN?: number;
  /**
   * The side started (and sampled) first: pass the round number when measuring in rounds, so each side leads in
   * turn. In one CI run of the gate-honesty test the side always started first read 0.7–8.5% slower than an
   * identical side over the first half of its samples (every trial, each pooling 5 rounds): with a fixed order, such
   * a bias lands on one side of every comparison.
   */
  lead?: number;
}

/**
 * Measures `bench` on every side, samples interleaved one by one: processes start in turn from side `lead`, and each
 * cycle of samples starts one side further on (A, B, then B, A — so no side is always first). Each side's outcome
 * is independent: one side failing does not void the other's. Outcomes are in the order of `sides`.
 */
export async function measureInterleaved(
  bench: PlannedBench,
  settings: MeasureSettings,
  sides: readonly SideSpec[],
  { fixedN, lead = 0 }: InterleaveOptions = {},
): Promise<Outcome[]> {
  const timeoutMs = replyTimeoutMs(settings);
  const cpu = pinnedCpu(settings);
  const children: (BenchChild | null)[] = sides.map(() => null);
  const errors: (string | null)[] = sides.map(() => null);
  /** Side indices from `lead + shift`, wrapping round. */
  const rotated = (shift: number) => sides.map((_, k) => (lead + shift + k) % sides.length);
  let n = fixedN;
  for (const i of rotated(0)) {
    const spec = sides[i]!;
    const request = {
      mode: 'serve' as const,
      file: bench.file,
      name: bench.name,
      timeMs: settings.timeMs,
      clock: settings.clock ?? 'wall',
      n,
    };
    const child = new BenchChild(request, { cwd: spec.cwd, env: spec.env, timeoutMs, cpu });
    try {
      const ready = await expect<{ type: 'ready'; n: number }>(child, child.next(), 'ready');
      n ??= ready.n;
      children[i] = child;
    } catch (error) {
      errors[i] = (error as Error).message;
    }
  }
  const samples: number[][] = sides.map(() => []);
  for (let s = 0; s < settings.count; s++) {
    for (const i of rotated(s)) {
      const child = children[i];
      if (!child || errors[i]) continue;
      try {
        const reply = child.next({ cmd: 'sample', count: 1 });
        const got = await expect<{ type: 'samples'; nsPerOp: number[] }>(child, reply, 'samples');
        samples[i]!.push(...got.nsPerOp);
      } catch (error) {
        errors[i] = (error as Error).message;
      }
    }
  }
  const outcomes: Outcome[] = [];
  for (const [i, child] of children.entries()) {
    const error = errors[i];
    if (!child || error) {
      child?.kill();
      outcomes.push({ ok: false, error: error ?? 'not started' });
      continue;
    }
    try {
      const done = await expect<Extract<ChildReply, { type: 'finished' }>>(
        child,
        child.next({ cmd: 'finish' }),
        'finished',
      );
      const mine = samples[i]!;
      outcomes.push({
        ok: true,
        measurement: {
          samples: mine,
          iterations: mine.map(() => n ?? 0),
          heapBytesPerOp: done.heapBytesPerOp,
          heapSamples: done.heapSamples,
        },
      });
    } catch (error) {
      outcomes.push({ ok: false, error: (error as Error).message });
    } finally {
      child.kill();
    }
  }
  return outcomes;
}

/** Measures `bench` in one fresh process. */
export async function measureInChild(
  bench: PlannedBench,
  settings: MeasureSettings,
  side: SideSpec,
): Promise<Outcome> {
  const [outcome] = await measureInterleaved(bench, settings, [side]);
  return outcome ?? { ok: false, error: 'no outcome' };
}

/**
 * Heap B/op of `bench` from `processes` more fresh processes with batch size `n`: each warms up with one batch and
 * measures its heap, no timed samples. Allocation can differ between processes of identical code (a benchmark over
 * random data: 3–6% for a sort), and only several processes show how much; they run unpinned, one per CPU at a time
 * (more would only queue for the CPUs and risk the reply timeout), as allocation does not depend on timing.
 * Processes that fail are left out.
 */
export async function measureHeapInChildren(
  bench: PlannedBench,
  settings: MeasureSettings,
  side: SideSpec,
  n: number,
  processes: number,
): Promise<Measurement[]> {
  const heapOnly = { ...settings, count: 0, pin: false };
  const measured: Measurement[] = [];
  let started = 0;
  const worker = async () => {
    while (started < processes) {
      started++;
      const [outcome] = await measureInterleaved(bench, heapOnly, [side], { fixedN: n });
      if (outcome?.ok) measured.push(outcome.measurement);
    }
  };
  await Promise.all(Array.from({ length: Math.min(processes, availableParallelism()) }, worker));
  return measured;
}
