/**
 * The YAES load mix for `headroom load` / `headroom limits` against a seeded YAES (`npm run seed`): every
 * virtual user logs in once as its own seed user (`seed-user-<vu mod N + 1>`, N = YAES_SEED_USERS, default
 * 200) and reuses the token; reads dominate, writes touch the user's own rows, so no single hot row
 * flatters a cache.
 *
 *   headroom limits http://127.0.0.1:8080 --scenario examples/yaes/scenario/yaes.scenario.ts --slo 'p99<50ms'
 */
import type { Scenario } from 'headroom/load';

const SEED_USERS = Number(process.env.YAES_SEED_USERS ?? 200);
const SEED_PASSWORD = 'yaes-seed-password';

interface Wire {
  ID: number;
  Payables?: Wire[];
}

async function json<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export default {
  vars: {
    amount: { int: [100, 20_000] },
    owed: { int: [1, 100] },
    status: { oneOf: ['paid', 'pending'] },
    place: { oneOf: ['Cafe', 'Taxi', 'Dinner', 'Groceries', 'Cinema'] },
  },
  async setup(vu) {
    const username = `seed-user-${(vu.id % SEED_USERS) + 1}`;
    const login = await json<{ token: string }>(
      await vu.fetch('/login', { method: 'POST', json: { Username: username, Password: SEED_PASSWORD } }),
      `login ${username} (seed first: npm run seed -w examples/yaes)`,
    );
    const headers = { authorization: `Bearer ${login.token}` };
    const others = await json<Wire[]>(await vu.fetch('/users', { headers }), 'GET /users');
    const friend = others[vu.id % others.length];
    if (!friend) throw new Error('no other users: seed at least 2');
    // A payable of one of my own expenses to update (creating one if I have none).
    const mine = await json<Wire[]>(await vu.fetch('/expenses', { headers }), 'GET /expenses');
    let payable = mine.flatMap((e) => e.Payables ?? [])[0];
    if (!payable) {
      const created = await json<Wire>(
        await vu.fetch('/expenses', {
          method: 'POST',
          headers,
          json: {
            Amount: 10,
            Place: 'Setup',
            Payables: [{ UserID: friend.ID, RatioInPercentage: 50, AmountOwed: 5 }],
          },
        }),
        'POST /expenses',
      );
      payable = created.Payables?.[0];
    }
    vu.state.token = login.token;
    vu.state.friend = friend.ID;
    vu.state.payable = payable?.ID;
  },
  requests: [
    {
      name: 'GET /expenses',
      weight: 35,
      path: '/expenses',
      headers: { authorization: 'Bearer {{state.token}}' },
    },
    {
      name: 'GET /payables',
      weight: 30,
      path: '/payables',
      headers: { authorization: 'Bearer {{state.token}}' },
    },
    { name: 'GET /users', weight: 5, path: '/users', headers: { authorization: 'Bearer {{state.token}}' } },
    {
      name: 'POST /expenses',
      weight: 15,
      method: 'POST',
      path: '/expenses',
      headers: { authorization: 'Bearer {{state.token}}' },
      json: {
        Amount: '{{amount}}',
        Place: '{{place}}',
        Payables: [{ UserID: '{{state.friend}}', RatioInPercentage: 50, AmountOwed: '{{owed}}' }],
      },
    },
    {
      name: 'PUT /payables/:id',
      weight: 15,
      method: 'PUT',
      path: '/payables/{{state.payable}}',
      headers: { authorization: 'Bearer {{state.token}}' },
      json: { Status: '{{status}}' },
    },
  ],
} satisfies Scenario;
