import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The untimed files that take longest (5–30 s each on the 2-core CI machine, the rest take a second or two), longest
 * first. Started first, so the two workers end together instead of one finishing a long file alone while the other
 * idles. Vitest orders by the durations it cached in node_modules/.vite, which a fresh `npm ci` does not have.
 */
const slowUntimed = [
  'examples/yaes/test/bundle.test.ts',
  'test/bench/run-cli.test.ts',
  'examples/yaes/test/fuzz.test.ts',
  'test/bench/heap-honesty.test.ts',
  'test/package/build.test.ts',
  'test/package/pack.test.ts',
  'examples/yaes/test/api.test.ts',
  'examples/yaes/test/deploy/manifests.test.ts',
];

/** Vitest's order (groups, then cached durations), with `slowUntimed` moved to the front of its project. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Projects come in blocks (groupOrder first); a stable sort on (block, rank) keeps the rest in Vitest's order.
    const block = new Map<string, number>();
    sorted.forEach((spec, i) => {
      if (!block.has(spec.project.name)) block.set(spec.project.name, i);
    });
    const rank = (spec: TestSpecification) => {
      const i = slowUntimed.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return i === -1 ? slowUntimed.length : i;
    };
    const blockOf = (spec: TestSpecification) => block.get(spec.project.name) ?? 0;
    return sorted.sort((a, b) => blockOf(a) - blockOf(b) || rank(a) - rank(b));
  }
}

/**
 * Files that assert no rate, latency, duration or timing (parsers, statistics on synthetic data, the bench runner's
 * output and B/op — allocation does not depend on timing, so the heap gate's honesty too —, context semantics on
 * fake timers or with waits bounded from below only — or from above only by a hang check, seconds against a 30 s
 * profile or a 1 h timer —, the context leak bounds (heap growth after GC), the adaptive limit and the collector's
 * live merge on injected clocks, the limits analysis (profiles, metrics text, verdicts on synthetic steps), OTLP
 * span export, the YAES API, seed, fixed-count scenario run, fuzz, bundle and deploy checks, the packed package, the
 * build script on a one-file project, request ids, the dashboard's event replay, in-memory paging): they run first,
 * two at a time. Their databases are uniquely named and their servers listen on port 0. dist/ is built (when stale)
 * once, before any file: test/support/build-dist.ts.
 */
const untimed = [
  ...slowUntimed,
  'test/architecture/imports.test.ts',
  'test/bench/compare-cli.test.ts',
  'test/bench/statistics.test.ts',
  'test/context/deadline-queue.test.ts',
  'test/context/helpers.test.ts',
  'test/context/process.test.ts',
  'test/context/semantics.test.ts',
  'test/limits/analysis.test.ts',
  'test/limits/outcome-text.test.ts',
  'test/limits/profile-report.test.ts',
  'test/limits/sealed-failure.test.ts',
  'test/limits/search.test.ts',
  'test/dashboard/sse-server.test.ts',
  'test/load/hpack.test.ts',
  'test/load/live.test.ts',
  'test/load/units.test.ts',
  'test/service/access-log.test.ts',
  'test/service/buffered-output.test.ts',
  'test/service/concurrency-limit.test.ts',
  'test/service/config.test.ts',
  'test/service/request-id.test.ts',
  'test/service/tracing.test.ts',
  'examples/yaes/test/config.test.ts',
  'examples/yaes/test/deploy/*.test.ts',
  'examples/yaes/test/errors.test.ts',
  'examples/yaes/test/memory-repository.test.ts',
  'examples/yaes/test/observability.test.ts',
  'examples/yaes/test/scenario.test.ts',
  'examples/yaes/test/start.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/build-dist.ts'],
    // Names a file whose worker died before its tests reported (Vitest only counts them); see scripts/vitest-run.js.
    reporters: ['default', './test/support/unfinished-files-reporter.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'untimed', include: untimed, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        // Load, limits and bench tests measure throughput, latency and time: one file at a time, after the rest,
        // so files do not fight over the 2 cores. New files land here unless listed above.
        extends: true,
        test: {
          name: 'timed',
          include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...untimed],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
