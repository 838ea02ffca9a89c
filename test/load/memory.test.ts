/**
 * Memory stays flat on long runs: nothing is stored per request (k6#3618 is the anti-anchor). The generator runs
 * in a child process with `--expose-gc`; after a full GC each second, its heap must not grow with the requests.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpServer, ROOT, type TestServer } from './helpers.js';

interface Sample {
  t: number;
  completed: number;
  heap: number;
  external: number;
}

const GENERATOR = `
const { load } = await import(process.argv[1]);
const samples = [];
let completed = 0;
await load({
  url: process.argv[2], connections: 16, threads: 1, duration: '6s',
  onProgress: (p) => {
    completed += p.completed;
    globalThis.gc();
    const m = process.memoryUsage();
    samples.push({ t: p.elapsedS, completed, heap: m.heapUsed, external: m.external });
  },
});
process.stdout.write(JSON.stringify(samples));`;

let server: TestServer;
beforeAll(async () => {
  server = await httpServer((_req, res) => res.end('hello'));
});
afterAll(() => server.close());

it('keeps the generator heap flat while requests pile up', async () => {
  const entry = path.join(ROOT, 'dist/load/index.js');
  const samples = await new Promise<Sample[]>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--input-type=module', '-e', GENERATOR, entry, server.url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Sample[]) : reject(new Error(`exit ${code}`)),
    );
  });
  expect(samples.length).toBe(6);
  // From second 2 on (past JIT warm-up) to the end.
  const from = samples[1] as Sample;
  const to = samples[samples.length - 1] as Sample;
  const requests = to.completed - from.completed;
  const grew = to.heap + to.external - (from.heap + from.external);
  console.log(`${requests} requests, heap+external grew ${(grew / 1024).toFixed(0)} KiB`);
  expect(requests).toBeGreaterThan(20_000);
  // Storing even one 8-byte number per request would add 8 B × requests; allow 2 B per request of noise.
  expect(grew).toBeLessThan(256 * 1024 + 2 * requests);
});
