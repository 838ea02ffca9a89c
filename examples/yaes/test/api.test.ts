/**
 * The API contract (examples/yaes/API.md) against both databases: every route and status, auth failures,
 * the original's defects fixed, and bad input → 4xx JSON error, never 500.
 */
import { createHmac } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_S } from '../src/auth/tokens.js';
import { sqlExpenseRepository } from '../src/repositories/sql/expense-repository.js';
import { type ApiResponse, call } from './support/client.js';
import { type DatabaseKind, type RunningYaes, startYaes, TEST_JWT_KEY } from './support/start-yaes.js';

type Json = Record<string, unknown>;
const KEY = new TextEncoder().encode(TEST_JWT_KEY);
const scope = { signal: new AbortController().signal };

describe.each<DatabaseKind>(['pglite', 'postgres'])('YAES API on %s', (kind) => {
  let yaes: RunningYaes;
  const api = <T = Json>(method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call<T>(yaes.url, method, path, options);
  const users: { id: number; token: string; name: string }[] = [];

  async function register(name: string, mobile: string): Promise<ApiResponse<Json>> {
    return api('POST', '/users', {
      body: { Username: name, FirstName: 'F', LastName: 'L', MobileNumber: mobile, Password: `pw-${name}` },
    });
  }

  beforeAll(async () => {
    yaes = await startYaes(kind);
    for (const [i, name] of ['alice', 'bob', 'carol'].entries()) {
      const created = await register(name, `+4900${i}`);
      expect(created.status).toBe(200);
      const login = await api<{ token: string }>('POST', '/login', {
        body: { Username: name, Password: `pw-${name}` },
      });
      expect(login.status).toBe(200);
      users.push({ id: created.body.ID as number, token: login.body.token, name });
    }
  });
  afterAll(async () => {
    await yaes?.stop();
  });
  const alice = () => users[0]!;
  const bob = () => users[1]!;
  const carol = () => users[2]!;

  describe('POST /users', () => {
    it('returns the created user in PascalCase, never the password hash', async () => {
      const res = await register('dave', '+49100');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(
        [
          'CreatedAt',
          'DeletedAt',
          'FirstName',
          'ID',
          'LastName',
          'MobileNumber',
          'UpdatedAt',
          'Username',
        ].sort(),
      );
      expect(res.body.DeletedAt).toBeNull();
      expect(new Date(res.body.CreatedAt as string).toISOString()).toBe(res.body.CreatedAt);
      expect(res.text).not.toMatch(/\$2[aby]\$/);
    });
    it('decodes field names case-insensitively', async () => {
      const res = await api('POST', '/users', {
        body: { username: 'erin', FIRSTNAME: 'E', mobilenumber: '+49101', password: 'x' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ Username: 'erin', FirstName: 'E', LastName: '' });
    });
    it.each([
      ['duplicate username', { Username: 'alice', MobileNumber: '+49999', Password: 'p' }, /username/],
      ['duplicate mobile', { Username: 'zed', MobileNumber: '+49000', Password: 'p' }, /mobile/],
      ['empty username', { Username: '', MobileNumber: '+49998', Password: 'p' }, /Username/],
      ['empty mobile', { Username: 'zed2', MobileNumber: '  ', Password: 'p' }, /MobileNumber/],
      ['wrong type', { Username: 5, MobileNumber: '+49997', Password: 'p' }, /Username/],
      ['unknown field', { Username: 'z3', MobileNumber: '+49996', Password: 'p', IsAdmin: true }, /IsAdmin/],
    ])('%s → 422 with a JSON error', async (_name, body, message) => {
      const res = await api('POST', '/users', { body });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatch(message);
    });
    it('stores SQL-looking strings verbatim (parameterised queries)', async () => {
      const evil = "x'); drop table users; --";
      const res = await register(evil, '+49102');
      expect(res.status).toBe(200);
      expect(res.body.Username).toBe(evil);
      const list = await api<Json[]>('GET', '/users', { token: alice().token });
      expect(list.body.some((u) => u.Username === evil)).toBe(true);
    });
  });

  describe('POST /login', () => {
    it('issues an HS256 token with userID, user and a 24h exp', async () => {
      const res = await api<{ token: string }>('POST', '/login', {
        body: { Username: 'alice', Password: 'pw-alice' },
      });
      const claims = decodeJwt(res.body.token);
      expect(claims.userID).toBe(alice().id);
      expect((claims.user as Json).Username).toBe('alice');
      expect(JSON.stringify(claims.user)).not.toMatch(/password/i);
      expect((claims.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeGreaterThan(24 * 3600 - 60);
    });
    it.each([
      ['bad password', { Username: 'alice', Password: 'nope' }],
      ['unknown user', { Username: 'nobody', Password: 'x' }],
    ])('%s → 401', async (_name, body) => {
      const res = await api('POST', '/login', { body });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid username or password');
    });
  });

  describe('authentication', () => {
    it('missing header → 401 with the original message', async () => {
      const res = await api('GET', '/users');
      expect(res).toMatchObject({ status: 401, body: { error: 'Required authorization token not found' } });
    });
    it('malformed header → 401 with the original message', async () => {
      const res = await api('GET', '/expenses', { headers: { authorization: 'Token abc' } });
      expect(res).toMatchObject({
        status: 401,
        body: { error: 'Authorization header format must be Bearer {token}' },
      });
    });
    it('rejects expired, forged, unsigned and other-algorithm tokens', async () => {
      const expired = await new SignJWT({ userID: alice().id })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
        .sign(KEY);
      const forged = await new SignJWT({ userID: alice().id })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('some-other-key-some-other-key-123'));
      const hs512 = await new SignJWT({ userID: alice().id })
        .setProtectedHeader({ alg: 'HS512' })
        .setExpirationTime('1h')
        .sign(KEY);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const none = `${b64({ alg: 'none' })}.${b64({ userID: alice().id, exp: 9999999999 })}.`;
      const noExp = await new SignJWT({ userID: alice().id }).setProtectedHeader({ alg: 'HS256' }).sign(KEY);
      for (const [token, message] of [
        [expired, 'token expired'],
        [forged, 'invalid token'],
        [hs512, 'invalid token'],
        [none, 'invalid token'],
        [noExp, 'invalid token'],
      ] as const) {
        const res = await api('GET', '/users', { token });
        expect(res, message).toMatchObject({ status: 401, body: { error: message } });
      }
    });
    it('a correctly signed token whose claims are not a valid user id → 401, never a 500', async () => {
      const sign = (claims: Json) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(KEY);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const userID of [2_147_483_648, 2 ** 53, 0, -1, 1.5, '1', null, [1], { id: 1 }]) {
        const res = await api('GET', '/users', { token: await sign({ userID }) });
        expect(res, JSON.stringify(userID)).toMatchObject({ status: 401, body: { error: 'invalid token' } });
      }
      // JSON's 1e400 is Infinity: jose's own signer cannot emit it, so sign the raw claims set.
      const header = b64({ alg: 'HS256' });
      const payload = Buffer.from(`{"userID":1e400,"exp":${Math.floor(Date.now() / 1000) + 3600}}`).toString(
        'base64url',
      );
      const signature = createHmac('sha256', KEY).update(`${header}.${payload}`).digest('base64url');
      const infinite = await api('GET', '/users', { token: `${header}.${payload}.${signature}` });
      expect(infinite).toMatchObject({ status: 401, body: { error: 'invalid token' } });
      expect((await api('GET', '/users', { token: await sign({ userID: alice().id }) })).status).toBe(200);
    });
    it(`an iat in the future is refused, beyond a clock skew of ${CLOCK_SKEW_S} s`, async () => {
      const now = Math.floor(Date.now() / 1000);
      const issuedAt = (iat: number) =>
        new SignJWT({ userID: alice().id })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(iat)
          .setExpirationTime(now + 3600)
          .sign(KEY);
      for (const iat of [now + CLOCK_SKEW_S + 5, now + 365 * 86400]) {
        const res = await api('GET', '/users', { token: await issuedAt(iat) });
        expect(res, `iat now+${iat - now}`).toMatchObject({ status: 401, body: { error: 'invalid token' } });
      }
      expect((await api('GET', '/users', { token: await issuedAt(now + 30) })).status).toBe(200);
    });
    it('a valid token for a user that no longer exists → 401', async () => {
      const ghost = await new SignJWT({ userID: 987654 })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(KEY);
      expect((await api('GET', '/payables', { token: ghost })).status).toBe(401);
    });
  });

  describe('GET /users', () => {
    it('lists everyone but me', async () => {
      const res = await api<Json[]>('GET', '/users', { token: bob().token });
      expect(res.status).toBe(200);
      const ids = res.body.map((u) => u.ID);
      expect(ids).toContain(alice().id);
      expect(ids).not.toContain(bob().id);
    });
  });

  describe('expenses and payables', () => {
    let expense: Json;
    let payables: Json[];

    it('POST /expenses creates the expense and its payables; CreatedBy is always me; cents are exact', async () => {
      const res = await api('POST', '/expenses', {
        token: alice().token,
        body: {
          Amount: 12345678.91,
          Place: 'Dinner',
          CreatedBy: carol().id,
          Payables: [
            { UserID: bob().id, RatioInPercentage: 33.3333, AmountOwed: 0.1 + 0.2, Status: 'pending' },
            { userid: carol().id, ratioinpercentage: 33.3333, amountowed: 4115226.3 },
          ],
        },
      });
      expect(res.status).toBe(200);
      expense = res.body;
      payables = expense.Payables as Json[];
      expect(expense).toMatchObject({ CreatedBy: alice().id, Amount: 12345678.91, Place: 'Dinner' });
      expect(payables).toHaveLength(2);
      expect(payables[0]).toMatchObject({
        UserID: bob().id,
        ExpenseID: expense.ID,
        AmountOwed: 0.3,
        RatioInPercentage: 33.3333,
      });
      expect(payables[1]).toMatchObject({ UserID: carol().id, AmountOwed: 4115226.3, Status: 'pending' });
    });

    it('GET /expenses lists only my expenses with payables; [] when none', async () => {
      const mine = await api<Json[]>('GET', '/expenses', { token: alice().token });
      expect(mine.body).toEqual([expense]);
      const none = await api<Json[]>('GET', '/expenses', { token: bob().token });
      expect(none).toMatchObject({ status: 200, text: '[]' });
    });

    /** The pager's token and the payables it owes itself (one per expense), for the /payables paging test. */
    const pager = { token: '', payableIds: [] as number[] };

    it('GET /expenses pages by id: 100 by default, ?limit=&after=, a Link to the next full page; bad paging → 422', async () => {
      const name = `pager-${kind}`;
      const created = await register(name, '+49009');
      const login = await api<{ token: string }>('POST', '/login', {
        body: { Username: name, Password: `pw-${name}` },
      });
      const token = login.body.token;
      pager.token = token;
      const ids: number[] = [];
      for (let i = 0; i < 103; i++) {
        const res = await api('POST', '/expenses', {
          token,
          body: {
            Amount: i + 1,
            Place: `p${i}`,
            Payables: [{ UserID: created.body.ID, RatioInPercentage: 100, AmountOwed: 0 }],
          },
        });
        ids.push(res.body.ID as number);
        pager.payableIds.push(((res.body.Payables as Json[])[0] as Json).ID as number);
      }
      const first = await api<Json[]>('GET', '/expenses', { token });
      expect(first.body.map((e) => e.ID)).toEqual(ids.slice(0, 100));
      expect(first.headers.get('link')).toBe(`</expenses?limit=100&after=${ids[99]}>; rel="next"`);
      const rest = await api<Json[]>('GET', `/expenses?limit=100&after=${ids[99]}`, { token });
      expect(rest.body.map((e) => e.ID)).toEqual(ids.slice(100));
      expect(rest.headers.get('link')).toBeNull();
      const two = await api<Json[]>('GET', `/expenses?limit=2&after=${ids[0]}`, { token });
      expect(two.body.map((e) => e.ID)).toEqual(ids.slice(1, 3));
      expect((two.body[0]!.Payables as Json[])[0]).toMatchObject({ UserID: created.body.ID });
      for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'after=-1', 'after=2147483648', 'page=2']) {
        const bad = await api<Json>('GET', `/expenses?${query}`, { token });
        expect(bad.status, query).toBe(422);
        expect(typeof bad.body.error, query).toBe('string');
      }
    });

    it('GET /payables pages by id like /expenses: 100 by default, ?limit=&after=, Link; bad paging → 422', async () => {
      const { token, payableIds: ids } = pager;
      expect(ids).toHaveLength(103);
      const first = await api<Json[]>('GET', '/payables', { token });
      expect(first.body.map((p) => p.ID)).toEqual(ids.slice(0, 100));
      expect(first.headers.get('link')).toBe(`</payables?limit=100&after=${ids[99]}>; rel="next"`);
      const rest = await api<Json[]>('GET', `/payables?limit=100&after=${ids[99]}`, { token });
      expect(rest.body.map((p) => p.ID)).toEqual(ids.slice(100));
      expect(rest.headers.get('link')).toBeNull();
      const two = await api<Json[]>('GET', `/payables?limit=2&after=${ids[0]}`, { token });
      expect(two.body.map((p) => p.ID)).toEqual(ids.slice(1, 3));
      expect(two.headers.get('link')).toBe(`</payables?limit=2&after=${ids[2]}>; rel="next"`);
      const next = await api<Json[]>(
        'GET',
        (two.headers.get('link') ?? '').slice(1, -'>; rel="next"'.length),
        {
          token,
        },
      );
      expect(next.body.map((p) => p.ID)).toEqual(ids.slice(3, 5));
      for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'after=-1', 'after=2147483648', 'page=2']) {
        const bad = await api<Json>('GET', `/payables?${query}`, { token });
        const same = await api<Json>('GET', `/expenses?${query}`, { token });
        expect(bad.status, query).toBe(422);
        expect(bad.body, query).toEqual(same.body);
      }
    });

    it('GET /payables lists what I owe', async () => {
      const owed = await api<Json[]>('GET', '/payables', { token: bob().token });
      expect(owed.body).toEqual([payables[0]]);
      expect((await api('GET', '/payables', { token: alice().token })).text).toBe('[]');
    });

    it('PUT /payables/:id changes only the given fields (the original zeroed the rest)', async () => {
      const before = payables[0]!;
      const res = await api('PUT', `/payables/${before.ID}`, {
        token: alice().token,
        body: { status: 'paid' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...before, Status: 'paid', UpdatedAt: expect.any(String) });
      expect(res.body.ExpenseID).toBe(expense.ID);
      const echoed = await api('PUT', `/payables/${before.ID}`, {
        token: alice().token,
        body: { ...res.body, AmountOwed: 1.5 },
      });
      expect(echoed.body).toMatchObject({ AmountOwed: 1.5, Status: 'paid', ExpenseID: expense.ID });
    });

    it('PUT /payables/:id statuses: 403 not my expense, 404 unknown, 422 bad id / JSON / ExpenseID change', async () => {
      const id = payables[0]!.ID;
      expect(
        (await api('PUT', `/payables/${id}`, { token: bob().token, body: { Status: 'paid' } })).status,
      ).toBe(403);
      expect(
        (await api('PUT', '/payables/999999', { token: alice().token, body: { Status: 'x' } })).status,
      ).toBe(404);
      expect(
        (await api('PUT', '/payables/abc', { token: alice().token, body: { Status: 'x' } })).status,
      ).toBe(422);
      expect((await api('PUT', `/payables/${id}`, { token: alice().token, body: '{"Status":' })).status).toBe(
        422,
      );
      const moved = await api('PUT', `/payables/${id}`, {
        token: alice().token,
        body: { ExpenseID: 424242 },
      });
      expect(moved).toMatchObject({ status: 422, body: { error: 'ExpenseID cannot be changed' } });
      const ghost = await api('PUT', `/payables/${id}`, { token: alice().token, body: { UserID: 424242 } });
      expect(ghost.status).toBe(422);
      expect((await api('PUT', `/payables/${id}`, { body: { Status: 'x' } })).status).toBe(401);
    });

    it('an invalid expense gets one JSON error response (the original appended `null`)', async () => {
      const res = await api('POST', '/expenses', {
        token: alice().token,
        body: { Amount: 'ten', Place: 'x' },
      });
      expect(res.status).toBe(422);
      expect(JSON.parse(res.text)).toEqual({ error: expect.stringMatching(/Amount/) });
    });

    it.each([
      ['fractions of cents', { Amount: 1.234, Place: 'x' }],
      ['negative amount', { Amount: -5, Place: 'x' }],
      ['missing place', { Amount: 5 }],
      ['payables not a list', { Amount: 5, Place: 'x', Payables: {} }],
      [
        'payable without user',
        { Amount: 5, Place: 'x', Payables: [{ RatioInPercentage: 1, AmountOwed: 1 }] },
      ],
      [
        'ratio above 100',
        { Amount: 5, Place: 'x', Payables: [{ UserID: 1, RatioInPercentage: 101, AmountOwed: 1 }] },
      ],
      ['array body', [1, 2]],
      ['null body', null],
    ])('POST /expenses with %s → 422', async (_name, body) => {
      const res = await api('POST', '/expenses', { token: alice().token, body: JSON.stringify(body) });
      expect(res.status).toBe(422);
      expect(typeof res.body.error).toBe('string');
    });

    it('an expense with a payable for an unknown user is not half-created', async () => {
      const count = async () => (await api<Json[]>('GET', '/expenses', { token: carol().token })).body.length;
      const before = await count();
      const res = await api('POST', '/expenses', {
        token: carol().token,
        body: {
          Amount: 10,
          Place: 'Half',
          Payables: [
            { UserID: alice().id, RatioInPercentage: 50, AmountOwed: 5 },
            { UserID: 999999, RatioInPercentage: 50, AmountOwed: 5 },
          ],
        },
      });
      expect(res.status).toBe(422);
      expect(await count()).toBe(before);
    });

    it('the repository writes an expense and its payables in one transaction', async () => {
      const repo = sqlExpenseRepository(yaes.db);
      const attempt = repo.create(scope, {
        createdBy: carol().id,
        amount: '10.00',
        place: 'TxCheck',
        payables: [
          { userId: alice().id, ratioInPercentage: '50', amountOwed: '5.00', status: 'pending' },
          { userId: 999999, ratioInPercentage: '50', amountOwed: '5.00', status: 'pending' },
        ],
      });
      await expect(attempt).rejects.toMatchObject({ status: 422 });
      const rows = await yaes.db.scoped(scope, (k) =>
        k.selectFrom('expenses').select('id').where('place', '=', 'TxCheck').execute(),
      );
      expect(rows).toEqual([]);
    });
  });

  describe('authentication on every JWT route (checked before the body is read)', () => {
    const routes = [
      ['GET', '/users'],
      ['GET', '/expenses'],
      ['POST', '/expenses'],
      ['GET', '/payables'],
      ['PUT', '/payables/1'],
    ] as const;
    it.each(routes)(
      '%s %s → 401 JSON without a token, with a malformed header or a garbage token',
      async (method, path) => {
        for (const [headers, message] of [
          [{}, 'Required authorization token not found'],
          [{ authorization: 'Basic dXNlcjpwYXNz' }, 'Authorization header format must be Bearer {token}'],
          [{ authorization: 'Bearer' }, 'Authorization header format must be Bearer {token}'],
          [{ authorization: 'Bearer not.a.jwt' }, 'invalid token'],
        ] as const) {
          const res = await api(method, path, {
            headers,
            ...(method === 'GET' ? {} : { body: { Status: 'x' } }),
          });
          expect(res, `${method} ${path} ${JSON.stringify(headers)}`).toMatchObject({
            status: 401,
            body: { error: message },
          });
        }
      },
    );
    it('an anonymous malformed or huge body gets 401, not 422/413: nothing is parsed before auth', async () => {
      expect((await api('POST', '/expenses', { body: '{"Amount":' })).status).toBe(401);
      expect((await api('PUT', '/payables/1', { body: 'x'.repeat(100_000) })).status).toBe(401);
    });
  });

  describe('bad input → 4xx JSON error, never 500, and no partial writes', () => {
    const counts = () =>
      yaes.db.scoped(scope, async (k) => {
        const count = async (table: 'users' | 'expenses' | 'payables') =>
          Number(
            (
              await k
                .selectFrom(table)
                .select((e) => e.fn.countAll().as('n'))
                .executeTakeFirst()
            )?.n,
          );
        return {
          users: await count('users'),
          expenses: await count('expenses'),
          payables: await count('payables'),
        };
      });
    const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const cases = (): [string, string, unknown, string | undefined][] => {
      const token = alice().token;
      const payable = (extra: Json) => ({ UserID: bob().id, RatioInPercentage: 10, AmountOwed: 1, ...extra });
      return [
        ['POST', '/users', '{"Username": "u", ', undefined],
        ['POST', '/users', { Username: 'nul\u0000', MobileNumber: '+4990', Password: 'p' }, undefined],
        ['POST', '/users', { Username: ['x'], MobileNumber: '+4991', Password: 'p' }, undefined],
        ['POST', '/users', { Username: 'long', MobileNumber: '+4992', Password: 'é'.repeat(40) }, undefined],
        ['POST', '/users', { Username: 'x'.repeat(65), MobileNumber: '+4993', Password: 'p' }, undefined],
        ['POST', '/login', { Username: "' OR '1'='1", Password: "' OR '1'='1" }, undefined],
        ['POST', '/login', { Username: 'alice\u0000', Password: 'x' }, undefined],
        ['POST', '/login', { Username: 'alice', Password: 'pw-alice', Role: 'admin' }, undefined],
        ['POST', '/login', 'null', undefined],
        ['POST', '/expenses', nested, token],
        ['POST', '/expenses', '{"Amount": 1e400, "Place": "x"}', token],
        ['POST', '/expenses', { Amount: 5, Place: 'x', Payables: [payable({ Status: 'a\u0000' })] }, token],
        [
          'POST',
          '/expenses',
          { Amount: 5, Place: 'x', Payables: [payable({ UserID: '1; drop table users' })] },
          token,
        ],
        [
          'POST',
          '/expenses',
          { Amount: 5, Place: 'x', Payables: [payable({ UserID: 2_147_483_648 })] },
          token,
        ],
        ['POST', '/expenses', { Amount: 5, Place: 'x', Payables: [payable({ Extra: 1 })] }, token],
        [
          'POST',
          '/expenses',
          { Amount: 5, Place: 'x', Payables: [payable({}), payable({ UserID: 999999 })] },
          token,
        ],
        ['POST', '/expenses', { Amount: 5, Place: 'x', IsSettled: true }, token],
        [
          'POST',
          '/expenses',
          { Amount: 5, Place: 'x', Payables: Array.from({ length: 101 }, () => payable({})) },
          token,
        ],
        ['POST', '/expenses', { Amount: 5, Place: 'x'.repeat(70_000) }, token],
        ['PUT', "/payables/1'%20OR%20'1'='1", { Status: 'paid' }, token],
        ['PUT', '/payables/-1', { Status: 'paid' }, token],
        ['PUT', '/payables/99999999999', { Status: 'paid' }, token],
        ['PUT', '/payables/1', { Status: 7 }, token],
        ['PUT', '/payables/1', { Status: 'paid', Owner: 1 }, token],
        ['PUT', '/payables/1', '', token],
      ];
    };

    it('answers every case with a 4xx JSON error and writes nothing', async () => {
      const before = await counts();
      for (const [method, path, body, token] of cases()) {
        const res = await api(method, path, {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          ...(token ? { token } : {}),
        });
        const label = `${method} ${path} ${String(typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 80)}`;
        expect(res.status, label).toBeGreaterThanOrEqual(400);
        expect(res.status, label).toBeLessThan(500);
        expect(typeof (res.body as Json).error, label).toBe('string');
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('HTTP edges', () => {
    it('malformed JSON → 422, huge body → 413, wrong content type → 415, all JSON errors', async () => {
      const bad = await api('POST', '/login', { body: '{"Username": "a",' });
      expect(bad).toMatchObject({ status: 422, body: { error: 'malformed JSON body' } });
      const huge = await api('POST', '/users', {
        body: { Username: 'h', MobileNumber: '1', Password: 'p', FirstName: 'x'.repeat(200_000) },
      });
      expect(huge.status).toBe(413);
      expect(typeof huge.body.error).toBe('string');
      const form = await api('POST', '/login', { body: 'a=b', headers: { 'content-type': 'text/plain' } });
      expect(form.status).toBe(415);
      expect(typeof form.body.error).toBe('string');
    });
    it('unknown path → 404; known path, wrong method → 405 with Allow', async () => {
      expect((await api('GET', '/nope')).status).toBe(404);
      const wrong = await api('DELETE', '/users');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, POST, HEAD');
      expect((await api('GET', '/payables/1')).status).toBe(405);
      expect((await api('GET', '/login')).status).toBe(405);
      expect((await api('QUERY', '/expenses')).status).toBe(405);
    });
    it('route matching decides before the body is parsed: 405 and 404 whatever the body', async () => {
      const json = { 'content-type': 'application/json' };
      const cases: [string, string, RequestInit, number][] = [
        ['DELETE', '/users', { headers: json }, 405],
        ['DELETE', '/users', { headers: json, body: '{"Username":' }, 405],
        ['PATCH', '/payables/1', { headers: { 'content-type': 'text/plain' }, body: 'x' }, 405],
        ['PUT', '/expenses', { headers: json, body: 'x'.repeat(100_000) }, 405],
        ['POST', '/payables', { headers: { 'content-type': 'application/xml' }, body: '<a/>' }, 405],
        ['POST', '/nope', { headers: json }, 404],
        ['POST', '/nope', { headers: json, body: '{' }, 404],
        ['PUT', '/users/1', { headers: { 'content-type': 'text/csv' }, body: 'a,b' }, 404],
      ];
      for (const [method, path, init, status] of cases) {
        const res = await fetch(`${yaes.url}${path}`, { method, ...init });
        const label = `${method} ${path} ${JSON.stringify(init.headers)} ${String(init.body).slice(0, 20)}`;
        expect(res.status, label).toBe(status);
        expect(await res.json(), label).toEqual({
          error: status === 405 ? 'method not allowed' : 'not found',
        });
      }
    });
    it('no statement starts once the context has ended (PGlite cannot interrupt a running one, PostgreSQL can)', async () => {
      const ended = { signal: AbortSignal.abort(new Error('ctx ended')) };
      await expect(yaes.db.scoped(ended, (k) => k.selectFrom('users').selectAll().execute())).rejects.toThrow(
        'ctx ended',
      );
    });
    it('readiness checks the database; metrics use the route template, never the raw id', async () => {
      const ready = await fetch(`${yaes.adminUrl}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await (await fetch(`${yaes.adminUrl}/metrics`)).text();
      expect(metrics).toContain('/payables/:id');
      expect(metrics).not.toMatch(/route="\/payables\/\d+"/);
      expect(metrics).toContain('repo.expenses.listByCreator');
      // Every statement is instrumented too (a span per query when tracing exports).
      expect(metrics).toMatch(/headroom_function_duration_seconds_count\{name="db\.select"\} [1-9]/);
      expect(metrics).toMatch(/headroom_function_duration_seconds_count\{name="db\.insert"\} [1-9]/);
    });
  });
});
