/**
 * Request building in `headroom load`: serialising a request head (done once per distinct request) and
 * a prebuilt source handing out a pipelined batch (done per write on every connection).
 * Run: `headroom bench bench/request-building.bench.ts`.
 */
import { bench } from '../src/bench/index.js';
import { requestHead } from '../src/load/request-bytes.js';
import { StaticSource } from '../src/load/request-source.js';
import type { VirtualUserRuntime } from '../src/load/scenario/index.js';

const headers: [string, string][] = [
  ['Accept', 'application/json'],
  ['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
  ['X-Request-Timeout', '250ms'],
];

bench('request/head-3-headers', () =>
  requestHead('POST', '/groups/42/expenses', '127.0.0.1:8080', headers, 128),
);

const source = new StaticSource('GET', '/healthz', '127.0.0.1:8080', { Accept: '*/*' }, null, 16);
const names = new Int32Array(16);
// The static source ignores its virtual user; scenario sources use it.
const noUser = undefined as unknown as VirtualUserRuntime;

bench('request/static-batch-16', () => source.build(noUser, 16, names));

bench(
  'request/static-source-build',
  () => new StaticSource('GET', '/healthz', '127.0.0.1:8080', {}, null, 16),
);
