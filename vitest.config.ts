import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Load tests measure throughput and latency: keep files from fighting over the 2 cores.
    fileParallelism: false,
    pool: 'forks',
  },
});
