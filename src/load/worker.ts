/**
 * Worker-thread entry: prepares a shard from `workerData`, reports `ready`; then for each window `arm` (answered
 * `armed`), `start` (a `tick` a second, `done` with the report), `end` to end the window now (drained) and `stop`
 * to cut it short (cancelled).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { Shard, type ShardSetup } from './shard.js';
import type { FromWorker, ToWorker } from './worker-messages.js';

const port = parentPort;

function errorMessage(error: unknown): FromWorker {
  return error instanceof UsageError
    ? { type: 'error', message: error.detail, usage: { code: error.code, option: error.option } }
    : { type: 'error', message: (error as Error).message, usage: null };
}

if (port) {
  try {
    const shard = await Shard.prepare(workerData as ShardSetup);
    port.on('message', (message: ToWorker) => {
      if (message.type === 'stop') shard.stop();
      else if (message.type === 'end') shard.end();
      else if (message.type === 'arm') {
        shard.arm(message.window).then(
          () => port.postMessage({ type: 'armed' } satisfies FromWorker),
          (error: unknown) => port.postMessage(errorMessage(error)),
        );
      } else {
        const startAt = message.startAtEpochMs - performance.timeOrigin;
        shard
          .run(startAt, {
            tick: (snapshot) => port.postMessage({ type: 'tick', snapshot } satisfies FromWorker),
          })
          .then((report) => port.postMessage({ type: 'done', report } satisfies FromWorker));
      }
    });
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  } catch (error) {
    port.postMessage(errorMessage(error));
  }
}
