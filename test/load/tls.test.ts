import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { load } from '../../src/load/index.js';

// A self-signed certificate for CN=localhost, for tests only.
const FIXTURES = path.join(import.meta.dirname, 'fixtures');
let served = 0;
const server = https.createServer(
  {
    cert: readFileSync(path.join(FIXTURES, 'self-signed-cert.pem')),
    key: readFileSync(path.join(FIXTURES, 'self-signed-key.pem')),
  },
  (_req, res) => {
    served++;
    res.end('secure');
  },
);
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

it('refuses a self-signed certificate unless --insecure, then loads over TLS with handshake timings', async () => {
  await expect(load({ url, duration: '1s', threads: 1 })).rejects.toThrow(/cannot reach .*--insecure/);
  const r = await load({ url, insecure: true, connections: 4, threads: 1, duration: '1s' });
  expect(r.requests.completed).toBeGreaterThan(100);
  expect(r.requests.completed).toBe(served);
  expect(r.requests.errors).toBe(0);
  expect(r.phasesMs.tls?.p50).toBeGreaterThan(0);
  expect(r.phasesMs.connect?.p50).toBeGreaterThan(0);
});
