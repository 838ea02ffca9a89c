/**
 * A seeded generator of hostile YAES requests for the fuzz test: malformed JSON, wrong types, huge numbers,
 * unicode, bad content types, garbage/forged/expired/odd-claim tokens, out-of-range ids in paths, and raw
 * malformed HTTP. The same seed gives the same cases, so a failure is reproducible from its index.
 */
import { createHmac } from 'node:crypto';

/** A uniform random number in [0, 1): mulberry32, small and good enough to pick cases. */
export type Random = () => number;

/**
 * mulberry32 seeded with `seed`.
 * @example const random = seededRandom(42); random() // 0.6011037519201636, every time
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request sent through node:http (header values must be valid there; raw cases cover the rest). */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/**
 * What the generator needs to reach past authentication and into the data: the JWT key, live users, and a
 * payable the first user created and the second owes (so PUT can hit 200, 403 and 404).
 */
export interface FuzzWorld {
  key: Uint8Array;
  users: { id: number; token: string }[];
  payableId: number;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const chance = (random: Random, p: number) => random() < p;
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs `payload` (raw JSON text, so it may hold what JSON.stringify cannot emit, like 1e400) with HS256. */
function signRaw(key: Uint8Array, payload: string, header = '{"alg":"HS256","typ":"JWT"}'): string {
  const signing = `${b64(header)}.${b64(payload)}`;
  return `${signing}.${createHmac('sha256', key).update(signing).digest('base64url')}`;
}

const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '0.1',
  '1.005',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740993',
  '1e308',
  '1e400',
  '-1e400',
  '1e-400',
  '123456789012345678901234567890',
  '999999999999.99',
  '1000000000000.01',
];
const STRINGS = [
  '',
  ' ',
  'a',
  'x'.repeat(300),
  'é'.repeat(80),
  '€',
  '😀'.repeat(20),
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u2066',
  "'; drop table users; --",
  '\u0024{jndi:ldap://x}',
  '<script>',
  '\r\n',
  '1',
  'null',
  'pending',
  'paid',
];
const FIELDS = [
  'Username',
  'Password',
  'FirstName',
  'LastName',
  'MobileNumber',
  'Amount',
  'Place',
  'Payables',
  'UserID',
  'RatioInPercentage',
  'AmountOwed',
  'Status',
  'ID',
  'ExpenseID',
  'CreatedBy',
  'CreatedAt',
  'DeletedAt',
  'username',
  'AMOUNT',
  '__proto__',
  'constructor',
  'prototype',
  '',
  'Ünïcödé',
];

/** A JSON text of some random value, `depth` levels at most; numbers and strings from the hostile lists. */
function jsonValue(random: Random, depth: number): string {
  const kind = depth <= 0 ? Math.floor(random() * 4) : Math.floor(random() * 6);
  switch (kind) {
    case 0:
      return pick(random, NUMBERS);
    case 1:
      return JSON.stringify(pick(random, STRINGS));
    case 2:
      return pick(random, ['true', 'false', 'null']);
    case 3:
      return JSON.stringify(Math.floor(random() * 20) + 1);
    case 4: {
      const n = Math.floor(random() * 4);
      return `[${Array.from({ length: n }, () => jsonValue(random, depth - 1)).join(',')}]`;
    }
    default:
      return jsonObject(random, depth - 1);
  }
}

/** A JSON object with API field names (sometimes duplicated or mis-cased) and random values. */
function jsonObject(random: Random, depth: number): string {
  const n = Math.floor(random() * 7);
  const entries = Array.from(
    { length: n },
    () => `${JSON.stringify(pick(random, FIELDS))}:${jsonValue(random, depth)}`,
  );
  return `{${entries.join(',')}}`;
}

/**
 * A body shaped for `template` (a random route's shape for other paths), often with a field or two made
 * hostile, so many cases pass decoding and reach the services and the database.
 */
