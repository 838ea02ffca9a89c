/**
 * `instrumentPool(pool, { name })`: connection-pool metrics for a node-postgres `pg.Pool` (also the pool under
 * Kysely's `PostgresDialect`) or any pool with the same counters — its size, connections open, in use, requests
 * waiting for one, and how long each acquisition waited. `headroom limits` reads them to name a pool that is
 * too small (docs/limits.md, _pool_).
 */
import { Gauge, Histogram } from 'prom-client';
import { METRIC } from '../metric-names.js';
import { dependencyMetrics } from './dependency-metrics.js';

/** What `instrumentPool` reads of a pool: node-postgres' `pg.Pool` (pg-pool) has all of it. */
export interface InstrumentablePool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options?: { max?: number };
  // biome-ignore lint/suspicious/noExplicitAny: the pool's own overloads (callback or promise) pass through.
  connect(...args: any[]): any;
  /** pg-pool's `acquire` (client) and `release` (error, client) events time how long connections are held. */
  // biome-ignore lint/suspicious/noExplicitAny: pg-pool's listener signatures differ by event.
  on?(event: 'acquire' | 'release', listener: (...args: any[]) => void): unknown;
}

/** How the pool is labelled. */
export interface InstrumentPoolOptions {
  /** The `pool` label. Default `db`; instrumenting another pool under the same name replaces it. */
  name?: string;
}

/** Wait buckets (seconds): 0.1 ms to 10 s — an idle connection is handed out in microseconds. */
const WAIT_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

const pools = new Map<string, InstrumentablePool>();

/** A gauge with one child per instrumented pool, read from the pools at scrape time. */
function poolGauge(name: string, help: string, read: (pool: InstrumentablePool) => number): void {
  new Gauge({
    name,
    help,
    labelNames: ['pool'],
    registers: [dependencyMetrics],
    collect() {
      this.reset();
      for (const [label, pool] of pools) this.set({ pool: label }, read(pool));
    },
  });
}

poolGauge(METRIC.poolMax, 'Most connections the pool opens, by pool.', (p) => p.options?.max ?? Number.NaN);
poolGauge(METRIC.poolConnections, 'Connections the pool has open, by pool.', (p) => p.totalCount);
poolGauge(
  METRIC.poolInUse,
  'Connections checked out of the pool, by pool.',
  (p) => p.totalCount - p.idleCount,
);
poolGauge(METRIC.poolWaiting, 'Requests waiting for a connection, by pool.', (p) => p.waitingCount);

/**
 * Requests waiting for a connection now, summed over the instrumented pools (null: no pool instrumented). The
 * adaptive concurrency limit reads it once per window: a queue in front of a pool is one a lower limit shortens.
 */
export function poolsWaiting(): number | null {
  if (pools.size === 0) return null;
  let waiting = 0;
  for (const pool of pools.values()) waiting += pool.waitingCount;
  return waiting;
}

const waits = new Histogram({
  name: METRIC.poolWait,
  help: 'Time from asking the pool for a connection to getting one (or an error), seconds, by pool.',
  labelNames: ['pool'],
  buckets: WAIT_BUCKETS,
  registers: [dependencyMetrics],
});

const held = new Histogram({
  name: METRIC.poolHeld,
  help: 'Time a connection was checked out of the pool (acquire → release), seconds, by pool.',
  labelNames: ['pool'],
  buckets: WAIT_BUCKETS,
  registers: [dependencyMetrics],
});

/**
 * Exports `pool`'s size, connections, in use and waiting as gauges, and times every `connect()` (which
 * `pool.query()` and Kysely use too) into `headroom_pool_wait_seconds{pool}`, and (pools with pg-pool's
 * `acquire`/`release` events) each checkout into `headroom_pool_held_seconds{pool}`. Returns the pool itself.
 * @example const pool = instrumentPool(new pg.Pool({ max: 10 }), { name: 'db' });
 */
export function instrumentPool<P extends InstrumentablePool>(
  pool: P,
  options: InstrumentPoolOptions = {},
): P {
  const name = options.name ?? 'db';
  const observe = waits.labels(name);
  pools.set(name, pool);
  const observeHeld = held.labels(name);
  const acquiredAt = new WeakMap<object, number>();
  pool.on?.('acquire', (client: object) => acquiredAt.set(client, performance.now()));
  pool.on?.('release', (_error: unknown, client: object) => {
    const at = acquiredAt.get(client);
    if (at !== undefined) observeHeld.observe((performance.now() - at) / 1000);
  });
  const connect = pool.connect;
  // biome-ignore lint/suspicious/noExplicitAny: see InstrumentablePool.connect.
  pool.connect = function timedConnect(this: P, ...args: any[]) {
    const start = performance.now();
    const done = () => observe.observe((performance.now() - start) / 1000);
    const callback = args[0];
    if (typeof callback === 'function') {
      return connect.call(this, (...result: unknown[]) => {
        done();
        return callback(...result);
      });
    }
    return (connect.apply(this, args) as Promise<unknown>).then(
      (client) => {
        done();
        return client;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  };
  return pool;
}
