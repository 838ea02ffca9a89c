/** Messages between the coordinator and a generator worker thread. */
import type { UsageErrorOptions } from '../errors.js';
import type { ShardReport, TickSnapshot } from './shard-stats.js';

/** Coordinator → worker. */
export type ToWorker = { type: 'start'; startAtEpochMs: number } | { type: 'stop' };

/** Worker → coordinator. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'tick'; snapshot: TickSnapshot }
  | { type: 'done'; report: ShardReport }
  | { type: 'error'; message: string; usage: Pick<UsageErrorOptions, 'code' | 'option'> | null };
