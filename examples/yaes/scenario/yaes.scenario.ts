/**
 * The YAES load mix for `headroom load` / `headroom limits` against a seeded YAES (`npm run seed`): every
 * virtual user logs in once as its own seed user (`seed-user-<vu mod N + 1>`, N = YAES_SEED_USERS, default
 * 200) and reuses the token. Reads dominate; writes spread over each user's own payables and several friends,
 * so no single hot row flatters a cache.
 *
 *   headroom limits http://127.0.0.1:8080 --scenario examples/yaes/scenario/yaes.scenario.ts --slo 'p99<50ms'
 */
import type { Scenario, ScenarioRequest, VirtualUser, VuFetchInit } from 'headroom-kit/load';

const SEED_USERS = Number(process.env.YAES_SEED_USERS ?? 200);
const SEED_PASSWORD = 'yaes-seed-password';
/** How many friends a user splits with, and how many of its payables it updates, in turn. */
const SPREAD = 3;
/**
 * Setup is a client like any other: on 503 (overloaded) it waits Retry-After (with jitter) and tries again, for up
 * to this long — a thousand users logging in at once is a burst that takes the service several seconds to serve.
 */
const SETUP_PATIENCE_MS = 60_000;

interface Wire {
  ID: number;
  Payables?: Wire[];
}

async function call<T>(vu: VirtualUser, path: string, init: VuFetchInit = {}): Promise<T> {
  const started = Date.now();
  for (;;) {
    const res = await vu.fetch(path, init);
    if (res.status === 503 && Date.now() - started < SETUP_PATIENCE_MS) {
      await res.body?.cancel();
      const waitS = Number(res.headers.get('retry-after')) || 1;
      await new Promise((resolve) => setTimeout(resolve, waitS * 1000 * (0.5 + Math.random())));
      continue;
    }
    if (!res.ok) {
      const hint = path === '/login' ? ' (seed first: npm run seed -w examples/yaes)' : '';
      throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}${hint}`);
    }
    return (await res.json()) as T;
  }
}

const auth = { authorization: 'Bearer {{state.token}}' };
/**
 * The reads ask for a small fixed first page, below the ~8 expenses and payables the seed gives each user: the
 * mix's own POSTs keep adding to both lists, and a read that returned all of them (or a 100-item page) would cost
 * more at every step of a search, so capacity would fall with the run's length instead of the load.
 */
const READ_PAGE = 5;
/** `count` copies of a request, each reading its own `state` slot; weights split evenly. */
const spread = (count: number, weight: number, make: (slot: number) => ScenarioRequest) =>
  Array.from({ length: count }, (_, slot) => ({ ...make(slot), weight: weight / count }));

export default {
  vars: {
    amount: { int: [100, 20_000] },
    owed: { int: [1, 100] },
    status: { oneOf: ['paid', 'pending'] },
    place: { oneOf: ['Cafe', 'Taxi', 'Dinner', 'Groceries', 'Cinema'] },
  },
  async setup(vu) {
    const username = `seed-user-${(vu.id % SEED_USERS) + 1}`;
    const { token } = await call<{ token: string }>(vu, '/login', {
      method: 'POST',
      json: { Username: username, Password: SEED_PASSWORD },
    });
    const headers = { authorization: `Bearer ${token}` };
    const others = await call<Wire[]>(vu, '/users', { headers });
    if (others.length === 0) throw new Error('no other users: seed at least 2');
    const friends = Array.from(
      { length: SPREAD },
      (_, i) => others[(vu.id * SPREAD + i) % others.length]?.ID,
    );
    // Payables of my own expenses to update (creating an expense when I have too few): the default page of 100
    // (once per virtual user), not the mix's small page, so it finds every seeded expense.
    const mine = await call<Wire[]>(vu, '/expenses', { headers });
    let payables = mine.flatMap((e) => e.Payables ?? []).map((p) => p.ID);
    if (payables.length < SPREAD) {
      const created = await call<Wire>(vu, '/expenses', {
        method: 'POST',
        headers,
        json: {
          Amount: 30,
          Place: 'Setup',
          Payables: friends.map((UserID) => ({ UserID, RatioInPercentage: 25, AmountOwed: 7.5 })),
        },
      });
      payables = [...payables, ...(created.Payables ?? []).map((p) => p.ID)];
    }
    vu.state.token = token;
    for (let slot = 0; slot < SPREAD; slot++) {
      vu.state[`friend${slot}`] = friends[slot];
      vu.state[`payable${slot}`] = payables[(vu.id + slot) % payables.length];
    }
  },
  requests: [
    { name: 'GET /expenses', weight: 35, path: `/expenses?limit=${READ_PAGE}`, headers: auth },
    { name: 'GET /payables', weight: 30, path: `/payables?limit=${READ_PAGE}`, headers: auth },
    { name: 'GET /users', weight: 5, path: '/users', headers: auth },
    ...spread(SPREAD, 15, (slot) => ({
      name: 'POST /expenses',
      method: 'POST',
      path: '/expenses',
      headers: auth,
      json: {
        Amount: '{{amount}}',
        Place: '{{place}}',
        Payables: [{ UserID: `{{state.friend${slot}}}`, RatioInPercentage: 50, AmountOwed: '{{owed}}' }],
      },
    })),
    ...spread(SPREAD, 15, (slot) => ({
      name: 'PUT /payables/:id',
      method: 'PUT',
      path: `/payables/{{state.payable${slot}}}`,
      headers: auth,
      json: { Status: '{{status}}' },
    })),
  ],
} satisfies Scenario;
