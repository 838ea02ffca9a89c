/**
 * The registry `bench()` writes to. It lives on `globalThis` under a well-known symbol so a benchmark file that
 * imports `headroom-kit/bench` from `dist/` and a runner loaded from `src/` (or another checkout, in `bench ab`) share it.
 */
import type { BenchFn, BenchOptions, RegisteredBench } from './types.js';

const KEY = Symbol.for('headroom.bench/registry');

type Holder = { [KEY]?: RegisteredBench[] };

/** The benchmarks registered in this process so far, in registration order. */
export function registered(): RegisteredBench[] {
  const holder = globalThis as Holder;
  holder[KEY] ??= [];
  return holder[KEY];
}

/**
 * Registers a benchmark. The body is either `() => work` — the runner calls it `N` times, awaiting it when it
 * returns a promise — or Go's style `(b) => { for (let i = 0; i < b.N; i++) work }`, chosen when the function
 * declares a parameter (`fn.length >= 1`). Names must be unique; use `/` for groups (`context/withCancel`).
 * @example bench('json/stringify', () => JSON.stringify(doc));
 * @example bench('db/insert', async () => { await db.insert(row); }, { tags: ['integration'] });
 */
export function bench(name: string, fn: BenchFn, options: BenchOptions = {}): void {
  if (typeof name !== 'string' || name.trim() === '')
    throw new TypeError('bench(): name must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeError(`bench("${name}"): fn must be a function`);
  const list = registered();
  if (list.some((entry) => entry.name === name))
    throw new Error(`bench("${name}"): duplicate benchmark name`);
  list.push({ name, fn, options });
}
