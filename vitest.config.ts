import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that assert no rate, latency, duration or timing (parsers, statistics on synthetic data, the bench runner's
 * output and B/op — allocation does not depend on timing —, the YAES API, fuzz, bundle and deploy checks): they
 * run first, two at a time. Their databases are uniquely named and their servers listen on port 0. Not here:
 * test/package/pack.test.ts (its `npm pack` rebuilds dist/, which the YAES tests import).
 */
const untimed = [
  'test/architecture/imports.test.ts',
  'test/bench/compare-cli.test.ts',
  'test/bench/run-cli.test.ts',
  'test/bench/statistics.test.ts',
  'test/limits/outcome-text.test.ts',
  'test/limits/profile-report.test.ts',
  'test/limits/sealed-failure.test.ts',
  'test/limits/search.test.ts',
  'test/load/hpack.test.ts',
  'test/load/units.test.ts',
  'test/service/config.test.ts',
  'examples/yaes/test/api.test.ts',
  'examples/yaes/test/bundle.test.ts',
  'examples/yaes/test/config.test.ts',
  'examples/yaes/test/deploy/*.test.ts',
  'examples/yaes/test/errors.test.ts',
  'examples/yaes/test/fuzz.test.ts',
  'examples/yaes/test/observability.test.ts',
  'examples/yaes/test/start.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
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
