/** Messages between the coordinator and a generator worker thread. */
import type { UsageErrorOptions } from '../errors.js';
import type { ShardWindow } from './shard.js';
import type { ShardReport, TickSnapshot } from './shard-stats.js';

/** Coordinator → worker: arm the next window, start it, end it now (drained), or stop it (cancelled). */
export type ToWorker =
  | { type: 'arm'; window: ShardWindow }
  | { type: 'start'; startAtEpochMs: number }
  | { type: 'end' }
  | { type: 'stop' };

/** Worker → coordinator. `ready` answers the preparation, `armed` each `arm`; `error` either of them. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'armed' }
  | { type: 'tick'; snapshot: TickSnapshot }
  | { type: 'done'; report: ShardReport }
  | { type: 'error'; message: string; usage: Pick<UsageErrorOptions, 'code' | 'option'> | null };
