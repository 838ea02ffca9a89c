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
