#!/usr/bin/env node
// `npm run bench`: the project's own benchmarks (bench/*.bench.ts) with the built CLI; extra arguments pass through,
// e.g. `npm run bench -- --time 200ms --count 5 --json bench-results/latest.json`.
import { spawnSync } from 'node:child_process';

const cli = new URL('../dist/cli/main.js', import.meta.url).pathname;
const bench = new URL('.', import.meta.url).pathname;
const result = spawnSync(process.execPath, [cli, 'bench', bench, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
