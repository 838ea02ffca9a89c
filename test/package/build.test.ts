/**
 * scripts/build.js on a one-file project: `--if-stale` skips tsc only while the sources and the outputs are the
 * ones the last successful build stamped — whatever the files' times say.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../../', import.meta.url).pathname);
let project = '';

/** Runs the build in the project: whether tsc ran, and the exit status. */
function build(...args: string[]) {
  const run = spawnSync(process.execPath, ['scripts/build.js', ...args], { cwd: project, encoding: 'utf8' });
  return { built: !run.stdout.includes('build skipped'), status: run.status };
}

function source(text: string) {
  const file = path.join(project, 'src/a.ts');
  writeFileSync(file, text);
  // A time older than any build: only the content can tell the change.
  utimesSync(file, new Date('2001-01-01'), new Date('2001-01-01'));
}

const output = () => readFileSync(path.join(project, 'dist/a.js'), 'utf8');

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'headroom-build-'));
  mkdirSync(path.join(project, 'scripts'));
  mkdirSync(path.join(project, 'src'));
  copyFileSync(path.join(root, 'scripts/build.js'), path.join(project, 'scripts/build.js'));
  symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
  writeFileSync(path.join(project, 'package.json'), '{"type":"module"}');
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', strict: true, types: [], skipLibCheck: true } }),
  );
  writeFileSync(
    path.join(project, 'tsconfig.build.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { outDir: 'dist' }, include: ['src'] }),
  );
  source('export const a: number = 1;\n');
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('scripts/build.js --if-stale', () => {
  it('builds without a stamp, then skips while nothing changed', () => {
    expect(build('--if-stale')).toEqual({ built: true, status: 0 });
    expect(output()).toContain('a = 1');
    expect(build('--if-stale')).toEqual({ built: false, status: 0 });
  });

  it('rebuilds a source whose content changed, even with an older file time', () => {
    source('export const a: number = 2;\n');
    expect(build('--if-stale')).toEqual({ built: true, status: 0 });
    expect(output()).toContain('a = 2');
  });

  it('rebuilds when an output was deleted or edited', () => {
    rmSync(path.join(project, 'dist/a.js'));
    expect(build('--if-stale').built).toBe(true);
    expect(output()).toContain('a = 2');
    writeFileSync(path.join(project, 'dist/a.js'), 'export const a = 99;\n');
    expect(build('--if-stale').built).toBe(true);
    expect(output()).toContain('a = 2');
  });

  it('after a failed build, the next one runs again (no stamp is left)', () => {
    source('export const a: number = "three";\n');
    expect(build().status).not.toBe(0);
    expect(build('--if-stale').built).toBe(true);
    source('export const a: number = 3;\n');
    expect(build('--if-stale')).toEqual({ built: true, status: 0 });
    expect(build('--if-stale')).toEqual({ built: false, status: 0 });
  });
});
