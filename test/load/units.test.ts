import { describe, expect, it } from 'vitest';
import { defaultThreads } from '../../src/load/load.js';
import { MalformedResponseError, ResponseParser } from '../../src/load/response-parser.js';
import { isLoopback } from '../../src/load/target.js';
import { evaluateThresholds, parseThreshold } from '../../src/load/thresholds.js';
import type { LoadResult } from '../../src/load/types.js';

function feed(parser: ResponseParser, text: string): void {
  const bytes = Buffer.from(text, 'latin1');
  parser.feed(bytes, bytes.length, 0);
}

function parse(stream: string, splitEvery: number, head = false): number[] {
  const statuses: number[] = [];
  const parser = new ResponseParser({ expectsNoBody: () => head, onResponse: (s) => statuses.push(s) });
  const bytes = Buffer.from(stream, 'latin1');
  for (let i = 0; i < bytes.length; i += splitEvery) {
    const piece = bytes.subarray(i, i + splitEvery);
    parser.feed(piece, piece.length, 0);
  }
  expect(parser.end()).toBe(true);
  return statuses;
}

const STREAM =
  'HTTP/1.1 100 Continue\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
  'HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n' +
  'HTTP/1.1 204 No Content\r\n\r\n' +
  'HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n' +
  'HTTP/1.0 200 OK\r\n\r\nuntil close';

describe('ResponseParser', () => {
  it('parses a mixed stream identically however it is split', () => {
    for (const split of [1, 2, 3, 7, 64, 4096])
      expect(parse(STREAM, split), `split ${split}`).toEqual([200, 404, 204, 503, 200]);
  });

  it('reads no body for HEAD responses and flags Connection: close', () => {
    expect(
      parse(
        'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n',
        5,
        true,
      ),
    ).toEqual([200, 200]);
    const closes: boolean[] = [];
    const p = new ResponseParser({ expectsNoBody: () => false, onResponse: (_s, _t, c) => closes.push(c) });
    feed(p, 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    expect(closes).toEqual([true]);
  });

  it('frames repeated heads from its cache and still parses a head that changed', () => {
    const ok = 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello';
    const longer = 'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 7\r\n\r\ngoodbye';
    const gone = 'HTTP/1.1 410 Gone\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello';
    const stream = [ok, ok, ok, longer, longer, ok, gone, gone, ok].join('');
    for (const split of [1, 5, 64, 4096]) {
      expect(parse(stream, split), `split ${split}`).toEqual([200, 200, 200, 200, 200, 200, 410, 410, 200]);
    }
    // The same cached head answers a HEAD request (no body) and then a GET (a body).
    const heads: number[] = [];
    const noBody = [false, true, false];
    const parser = new ResponseParser({
      expectsNoBody: () => noBody[heads.length] === true,
      onResponse: (s) => heads.push(s),
    });
    feed(parser, `${ok}HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\n${ok}`);
    expect(heads).toEqual([200, 200, 200]);
    expect(parser.end()).toBe(true);
  });

  it('gives the cache up when every head differs, and parses on', () => {
    const statuses: number[] = [];
    const parser = new ResponseParser({ expectsNoBody: () => false, onResponse: (s) => statuses.push(s) });
    for (let i = 0; i < 300; i++)
      feed(parser, `HTTP/1.1 200 OK\r\nX-Id: ${i}\r\nContent-Length: 2\r\n\r\nok`);
    expect(statuses).toHaveLength(300);
  });

  it('reads only the given length of a shared read buffer', () => {
    const statuses: number[] = [];
    const parser = new ResponseParser({ expectsNoBody: () => false, onResponse: (s) => statuses.push(s) });
    const shared = Buffer.alloc(256, 'x');
    const n = shared.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 2', 'latin1');
    parser.feed(shared, n, 0);
    shared.fill('y'); // the next read reuses the buffer
    const m = shared.write('04 No Content\r\n\r\n', 'latin1');
    parser.feed(shared, m, 0);
    expect(statuses).toEqual([200, 204]);
  });

  it('rejects what is not HTTP', () => {
    const p = new ResponseParser({ expectsNoBody: () => false, onResponse: () => {} });
    expect(() => feed(p, 'garbage\r\n')).toThrow(MalformedResponseError);
    const q = new ResponseParser({ expectsNoBody: () => false, onResponse: () => {} });
    expect(() => feed(q, 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n')).toThrow(/Content-Length/);
  });
});

describe('thresholds', () => {
  const result = {
    requests: { sent: 100, completed: 98, errors: 4, timeouts: 2, byName: {} },
    status: { '2xx': 96, '3xx': 0, '4xx': 2, '5xx': 0 },
    throughput: { rps: 1500, offeredRps: null, sentRps: 1500, bytesPerS: 0, sentBytesPerS: 0 },
    latencyMs: { min: 1, mean: 5, p50: 4, p75: 6, p90: 9, p99: 40, p999: 80, max: 90 },
  } as unknown as LoadResult;

  it('parses the grammar with units', () => {
    expect(parseThreshold('p99<50ms')).toEqual({ expr: 'p99<50ms', metric: 'p99', op: '<', limit: 50 });
    expect(parseThreshold('p99.9 <= 1s')).toMatchObject({ metric: 'p999', op: '<=', limit: 1000 });
    expect(parseThreshold('errors<1%')).toMatchObject({ metric: 'errors', limit: 1 });
    expect(parseThreshold('rps>1000')).toMatchObject({ metric: 'rps', op: '>', limit: 1000 });
    expect(parseThreshold('rps>1.5k')).toMatchObject({ metric: 'rps', op: '>', limit: 1500 });
    for (const bad of ['p99', 'p99<fast', 'errors<0.01', 'errors<200%', 'cpu<5', 'rps>many'])
      expect(() => parseThreshold(bad)).toThrow(/threshold/);
  });

  it('evaluates against a result: errors are % of attempts (responses plus failures without one)', () => {
    const out = evaluateThresholds(['p99<50ms', 'p999<50ms', 'errors<5%', 'errors<4%', 'rps>=1500'], result);
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    expect(out[2]?.actual).toBe(4); // 2 × 4xx + 2 timeouts of 98 + 2 attempts
  });
});

describe('defaultThreads', () => {
  it('leaves a CPU to a target on this machine, keeping at least one thread', () => {
    expect([1, 2, 4, 8].map((cpus) => defaultThreads(cpus, true))).toEqual([1, 1, 3, 7]);
  });
  it('uses every CPU against another machine', () => {
    expect([1, 2, 4, 8].map((cpus) => defaultThreads(cpus, false))).toEqual([1, 2, 4, 8]);
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['127.example.com', false],
    ['example.com', false],
    ['::', false],
  ])('%s → %s', (host, local) => expect(isLoopback(host)).toBe(local));
});
