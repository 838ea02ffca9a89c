/** The four demos in examples/contexts run and say what the course's demos show (they import the built dist/). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function demo(name: string, ...args: string[]): string[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', `examples/contexts/${name}.ts`, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return child.stdout.trimEnd().split('\n');
}

describe('examples/contexts', () => {
  it('run-all: 10,000 searchers, first wins and the rest stop; 10 searchers end NotFound; 5 s deadline; values', () => {
    const lines = demo('run-all');
    expect(lines[0]).toBe('cancellation: 10000 searchers look for 150 in [0, 100000)');
    expect(lines[1]).toMatch(/^found 150: searcher #\d+ after \d+ draws \([\d.]+ ms\)$/);
    const others =
      /^the others: (\d+) stopped on "context canceled", (\d+) also found it, (\d+) gave up$/.exec(
        lines[2] ?? '',
      );
    expect(others).not.toBeNull();
    const [stopped, alsoFound, gaveUp] = (others ?? []).slice(1).map(Number) as [number, number, number];
    expect(stopped + alsoFound + gaveUp).toBe(9_999);
    expect(stopped).toBeGreaterThan(9_000);
    expect(lines.slice(4, 6)).toEqual([
      'not found: 10 searchers look for 150 in [0, 100000)',
      'NotFoundError: all 10 searchers gave up — no deadlock, the search just ends',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^deadline: timeout 5s, deadline /));
    expect(lines).toContain("a child asking for 1h gets the parent's deadline: true");
    expect(
      lines.some((line) =>
        /^slow job \(\d+ms\): stopped at the deadline after \d+ms: context deadline exceeded$/.test(line),
      ),
    ).toBe(true);
    expect(lines.slice(-4)).toEqual([
      'values: typed keys carried down to the handler',
      '[req=r-1 trace=4bf92f35] from 203.0.113.7 as tok-alice',
      '[req=r-2 trace=00000000] from 198.51.100.4 as anonymous',
      'a key with the same name is another key: undefined',
    ]);
  });

  it('deadline: the fast job finishes, the child gets the parent’s deadline, the slow job stops on time', () => {
    const lines = demo('deadline', '300ms');
    expect(lines[0]).toMatch(/^deadline: timeout 300ms, deadline \d{4}-\d\d-\d\dT/);
    expect(lines[1]).toMatch(/^fast job \(\d+ms\): done$/);
    expect(lines[2]).toBe("a child asking for 1h gets the parent's deadline: true");
    const slow =
      /^slow job \(\d+ms\): stopped at the deadline after (\d+)ms: context deadline exceeded$/.exec(
        lines[3] ?? '',
      );
    expect(slow).not.toBeNull();
    expect(Number(slow?.[1])).toBeLessThan(1_000);
    expect(lines[4]).toBe('ctx.err: DeadlineExceededError');
  });
});
