import { describe, expect, it } from 'vitest';
import { MalformedResponseError, ResponseParser } from '../../src/load/response-parser.js';
import { evaluateThresholds, parseThreshold } from '../../src/load/thresholds.js';
import type { LoadResult } from '../../src/load/types.js';

function parse(stream: string, splitEvery: number, head = false): number[] {
  const statuses: number[] = [];
  const parser = new ResponseParser({ expectsNoBody: () => head, onResponse: (s) => statuses.push(s) });
  const bytes = Buffer.from(stream, 'latin1');
  for (let i = 0; i < bytes.length; i += splitEvery) parser.feed(bytes.subarray(i, i + splitEvery), 0);
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
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), 0);
    expect(closes).toEqual([true]);
  });

  it('rejects what is not HTTP', () => {
    const p = new ResponseParser({ expectsNoBody: () => false, onResponse: () => {} });
    expect(() => p.feed(Buffer.from('garbage\r\n'), 0)).toThrow(MalformedResponseError);
    const q = new ResponseParser({ expectsNoBody: () => false, onResponse: () => {} });
    expect(() => q.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'), 0)).toThrow(
      /Content-Length/,
    );
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
    for (const bad of ['p99', 'p99<fast', 'errors<0.01', 'cpu<5', 'rps>many'])
      expect(() => parseThreshold(bad)).toThrow(/threshold/);
  });

  it('evaluates against a result: errors are % of attempts (responses plus failures without one)', () => {
    const out = evaluateThresholds(['p99<50ms', 'p999<50ms', 'errors<5%', 'errors<4%', 'rps>=1500'], result);
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    expect(out[2]?.actual).toBe(4); // 2 × 4xx + 2 timeouts of 98 + 2 attempts
  });
});
