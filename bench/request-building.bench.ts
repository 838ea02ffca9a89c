/**
 * Request building in `headroom load`: serialising a request head (done once per distinct request), a prebuilt
 * source handing out a pipelined batch (done per write on every connection), and a compiled scenario rendering a
 * templated request (done per request: only the slots are evaluated).
 * Run: `headroom bench bench/request-building.bench.ts`.
 */
import { bench } from '../src/bench/index.js';
import { requestHead } from '../src/load/request-bytes.js';
import { StaticSource } from '../src/load/request-source.js';
import { createVirtualUser, ScenarioSource, type VirtualUserRuntime } from '../src/load/scenario/index.js';

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

// A two-request mix: a static GET and a PUT whose path, header and JSON body are templated.
const scenario = await ScenarioSource.create(
  {
    file: 'inline.json',
    dir: '.',
    scenario: {
      vars: { id: { int: [1, 5000] }, n: { seq: 1 }, rid: 'uuid' },
      requests: [
        { name: 'list', weight: 1, path: '/expenses' },
        {
          name: 'pay',
          weight: 1,
          method: 'PUT',
          path: '/payables/{{id}}',
          headers: { authorization: 'Bearer {{state.token}}', 'x-request-id': '{{rid}}' },
          json: { Status: 'paid', Amount: '{{id}}', Note: 'run {{n}}' },
        },
      ],
    },
  },
  '127.0.0.1:8080',
  { index: 0, count: 1 },
  { index: 0, count: 1 },
);
const user = createVirtualUser(0, scenario.vars);
user.state.token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

bench('request/scenario-mix-1', () => scenario.build(user, 1, names));
