/**
 * Properties that need a process of their own: the leak bound (1,000,000 children created and cancelled off one
 * long-lived root, heap growth after GC, measured with --expose-gc away from vitest's heap, with the leaking
 * AbortSignal.any pattern as contrast) and timers that never keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const MB = 1024 * 1024;

function probe(mode: string, count: number): { growthBytes: number; rootLive: boolean } {
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fixture('leak.ts'), mode, String(count)],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as { growthBytes: number; rootLive: boolean };
}

describe('no leaks', () => {
  it('1,000,000 children created and cancelled off one long-lived root grow the heap < 10 MB', () => {
    const result = probe('context', 1_000_000);
    expect(result.rootLive).toBe(true);
    expect(result.growthBytes).toBeLessThan(10 * MB);
  });

  it('the same with each child’s AbortSignal created (100,000) stays < 1 MB; AbortSignal.any grows', () => {
    const withSignals = probe('signal', 100_000);
    expect(withSignals.growthBytes).toBeLessThan(1 * MB);
    // Contrast, so the probe is known to see a leak (nodejs/node#48419): composites off a long-lived signal are
    // kept by it, about 90 bytes each on Node 20 and 47 on Node 24 — 50,000 of them grow the heap 2.4–4.5 MB where
    // the tree grows none.
    const viaAny = probe('any', 50_000);
    expect(viaAny.growthBytes).toBeGreaterThan(1.5 * MB);
  });
});

describe('timers', () => {
  it('a pending 1 h deadline does not keep the process alive', () => {
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture('timers.ts')], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toBe('armed\n');
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
