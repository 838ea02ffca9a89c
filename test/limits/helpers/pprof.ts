/** Synthetic pprof CPU profiles (as @datadog/pprof writes them) with whole stacks, for the profile analysis tests. */
import { gzipSync } from 'node:zlib';
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';

/** A frame: function name and file (`''` for V8 builtins). */
export type TestFrame = [name: string, file: string];

/** A gzip'd pprof profile; each sample is a stack given root first and its wall time in ns. */
export function pprofOfStacks(
  samples: [stack: TestFrame[], wallNs: number][],
  durationNs: number,
): Uint8Array {
  const strings = new StringTable();
  const ids = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationOf = ([name, file]: TestFrame): number => {
    const key = `${name}\u0000${file}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
      functions.push(new PprofFunction({ id, name: strings.dedup(name), filename: strings.dedup(file) }));
      locations.push(new Location({ id, line: [new Line({ functionId: id, line: id })] }));
    }
    return id;
  };
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('sample'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') }),
    ],
    sample: samples.map(
      ([stack, wall]) => new Sample({ locationId: stack.map(locationOf).reverse(), value: [1, wall] }),
    ),
    function: functions,
    location: locations,
    stringTable: strings,
    durationNanos: durationNs,
  });
  return gzipSync(profile.encode());
}

/** A PGlite-backed service's knee, in miniature: where 1,000 ns of busy time (and 1,000 ns idle) went. */
export const PGLITE_LIKE: [TestFrame[], number][] = (() => {
  const handler: TestFrame = ['handler', '/app/src/server.ts'];
  const query: TestFrame = ['query', 'file:///app/node_modules/@electric-sql/pglite/dist/index.js'];
  const timers: TestFrame = ['processTimers', 'node:internal/timers'];
  return [
    [[handler, query, ['js-to-wasm:i:i', ''], ['wasm-function[12]', 'wasm://wasm/3e5f085e']], 400],
    [[handler, query, ['wasm-function[3]', 'wasm://wasm/3e5f085e']], 100],
    [
      [
        handler,
        ['serialize', '/app/node_modules/.pnpm/pg@8.11.0/node_modules/pg/lib/x.js'],
        ['JSON.stringify', ''],
      ],
      100,
    ],
    [[handler], 20],
    [[timers, handler, ['renderRow', '/app/src/view.ts']], 150],
    [[timers], 30],
    [
      [
        ['Node.js', ''],
        ['Garbage Collection', ''],
      ],
      100,
    ],
    [[['route', '/app/node_modules/fastify/lib/route.js']], 100],
    [[['(idle)', '']], 1000],
  ];
})();
