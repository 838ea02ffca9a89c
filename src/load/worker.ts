/**
 * Worker-thread entry: prepares a shard from `workerData`, reports `ready`, runs on `start`, posts a `tick` a
 * second and `done` with the report; `stop` ends the window early.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { Shard, type ShardPlan } from './shard.js';
import type { ToWorker } from './worker-messages.js';

const port = parentPort;
if (port) {
  try {
    const shard = await Shard.prepare(workerData as ShardPlan);
    port.on('message', (message: ToWorker) => {
      if (message.type === 'stop') shard.stop();
      else {
        const startAt = message.startAtEpochMs - performance.timeOrigin;
        shard
          .run(startAt, { tick: (snapshot) => port.postMessage({ type: 'tick', snapshot }) })
          .then((report) => port.postMessage({ type: 'done', report }));
      }
    });
    port.postMessage({ type: 'ready' });
  } catch (error) {
    port.postMessage(
      error instanceof UsageError
        ? { type: 'error', message: error.detail, usage: { code: error.code, option: error.option } }
        : { type: 'error', message: (error as Error).message, usage: null },
    );
  }
}
