/** `headroom bench`: the real runner on the fixture — Go-format output, JSON, tags, errors and exit codes. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCpu, highestCpu } from '../../src/bench/cpu-pin.js';
import { readReport } from '../../src/bench/report-file.js';
import { measureInChild, pinnedCpu } from '../../src/bench/sampling.js';
import { tempDir } from '../support/temp-dir.js';
import { headroom } from './helpers.js';

const fixture = 'test/bench/fixtures/work.bench.ts';
const quick = ['--time', '5ms', '--count', '5', '--no-progress', '--heap-processes', '1'];

describe('highestCpu', () => {
  it.each([
    ['0-1', 1],
    ['0', 0],
    ['0-3,6', 6],
    ['4,1-2', 4],
    ['', null],
  ])('%s → %s', (list, cpu) => expect(highestCpu(list)).toBe(cpu));
});

describe('headroom bench', () => {
  it('prints Go-format lines benchstat reads, a table, and writes headroom.bench/v1 JSON', () => {
    const dir = tempDir('bench');
    const json = join(dir, 'run.json');
    const run = headroom([
      'bench',
      fixture,
      '--filter',
      'loop|alloc|go-style|async',
      ...quick,
      '--heap-processes',
      '2',
      '-o',
      json,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const goLines = run.stdout.split('\n').filter((line) => line.startsWith('Benchmark'));
    expect(goLines).toHaveLength(4 * 5);
    for (const line of goLines)
      expect(line).toMatch(/^BenchmarkWork\/[a-z-]+-\d+\t +\d+\t +[\d.]+ ns\/op\t +\d+ B\/op$/);
    expect(run.stdout).toMatch(/^goos: linux$/m);
    expect(run.stdout).toMatch(/^benchmark\s+median\s+95% interval/m);
    const report = readReport(json);
    expect(report.environment.node).toBe(process.version);
    expect(report.environment.v8Flags).toEqual(expect.arrayContaining(['--expose-gc', '--no-maglev']));
    const byName = new Map(report.benchmarks.map((b) => [b.name, b]));
    expect([...byName.keys()].sort()).toEqual(['work/alloc', 'work/async', 'work/go-style', 'work/loop']);
    for (const b of report.benchmarks) {
      expect(b.samples).toHaveLength(5);
      expect(b.iterations.every((n) => n >= 1)).toBe(true);
      expect(b.summary.median).toBeGreaterThan(0);
    }
    // B/op of every heap batch, one array per process: the timed one and one heap-only one.
    const alloc = byName.get('work/alloc')!;
    expect(alloc.heapSamples).toHaveLength(2);
    for (const batches of alloc.heapSamples!) expect(batches.length).toBeGreaterThanOrEqual(3);
    // Allocation is measured: a 16-element array allocates, an integer loop does not.
    expect(byName.get('work/alloc')!.heapBytesPerOp!).toBeGreaterThan(50);
    // (Below what the array costs, not 0: on Node 24 one process in a few allocates for its whole life where the
    // others do not — 36 B/op seen as the median of two processes.)
    expect(byName.get('work/loop')!.heapBytesPerOp!).toBeLessThan(50);
    // b.resetTimer(): the 1000-element setup is not charged to the per-op figures.
    expect(byName.get('work/go-style')!.heapBytesPerOp!).toBeLessThan(1);
  });

  it('skips tagged benchmarks unless --tags names them; --out-dir writes <timestamp>-<sha>.json', () => {
    const skipped = headroom(['bench', fixture, '--filter', 'integration', ...quick]);
    expect(skipped.code).toBe(2);
    expect(skipped.stderr).toMatch(/^headroom: no benchmarks selected/m);
    const dir = tempDir('history');
    const tagged = headroom([
      'bench',
      fixture,
      '--filter',
      'integration',
      '--tags',
      'integration',
      ...quick,
      '--out-dir',
      dir,
    ]);
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toMatch(/^BenchmarkWork\/integration-\d+\s/m);
    const [name] = readdirSync(dir);
    expect(name).toMatch(/^\d{8}T\d{6}Z-([0-9a-f]{7}(-dirty)?|nogit)\.json$/);
    expect(JSON.parse(readFileSync(join(dir, name!), 'utf8')).schema).toBe('headroom.bench/v1');
  });

  it.runIf(benchCpu() !== null)(
    'pins benchmark processes to one CPU, recorded in the report; --no-pin does not',
    () => {
      const dir = tempDir('pin');
      const affinity = join(dir, 'affinity');
      const run = (flags: string[]) => {
        const json = join(dir, 'run.json');
        const result = headroom(['bench', fixture, '--filter', 'affinity', ...quick, ...flags, '-o', json], {
          env: { HEADROOM_FIXTURE_AFFINITY_FILE: affinity },
        });
        expect(result.code, result.stderr).toBe(0);
        return { stdout: result.stdout, report: readReport(json), allowed: readFileSync(affinity, 'utf8') };
      };
      const pinned = run([]);
      expect(pinned.report.settings.pinnedCpu).toBe(benchCpu());
      expect(pinned.allowed).toBe(String(benchCpu()));
      expect(pinned.stdout).toContain(`pinned to CPU ${benchCpu()}`);
      const free = run(['--no-pin']);
      expect(free.report.settings.pinnedCpu).toBeNull();
      expect(free.allowed).toBe(
        /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1],
      );
    },
  );

  it.runIf((benchCpu() ?? 0) > 0)('pin: <n> in the library pins to CPU n, recorded as such', async () => {
    const affinity = join(tempDir('pin'), 'affinity');
    const cpu = benchCpu()! - 1;
    const settings = { timeMs: 1, count: 1, clock: 'cpu' as const, pin: cpu };
    const bench = { file: fixture, name: 'work/affinity', tags: [] };
    const outcome = await measureInChild(bench, settings, {
      cwd: process.cwd(),
      env: { HEADROOM_FIXTURE_AFFINITY_FILE: affinity },
    });
    expect(outcome.ok, outcome.ok ? '' : outcome.error).toBe(true);
    expect(readFileSync(affinity, 'utf8')).toBe(String(cpu));
    expect(pinnedCpu(settings)).toBe(cpu);
  });

  it('a throwing benchmark: Go-style FAIL line, exit 1', () => {
    const run = headroom(['bench', fixture, '--filter', 'throws', ...quick], {
      env: { HEADROOM_FIXTURE_THROW: '1' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^--- FAIL: BenchmarkWork\/throws-\d+\n\s+Error: boom from fixture$/m);
  });

  it('a missing file or a bad flag: one line, exit 2', () => {
    const missing = headroom(['bench', 'no/such.bench.ts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^headroom: no such benchmark file or directory: no\/such\.bench\.ts$/m);
    expect(headroom(['bench', fixture, '--time', 'soon']).code).toBe(2);
    expect(headroom(['bench', fixture, '--filter', '(']).code).toBe(2);
  });
});
