import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from './helpers.js';

/** The function the CPU profile must find: burns CPU for `ms`. */
function spinTheWheelForProfiling(ms: number): number {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  return x;
}

function functionNames(body: ArrayBuffer): string[] {
  const profile = Profile.decode(gunzipSync(Buffer.from(body)));
  return profile.function.map((f) => profile.stringTable.strings[Number(f.name)] ?? '');
}

describe('pprof endpoints', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startService(async (app) => {
      app.get('/busy', async () => ({ x: spinTheWheelForProfiling(200) }));
    });
  });
  afterAll(() => t.service.close());

  it('returns a gzip pprof CPU profile that contains the busy function', async () => {
    const profiling = fetch(`${t.adminUrl}/debug/pprof/profile?seconds=1`);
    const until = Date.now() + 900;
    while (Date.now() < until) await (await fetch(`${t.url}/busy`)).text();
    const res = await profiling;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const names = functionNames(await res.arrayBuffer());
    expect(names).toContain('spinTheWheelForProfiling');
    expect((await fetch(`${t.adminUrl}/debug/pprof/profile?seconds=abc`)).status).toBe(400);
  });

  it('returns a heap profile that decodes as pprof', async () => {
    const res = await fetch(`${t.adminUrl}/debug/pprof/heap`);
    expect(res.status).toBe(200);
    const profile = Profile.decode(gunzipSync(Buffer.from(await res.arrayBuffer())));
    const types = profile.sampleType.map((s) => profile.stringTable.strings[Number(s.type)]);
    expect(types).toEqual(['inuse_objects', 'inuse_space']);
    expect(profile.sample.length).toBeGreaterThan(0);
  });
});
