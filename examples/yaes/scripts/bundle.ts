/**
 * `npm run bundle -w examples/yaes`: esbuild bundles YAES into dist/ — `main.js` (the service), `migrate.js`
 * and `seed.js` — plus a package.json naming the few packages that cannot be bundled (native or wasm
 * assets), so the runtime image is `npm install` of that file and the bundle: "the binary is all you need".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Loaded at run time: @datadog/pprof ships native binaries, PGlite loads its wasm next to its module. */
const EXTERNAL = ['@datadog/pprof', '@electric-sql/pglite'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ?? join(root, 'dist');
const require = createRequire(join(root, 'package.json'));

await build({
  entryPoints: { main: 'src/main.ts', migrate: 'src/cli/migrate.ts', seed: 'src/cli/seed.ts' },
  absWorkingDir: root,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: EXTERNAL,
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});

/** The installed version of `name` (its package.json may not be exported, so walk up from its entry). */
function version(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (manifest.name === name) return manifest.version;
  }
  throw new Error(`cannot find the version of ${name}`);
}
const manifest = {
  name: 'yaes-bundle',
  private: true,
  type: 'module',
  dependencies: Object.fromEntries(EXTERNAL.map((name) => [name, version(name)])),
};
writeFileSync(join(outdir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
