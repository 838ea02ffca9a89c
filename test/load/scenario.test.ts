import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';
import { httpServer, type TestServer } from './helpers.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('scenarios', () => {
  it('sends the declared mix, with templated paths, headers and JSON bodies, and per-VU setup state', async () => {
    const seen = { list: 0, get: 0, pay: 0 };
    const ids = new Set<string>();
    const seqs: number[] = [];
    const badAuth: string[] = [];
    const badBody: string[] = [];
    server = await httpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.url === '/login') {
          const { username } = JSON.parse(body) as { username: string };
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ token: `t-${username}` }));
        }
        if (!/^Bearer t-(alice|bob|carol)$/.test(req.headers.authorization ?? ''))
          badAuth.push(String(req.headers.authorization));
        const id = /^\/items\/(\d+)$/.exec(req.url ?? '')?.[1];
        if (req.url === '/items') seen.list++;
        else if (req.method === 'GET' && id) {
          seen.get++;
          ids.add(id);
        } else if (req.method === 'PUT' && id) {
          seen.pay++;
          const parsed = JSON.parse(body) as { id: number; note: string };
          // The same variable agrees within one request; a number stays a number; strings are escaped.
          if (parsed.id !== Number(id) || !/^n\d+ "(alice|bob|carol)"$/.test(parsed.note)) badBody.push(body);
          seqs.push(Number(/^n(\d+)/.exec(parsed.note)?.[1]));
        }
        res.end('ok');
      });
    });
    const r = await load({
      url: server.url,
      connections: 4,
      threads: 2,
      duration: '2s',
      scenario: path.join(FIXTURES, 'mix.ts'),
    });
    const total = seen.list + seen.get + seen.pay;
    expect(total).toBeGreaterThan(1000);
    expect(r.requests.completed).toBe(total);
    expect(badAuth).toEqual([]);
    expect(badBody).toEqual([]);
    expect(Math.abs(seen.list / total - 0.6)).toBeLessThan(0.05);
    expect(Math.abs(seen.get / total - 0.3)).toBeLessThan(0.05);
    expect(Math.abs(seen.pay / total - 0.1)).toBeLessThan(0.05);
    expect(ids.size).toBeGreaterThan(100);
    expect(new Set(seqs).size).toBe(seqs.length); // sequences are unique across threads
    expect(r.requests.byName.list?.completed).toBe(seen.list);
    expect(r.requests.byName.pay?.completed).toBe(seen.pay);
  });

  it('runs a JSON scenario: JSON and CSV data, uuid/oneOf/int/seq/random generators, text bodies, VU ids', async () => {
    const price: Record<string, number> = { A1: 12.5, B2: 3, C3: 0.99 };
    const seen = { browse: 0, cart: 0, note: 0 };
    const bad: string[] = [];
    const rids = new Set<string>();
    const colors = new Map<string, number>();
    const cartSkus = new Map<string, number>();
    const browseSkus = new Set<string>();
    const vus = new Set<number>();
    server = await httpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.end('ok');
        const url = new URL(req.url ?? '/', 'http://x');
        const browse = /^\/items\/(A1|B2|C3)$/.exec(url.pathname);
        const note = /^\/notes\/(\d+)$/.exec(url.pathname);
        if (req.method === 'GET' && browse) {
          seen.browse++;
          browseSkus.add(browse[1] as string);
          const color = url.searchParams.get('color') ?? '';
          colors.set(color, (colors.get(color) ?? 0) + 1);
          const rid = String(req.headers['x-request-id']);
          if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(rid))
            bad.push(rid);
          rids.add(rid);
        } else if (req.method === 'POST' && url.pathname === '/cart') {
          seen.cart++;
          const c = JSON.parse(body) as { sku: string; price: unknown; qty: unknown; user: string };
          // A JSON data row keeps its types: the price is the row's number, the qty an integer in range.
          const ok =
            c.price === price[c.sku] &&
            Number.isInteger(c.qty) &&
            (c.qty as number) >= 1 &&
            (c.qty as number) <= 9 &&
            ['alice', 'bob', 'carol'].includes(c.user) &&
            req.headers['content-type'] === 'application/json';
          if (!ok) bad.push(body);
          cartSkus.set(c.sku, (cartSkus.get(c.sku) ?? 0) + 1);
        } else if (req.method === 'PUT' && note) {
          seen.note++;
          vus.add(Number(note[1]));
          if (!new RegExp(`^from vu ${note[1]}: (red|green|blue)$`).test(body)) bad.push(body);
        } else bad.push(`${req.method} ${req.url}`);
      });
    });
    const r = await load({
      url: server.url,
      connections: 4,
      threads: 1,
      duration: '1.5s',
      scenario: path.join(FIXTURES, 'variety.json'),
    });
    const total = seen.browse + seen.cart + seen.note;
    expect(total).toBeGreaterThan(1000);
    expect(r.requests.completed).toBe(total);
    expect(bad).toEqual([]);
    // The declared mix, 5:3:2, within ±5 points.
    expect(Math.abs(seen.browse / total - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(seen.cart / total - 0.3)).toBeLessThan(0.05);
    expect(Math.abs(seen.note / total - 0.2)).toBeLessThan(0.05);
    expect(r.requests.byName.note?.completed).toBe(seen.note);
    expect(rids.size).toBe(seen.browse); // a fresh uuid per request
    expect([...colors.keys()].sort()).toEqual(['blue', 'green', 'red']);
    expect(browseSkus.size).toBe(3); // random rows
    // `pick: seq` walks the rows in order: each row used equally often (±1).
    const perRow = [...cartSkus.values()];
    expect(perRow).toHaveLength(3);
    expect(Math.max(...perRow) - Math.min(...perRow)).toBeLessThanOrEqual(1);
    expect([...vus].sort()).toEqual([0, 1, 2, 3]);
  });

  it('rejects an invalid scenario with one clear line', async () => {
    server = await httpServer((_req, res) => res.end());
    const bad = path.join(FIXTURES, 'bad.json');
    await expect(load({ url: server.url, duration: '1s', threads: 1, scenario: bad })).rejects.toThrow(
      /invalid scenario .*requests\.0\.path/,
    );
    await expect(
      load({ url: server.url, duration: '1s', threads: 1, scenario: path.join(FIXTURES, 'missing.ts') }),
    ).rejects.toThrow(/cannot load scenario/);
  });
});
