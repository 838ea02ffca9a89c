#!/usr/bin/env node
/**
 * `node scripts/run-parallel.js <npm script>…`: runs the named npm scripts at once (`npm test`'s type checks and
 * lint: each takes one to two cores for a few seconds, and none needs another's output), prints each one's output
 * whole as it ends, so they do not interleave, and exits non-zero when any failed. Plain JavaScript: it runs before
 * anything is built.
 */
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/run-parallel.js <npm script>…');
  process.exit(2);
}

/** Runs `npm run <name>`; resolves with its exit status once its output (stdout and stderr, in order) is printed. */
function run(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code, signal) => {
      process.stdout.write(Buffer.concat(chunks));
      if (code !== 0) console.error(`run-parallel: npm run ${name} failed (${signal ?? `exit ${code}`})`);
      resolve(code ?? 1);
    });
  });
}

const statuses = await Promise.all(names.map(run));
process.exit(statuses.some((status) => status !== 0) ? 1 : 0);