function nearlyValidBody(random: Random, world: FuzzWorld, template: string): string {
  const user = pick(random, world.users).id;
  const shapes: Record<string, Record<string, string>> = {
    '/users': {
      Username: JSON.stringify(`fz${Math.floor(random() * 1e9)}`),
      MobileNumber: JSON.stringify(`+${Math.floor(random() * 1e9)}`),
      Password: '"pw"',
    },
    '/login': { Username: '"fuzz-a"', Password: '"pw-fuzz-a"' },
    '/expenses': {
      Amount: '12.5',
      Place: '"Bar"',
      Payables: `[{"UserID":${user},"RatioInPercentage":50,"AmountOwed":6.25}]`,
    },
    '/payables/:id': { Status: '"paid"', AmountOwed: '1', UserID: String(user) },
  };
  const body = { ...(shapes[template] ?? pick(random, Object.values(shapes))) };
  if (chance(random, 0.6)) {
    for (let i = Math.floor(random() * 2) + 1; i > 0; i--) body[pick(random, FIELDS)] = jsonValue(random, 2);
  }
  return `{${Object.entries(body)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;
}

/** Bytes that are not the JSON they claim to be. */
function brokenBody(random: Random): Buffer {
  const choices: (() => Buffer)[] = [
    () => Buffer.from('{"Username":'),
    () => Buffer.from('{'.repeat(200)),
    () => Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`),
    () => Buffer.from('\ufeff{"Username":"bom"}'),
    () => Buffer.from('{"a":1}garbage'),
    () => Buffer.from("{'single':'quotes'}"),
    () => Buffer.from('{"Amount":NaN,"Place":"x"}'),
    () => Buffer.from('{"Amount":Infinity}'),
    () => Buffer.from('{"Place":"\\ud800"}'),
    () => Buffer.from('{"Place":"\\u0000"}'),
    () => Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    () => Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))),
    () => Buffer.from(''),
    () => Buffer.from('   '),
    () => Buffer.from('null'),
    () => Buffer.from('"just a string"'),
    () => Buffer.from('12345678901234567890'),
    () => Buffer.from(`{"Place":"${'x'.repeat(70_000)}","Amount":1}`),
    () => Buffer.from(`{${Array.from({ length: 2000 }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  ];
  return pick(random, choices)();
}

/** A token that is anything but a valid, current one for a live user (sometimes a valid one, to get past auth). */
function token(random: Random, world: FuzzWorld): string {
  const now = Math.floor(Date.now() / 1000);
  const live = pick(random, world.users);
  const claims = (userID: string, extra = '') =>
    `{"userID":${userID},"exp":${now + 3600},"iat":${now}${extra}}`;
  const choices: (() => string)[] = [
    () => live.token,
    () => live.token,
    () => live.token,
    () => signRaw(world.key, claims(pick(random, NUMBERS))),
    () => signRaw(world.key, claims(pick(random, NUMBERS))),
    () => signRaw(world.key, claims(pick(random, NUMBERS))),
    () => signRaw(world.key, claims(jsonValue(random, 1))),
    () => signRaw(world.key, claims(String(live.id), `,"user":${jsonObject(random, 2)}`)),
    () =>
      signRaw(
        world.key,
        `{"userID":${live.id},"exp":${pick(random, ['"soon"', '1e400', '-1', 'null', '[]'])}}`,
      ),
    () => signRaw(world.key, `{"userID":${live.id},"exp":${now + 60},"iat":${pick(random, NUMBERS)}}`),
    () => signRaw(world.key, `{"userID":${live.id},"exp":${now + 60},"iat":${now + 86400}}`),
    () => signRaw(world.key, `{"userID":${live.id},"exp":${now - 10}}`),
    () => signRaw(world.key, `{"userID":${live.id},"exp":${now + 60},"nbf":${now + 3600}}`),
    () => signRaw(world.key, `{"userID":${live.id}}`),
    () => signRaw(world.key, '[1,2,3]'),
    () => signRaw(world.key, 'not json'),
    () => signRaw(world.key, claims(String(live.id)), '{"alg":"HS512"}'),
    () => signRaw(world.key, claims(String(live.id)), '{"alg":"HS256","crit":["x"]}'),
    () => signRaw(world.key, claims(String(live.id)), 'garbage'),
    () => signRaw(new TextEncoder().encode('yaes-development-key-do-not-use-in-production'), claims('1')),
    () => `${b64('{"alg":"none"}')}.${b64(claims(String(live.id)))}.`,
    () => `${live.token.slice(0, -3)}abc`,
    () => live.token.split('.').slice(0, 2).join('.'),
    () => `${live.token}.extra`,
    () => 'a.b.c',
    () => '...',
    () => 'x'.repeat(20_000),
    () => b64(Buffer.from(Array.from({ length: 90 }, () => Math.floor(random() * 256)))),
  ];
  return pick(random, choices)();
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'QUERY', 'PROPFIND', 'FUZZ'];
/** The API's routes (API.md): half the cases aim at one, so they get past routing into auth and decoding. */
const ROUTES = [
  ['POST', '/users'],
  ['POST', '/login'],
  ['GET', '/users'],
  ['GET', '/expenses'],
  ['POST', '/expenses'],
  ['GET', '/payables'],
  ['PUT', '/payables/:id'],
] as const;
const IDS = [
  '1',
  '0',
  '-1',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  '1e3',
  '0x10',
  '01',
  'abc',
  '%00',
  '%E2%82%AC',
  '%ZZ',
  '1%20',
  '..',
  'x'.repeat(300),
];
const PATHS = ['/users', '/login', '/expenses', '/payables', '/payables/:id', '/nope', '/', '/users/'];
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  '*/*',
  'json',
  '',
  ';',
  'application/json; charset="\\"',
];

/** A path from `template` (random when absent): hostile ids, query strings, doubled or encoded slashes. */
function path(random: Random, world: FuzzWorld, template = pick(random, PATHS)): string {
  const id = chance(random, 0.4) ? String(world.payableId + Math.floor(random() * 3)) : pick(random, IDS);
  let p = template.replace(':id', id);
  if (chance(random, 0.1)) p = p.replace('/', pick(random, ['//', '/%2F', '/./', '/%2e%2e/']));
  if (chance(random, 0.1))
    p += pick(random, ['?a=1', '?id=2147483648', '?%zz', '#frag', `?${'q'.repeat(3000)}`]);
  return p;
}

/**
 * One structured case drawn from `random` (the same sequence of draws gives the same case).
 * @example const request = fuzzRequest(seededRandom(7), world)
 */
export function fuzzRequest(random: Random, world: FuzzWorld): FuzzRequest {
  const aimed = chance(random, 0.5);
  const [method, template] = aimed ? pick(random, ROUTES) : [pick(random, METHODS), pick(random, PATHS)];
  const headers: Record<string, string> = {};
  if (aimed && chance(random, 0.5)) headers.authorization = `Bearer ${pick(random, world.users).token}`;
  else if (chance(random, 0.75)) {
    headers.authorization = chance(random, 0.85)
      ? `${pick(random, ['Bearer ', 'Bearer ', 'bearer ', 'Bearer  ', 'Basic ', ''])}${token(random, world)}`
      : pick(random, ['Bearer', 'Bearer ', ' ', 'Bearer a b', 'Token x', '\tBearer\tx']);
  }
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' && chance(random, 0.85)) {
    const roll = random();
    if (roll < (aimed ? 0.6 : 0.3)) body = Buffer.from(nearlyValidBody(random, world, template));
    else if (roll < 0.7) body = Buffer.from(jsonValue(random, 4));
    else body = brokenBody(random);
  }
  if (body !== undefined || chance(random, 0.1)) {
    const type = aimed && chance(random, 0.7) ? 'application/json' : pick(random, CONTENT_TYPES);
    if (type !== '' || chance(random, 0.5)) headers['content-type'] = type;
  }
  // No tiny deadlines: a client that asks for 1 ms gets its 504 on purpose.
  if (chance(random, 0.05)) headers['x-request-timeout'] = pick(random, ['abc', '-1ms', '1e400s', '30s', '']);
  if (chance(random, 0.05)) headers['x-request-id'] = pick(random, ['', 'id', 'x'.repeat(5000)]);
  if (chance(random, 0.03))
    headers.traceparent = pick(random, ['00-zz-zz-01', `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`]);
  if (chance(random, 0.03)) headers['content-encoding'] = pick(random, ['gzip', 'br', 'identity', 'bogus']);
  return { method, path: path(random, world, template), headers, body };
}

/** Raw request bytes no well-behaved client sends: bad request lines, headers, framing and encodings. */
export function rawRequest(random: Random, world: FuzzWorld): Buffer {
  const live = pick(random, world.users).token;
  const json = '{"Amount":1,"Place":"raw"}';
  const choices: (() => string | Buffer)[] = [
    () => 'GET\r\n\r\n',
    () => 'GET /users HTTP/9.9\r\nHost: x\r\n\r\n',
    () => 'GET /users\r\nHost: x\r\n\r\n',
    () => 'GET /users HTTP/1.0\r\n\r\n',
    () => 'GET /users HTTP/1.1\r\n\r\n',
    () => 'BREW /users HTTP/1.1\r\nHost: x\r\n\r\n',
    () => 'TRACE /users HTTP/1.1\r\nHost: x\r\n\r\n',
    () => 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n',
    () => 'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
    () => 'GET http://evil/users HTTP/1.1\r\nHost: x\r\n\r\n',
    () => `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET /users HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    () => 'GET /users HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    () => 'GET /users HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n',
    () => 'GET /users HTTP/1.1\nHost: x\n\n',
    () => `GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\u0000\r\n\r\n`,
    () => Buffer.from(`GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer é€😀\r\n\r\n`),
    () =>
      `GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nAuthorization: Bearer x\r\n\r\n`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n${json}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n${json}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${json}\r\n0\r\n\r\n`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
    () =>
      `POST /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nExpect: teapot\r\nContent-Length: ${json.length}\r\n\r\n${json}`,
    () => `DELETE /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n`,
    () =>
      `PUT /payables/2147483648 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    () =>
      `GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\n\r\nGET /expenses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\n\r\n`,
    () =>
      `GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    () =>
      `GET /users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${live}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
    () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    () => Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
    () => Buffer.from(Array.from({ length: 200 }, () => Math.floor(random() * 256))),
    () => `${pick(random, METHODS)} ${path(random, world)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ];
  const chosen = pick(random, choices)();
  return typeof chosen === 'string' ? Buffer.from(chosen, 'latin1') : chosen;
}
