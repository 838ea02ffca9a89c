/**
 * Runs a shard in this thread or in a worker thread behind one interface. From TypeScript sources (tests) the
 * worker registers tsx and imports `worker.ts`; from dist/ it loads `worker.js` as plain JavaScript.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { resolveOptional } from '../optional-dependency.js';
import { Shard, type ShardOutput, type ShardPlan } from './shard.js';
import type { ShardReport } from './shard-stats.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

/** A shard being prepared or run, wherever it lives. */
export interface ShardRunner {
  /** Resolves once the shard is prepared; rejects with its preparation error. */
  readonly ready: Promise<void>;
  /** Starts the window at an epoch time (ms, performance.timeOrigin-based) and resolves with the report. */
  run(startAtEpochMs: number, output: ShardOutput): Promise<ShardReport>;
  stop(): void;
  /** Releases the shard (terminates a worker). */
  dispose(): Promise<void>;
}

/** Prepares a shard in this thread. */
export function localShard(plan: ShardPlan): ShardRunner {
  let shard: Shard | null = null;
  const ready = Shard.prepare(plan).then((s) => {
    shard = s;
  });
  return {
    ready,
    run: (startAtEpochMs, output) => (shard as Shard).run(startAtEpochMs - performance.timeOrigin, output),
    stop: () => shard?.stop(),
    dispose: async () => shard?.close(),
  };
}

/** Prepares a shard in a worker thread. */
export function workerShard(plan: ShardPlan): ShardRunner {
  const worker = import.meta.url.endsWith('.ts')
    ? // From sources: register tsx in the worker, then import the TypeScript entry.
      new Worker(
        `import(${JSON.stringify(resolveOptional('tsx', 'tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`,
        { eval: true, workerData: plan },
      )
    : new Worker(new URL('./worker.js', import.meta.url), { workerData: plan });
  let output: ShardOutput | null = null;
  let finish: ((report: ShardReport) => void) | null = null;
  let fail: ((error: Error) => void) | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    fail = reject;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'tick') output?.tick(message.snapshot);
      else if (message.type === 'done') finish?.(message.report);
      else {
        const error = message.usage
          ? new UsageError(message.message, message.usage)
          : new Error(message.message);
        reject(error);
        fail?.(error);
      }
    });
    worker.on('error', (error) => fail?.(error));
    worker.on('exit', (code) => fail?.(new Error(`generator worker exited with code ${code}`)));
  });
  const send = (message: ToWorker) => worker.postMessage(message);
  return {
    ready,
    run: (startAtEpochMs, out) =>
      new Promise((resolve, reject) => {
        output = out;
        finish = resolve;
        fail = reject;
        send({ type: 'start', startAtEpochMs });
      }),
    stop: () => send({ type: 'stop' }),
    dispose: async () => {
      fail = null;
      await worker.terminate();
    },
  };
}
