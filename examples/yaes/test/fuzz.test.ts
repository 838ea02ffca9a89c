/**
 * Fuzz: thousands of seeded hostile requests (malformed JSON, wrong types, huge numbers, unicode, bad content
 * types, garbage/forged/expired/odd-claim tokens, out-of-range ids, raw malformed HTTP) against YAES on both
 * databases. Not one may get a 5xx or log an error, and YAES must still serve afterwards. A failure names the
 * case's index: rerun with the same seed to reproduce it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import {
  type FuzzRequest,
  type FuzzWorld,
  fuzzRequest,
  rawRequest,
  seededRandom,
} from './support/fuzz-cases.js';
import { type FuzzOutcome, runBounded, sendRaw, sendRequest } from './support/fuzz-http.js';
import { type DatabaseKind, type RunningYaes, startYaes, TEST_JWT_KEY } from './support/start-yaes.js';

const SEED = Number(process.env.YAES_FUZZ_SEED ?? 20261203);
const REQUESTS = 2000;
const RAW = 300;
const CONCURRENCY = 8;

describe.each<DatabaseKind>(['pglite', 'postgres'])('YAES fuzz on %s', (kind) => {
  let yaes: RunningYaes;
  const errorLines: string[] = [];
  const world: FuzzWorld = { key: new TextEncoder().encode(TEST_JWT_KEY), users: [], payableId: 0 };

  beforeAll(async () => {
    // Load shedding answers 503 on purpose (PGlite's boot blocks the event loop, and the mean delay takes a
    // while to fall): it is off here, where the question is what YAES makes of hostile input.
    yaes = await startYaes(
      kind,
      { LOG_LEVEL: 'error', MAX_EVENT_LOOP_DELAY: '0' },
      { logDestination: { write: (line: string) => void errorLines.push(line) } },
    );
    for (const name of ['fuzz-a', 'fuzz-b']) {
      const credentials = { Username: name, Password: `pw-${name}` };
      const body = { ...credentials, MobileNumber: `+${name}` };
      const created = await call<{ ID: number }>(yaes.url, 'POST', '/users', { body });
      const login = await call<{ token: string }>(yaes.url, 'POST', '/login', { body: credentials });
      expect([created.status, login.status]).toEqual([200, 200]);
      world.users.push({ id: created.body.ID, token: login.body.token });
    }
    const [a, b] = world.users as [FuzzWorld['users'][0], FuzzWorld['users'][0]];
    const expense = await call<{ Payables: { ID: number }[] }>(yaes.url, 'POST', '/expenses', {
      token: a.token,
      body: { Amount: 10, Place: 'Fuzz', Payables: [{ UserID: b.id, RatioInPercentage: 50, AmountOwed: 5 }] },
    });
    world.payableId = expense.body.Payables[0]?.ID ?? 0;
    expect(world.payableId).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await yaes?.stop();
  });

  it(`answers ${REQUESTS} structured and ${RAW} raw hostile requests without a 5xx or an error log line`, async () => {
    const random = seededRandom(SEED);
    const requests: FuzzRequest[] = Array.from({ length: REQUESTS }, () => fuzzRequest(random, world));
    const raws = Array.from({ length: RAW }, () => rawRequest(random, world));
    const base = new URL(yaes.url);
    const outcomes: FuzzOutcome[] = await runBounded(
      [
        ...requests.map((req) => () => sendRequest(base, req)),
        ...raws.map((bytes) => () => sendRaw(base, bytes, 3000)),
      ],
      CONCURRENCY,
    );

    const describeCase = (i: number): string => {
      const req = requests[i];
      if (!req) return `#${i} raw ${JSON.stringify(raws[i - REQUESTS]?.toString('latin1').slice(0, 300))}`;
      const body = req.body ? req.body.toString('utf8').slice(0, 200) : '';
      return `#${i} ${req.method} ${req.path.slice(0, 80)} ${JSON.stringify(req.headers).slice(0, 300)} ${body}`;
    };
    const serverErrors = outcomes.flatMap((o, i) =>
      o.statuses.some((s) => s >= 500) ? [`${o.statuses.join(',')} ${describeCase(i)}`] : [],
    );
    expect(serverErrors.slice(0, 10), `${serverErrors.length} cases got a 5xx (seed ${SEED})`).toEqual([]);
    expect(errorLines.slice(0, 5)).toEqual([]);

    // The run reached every part of the API, not just the edge that refuses garbage.
    const seen = new Set(outcomes.flatMap((o) => o.statuses));
    for (const status of [200, 400, 401, 403, 404, 405, 413, 415, 422])
      expect(seen, String(status)).toContain(status);
    // A structured request always gets an answer; only raw bytes may see the connection just closed. (A HEAD
    // with a 20 kB header gets Node's own 431, which node:http's client fails to parse: HPE_INVALID_CONSTANT.)
    const unanswered = outcomes.flatMap((o, i) =>
      i < REQUESTS && o.statuses.length === 0 && !o.error?.startsWith('HPE_') ? [describeCase(i)] : [],
    );
    expect(unanswered.slice(0, 5)).toEqual([]);
    const hung = outcomes.flatMap((o, i) => (o.error?.startsWith('no close') ? [describeCase(i)] : []));
    expect(hung.slice(0, 5)).toEqual([]);

    const still = await call(yaes.url, 'GET', '/users', { token: world.users[0]?.token });
    expect(still.status).toBe(200);
    expect((await fetch(`${yaes.adminUrl}/readyz`)).status).toBe(200);
  });
});
