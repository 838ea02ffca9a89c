#!/usr/bin/env node
/**
 * `npm run build`: compiles src/ to dist/ with `tsc -p tsconfig.build.json`, then stamps dist/ with a hash of what
 * the build read (src/, the tsconfigs, the TypeScript version) and of what it wrote. With `--if-stale` (`npm run
 * demo`) the build is skipped when both still match — the same sources and untouched outputs give the same
 * JavaScript — and runs in full otherwise: any edit, a checkout (whatever its file times), a deleted or hand-changed
 * output, an interrupted or failed build (no stamp) all rebuild, so stale code never runs. Plain JavaScript: it runs
 * before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stampPath = join(dist, '.build-stamp.json');
const ifStale = process.argv.includes('--if-stale');

/** Every file under `dir`, sorted, except the stamp; [] when `dir` does not exist. */
function filesUnder(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((path) => path !== stampPath)
    .sort();
}

/** One hash over the paths and contents of `files`. */
function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

function inputsHash() {
  const typescript = createRequire(import.meta.url)('typescript/package.json').version;
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => join(root, f));
  return `${typescript}:${hashFiles([...configs, ...filesUnder(join(root, 'src'))])}`;
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return null;
  }
}

const inputs = inputsHash();
if (ifStale) {
  const stamp = readStamp();
  if (stamp?.inputs === inputs && stamp.outputs === hashFiles(filesUnder(dist))) {
    console.log('dist/ is up to date with src/ (build skipped)');
    process.exit(0);
  }
}
// No stamp while tsc writes: a build that fails or is cut short leaves dist/ stale, and the next one runs in full.
rmSync(stampPath, { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);
// The inputs hashed before tsc ran: a source edited during the build no longer matches, and rebuilds next time.
writeFileSync(stampPath, `${JSON.stringify({ inputs, outputs: hashFiles(filesUnder(dist)) })}\n`);
