/**
 * Runs a shard in this thread or in a worker thread behind one interface. From TypeScript sources (tests) the
 * worker registers tsx and imports `worker.ts`; from dist/ it loads `worker.js` as plain JavaScript.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { resolveOptional } from '../optional-dependency.js';
import { Shard, type ShardOutput, type ShardSetup, type ShardWindow } from './shard.js';
import type { ShardReport } from './shard-stats.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

/** A shard being prepared or run, wherever it lives. */
export interface ShardRunner {
  /** Resolves once the shard is prepared; rejects with its preparation error. */
  readonly ready: Promise<void>;
  /** Makes the prepared shard ready for a window (see `Shard.arm`); rejects with its error. */
  arm(window: ShardWindow): Promise<void>;
  /** Starts the armed window at an epoch time (ms, performance.timeOrigin-based) and resolves with the report. */
  run(startAtEpochMs: number, output: ShardOutput): Promise<ShardReport>;
  /** Ends the running window now, as if its duration had run out (see `Shard.end`). */
  end(): void;
  /** Cuts the running window short: what is in flight is cancelled (see `Shard.stop`). */
  stop(): void;
  /** Releases the shard (closes its sockets; terminates a worker). */
  dispose(): Promise<void>;
}

/** Prepares a shard in this thread. */
export function localShard(setup: ShardSetup): ShardRunner {
  let shard: Shard | null = null;
  const ready = Shard.prepare(setup).then((s) => {
    shard = s;
  });
  return {
    ready,
    arm: (window) => (shard as Shard).arm(window),
    run: (startAtEpochMs, output) => (shard as Shard).run(startAtEpochMs - performance.timeOrigin, output),
    end: () => shard?.end(),
    stop: () => shard?.stop(),
    dispose: async () => shard?.close(),
  };
}

/** Prepares a shard in a worker thread. */
export function workerShard(setup: ShardSetup): ShardRunner {
  const worker = import.meta.url.endsWith('.ts')
    ? // From sources: register tsx in the worker, then import the TypeScript entry.
      new Worker(
        `import(${JSON.stringify(resolveOptional('tsx', 'tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`,
        { eval: true, workerData: setup },
      )
    : new Worker(new URL('./worker.js', import.meta.url), { workerData: setup });
  let output: ShardOutput | null = null;
  // The request waiting for the worker's answer: preparation, an arm, or a run.
  let settle: ((message: FromWorker) => void) | null = null;
  let fail: ((error: Error) => void) | null = null;
  const answer = <T>(onAnswer: (message: FromWorker, resolve: (value: T) => void) => void): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      settle = (message) => onAnswer(message, resolve);
      fail = reject;
    });
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'tick') output?.tick(message.snapshot);
    else if (message.type === 'error') {
      fail?.(message.usage ? new UsageError(message.message, message.usage) : new Error(message.message));
    } else settle?.(message);
  });
  worker.on('error', (error) => fail?.(error));
  worker.on('exit', (code) => fail?.(new Error(`generator worker exited with code ${code}`)));
  const send = (message: ToWorker) => worker.postMessage(message);
  const ready = answer<void>((message, resolve) => {
    if (message.type === 'ready') resolve();
  });
  return {
    ready,
    arm: (window) => {
      const armed = answer<void>((message, resolve) => {
        if (message.type === 'armed') resolve();
      });
      send({ type: 'arm', window });
      return armed;
    },
    run: (startAtEpochMs, out) => {
      output = out;
      const done = answer<ShardReport>((message, resolve) => {
        if (message.type === 'done') resolve(message.report);
      });
      send({ type: 'start', startAtEpochMs });
      return done;
    },
    end: () => send({ type: 'end' }),
    stop: () => send({ type: 'stop' }),
    dispose: async () => {
      fail = null;
      await worker.terminate();
    },
  };
}
