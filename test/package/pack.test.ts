/**
 * The package as users get it: `npm pack` of dist/ (built once per run by test/support/build-dist.ts, so without
 * prepack's rebuild under the other files' feet), the tarball installed into a fresh project without the optional
 * peers, then the CLI, every subpath export and their types used from there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(new URL('../../', import.meta.url).pathname);
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};
/** Every importable entry (`<name>/context`, …), from the manifest's exports. */
const entries = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => `${manifest.name}${key.slice(1)}`);

let project = '';

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: project, encoding: 'utf8', timeout: 120_000 });
}

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'headroom-pack-'));
  const tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .at(-1) as string;
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`], {
    cwd: project,
    stdio: 'ignore',
  });
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package, installed without its optional peers', () => {
  it('installs none of the optional peers', () => {
    for (const peer of Object.keys(manifest.peerDependencies)) {
      expect(run(process.execPath, ['-e', `import.meta.resolve(${JSON.stringify(peer)})`]).status).not.toBe(
        0,
      );
    }
  });

  it('runs the headroom command', () => {
    const help = run('npx', ['--no-install', 'headroom', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: headroom/);
    expect(help.stdout).toMatch(/load .*<url>/);
  });

  it('imports every subpath export', () => {
    const script = entries.map((entry) => `await import(${JSON.stringify(entry)});`).join('\n');
    const imported = run(process.execPath, ['--input-type=module', '-e', script]);
    expect(imported.status, imported.stderr).toBe(0);
  });

  it('resolves the types of every entry', () => {
    const lines = entries.map((entry, i) => `import * as entry${i} from ${JSON.stringify(entry)};`);
    lines.push(`export const all = [${entries.map((_, i) => `entry${i}`).join(', ')}];`);
    writeFileSync(path.join(project, 'uses.ts'), lines.join('\n'));
    const tsc = run(process.execPath, [
      path.join(root, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      '--typeRoots',
      path.join(root, 'node_modules/@types'),
      'uses.ts',
    ]);
    expect(tsc.status, tsc.stdout).toBe(0);
  });

  it('names the missing optional peer in one line when a TypeScript file needs tsx (exit 2)', () => {
    writeFileSync(path.join(project, 'sum.bench.ts'), 'export default {};\n');
    const bench = run('npx', ['--no-install', 'headroom', 'bench', 'sum.bench.ts', '--count', '1']);
    expect(bench.status).toBe(2);
    expect(bench.stderr.trim()).toMatch(
      /^.*tsx is not installed; TypeScript scenario and benchmark files need it: npm install tsx$/,
    );
    expect(bench.stderr.trim().split('\n')).toHaveLength(1);
  });
});
