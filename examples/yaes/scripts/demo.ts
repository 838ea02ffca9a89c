/**
 * `npm run demo`: YAES on the embedded PGlite (ephemeral ports) — or on PostgreSQL with `DATABASE_URL` set, then
 * sampled with `--db` too —, seeded, then `headroom limits` with the YAES scenario and the admin port for the
 * bottleneck profile. Prints the capacity, the bottleneck with its evidence, where the time went by package and
 * the path of the HTML report. Needs the root build (`npm run build`) for the CLI. PGlite starts from an empty
 * cluster dumped once per PGlite version (.yaes/), not from initdb.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createYaes } from '../src/app.js';
import { createPasswordHasher } from '../src/auth/passwords.js';
import { localLoadEnv } from '../src/config/local-env.js';
import { seedDatabase } from '../src/seed/seed.js';

const SEED_USERS = 200;
const engine = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
/** The evidence lines the summary repeats (the rest is in the HTML report). */
const EVIDENCE = /^(at \d+ req\/s:|machine:|pool "|database:|calls to )/;

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const reports = join(root, 'reports');
const started = Date.now();
const say = (line: string) =>
  console.log(`[demo ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`);

interface LimitsJson {
  outcome: string;
  capacity: { rps: number; low: number; high: number | null } | null;
  bottleneck: {
    kind: string;
    evidence: string[];
    topFunctions: { name: string; selfPct: number; package: string }[];
    packages: { name: string; selfPct: number }[];
  };
  profile: string | null;
}

say(
  engine === 'PGlite'
    ? 'starting YAES on embedded PGlite (BCRYPT_COST=4, logs at error)'
    : 'starting YAES on PostgreSQL (DATABASE_URL; BCRYPT_COST=4, logs at error)',
);
const { service, db } = await createYaes({
  env: {
    ...localLoadEnv(process.env, 'error'),
    ...(engine === 'PGlite' ? { YAES_PGLITE_TEMPLATE: await pgliteTemplate() } : {}),
  },
});
const { url, adminUrl } = await service.listen();
say(`YAES listening on ${url} (admin ${adminUrl})`);

try {
  const scope = { signal: new AbortController().signal };
  const seeded = await db.scoped(scope, (k) =>
    seedDatabase(k, createPasswordHasher(4), { users: SEED_USERS, onProgress: (l) => say(l) }),
  );
  say(`seed done: ${seeded.users} users, ${seeded.expenses} expenses, ${seeded.payables} payables`);

  mkdirSync(reports, { recursive: true });
  const html = join(reports, 'yaes-limits.html');
  const json = join(reports, 'yaes-limits.json');
  rmSync(json, { force: true });
  const args = [
    join(root, 'dist/cli/main.js'),
    'limits',
    url,
    '--scenario',
    join(here, '../scenario/yaes.scenario.ts'),
    '--admin',
    adminUrl,
    // On PostgreSQL, limits also samples the database (its waits, statements and backends' CPU).
    ...(process.env.DATABASE_URL ? ['--db', process.env.DATABASE_URL] : []),
    '--slo',
    'p99<50ms',
    '--slo',
    'errors<1%',
    '--max-time',
    '120s',
    // Limits waits for YAES's in-flight requests to drain after each step (--admin), so a short fixed pause after
    // a failing step is enough; two seconds of profile name the packages as well as three.
    '--cooldown',
    '250ms',
    '--profile-seconds',
    '2',
    '--html',
    html,
    '-o',
    json,
  ];
  say(
    `running: headroom limits ${url} --scenario examples/yaes/scenario/yaes.scenario.ts --slo 'p99<50ms' …`,
  );
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, YAES_SEED_USERS: String(SEED_USERS) },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (existsSync(json)) {
    printSummary(JSON.parse(readFileSync(json, 'utf8')) as LimitsJson, html, json);
    process.exitCode = code === 2 ? 2 : 0;
  } else {
    say(`headroom limits failed (exit ${code}) before writing a result; see its message above`);
    process.exitCode = code === 0 ? 1 : code;
  }
} finally {
  await service.close();
}

/**
 * An empty PGlite cluster, dumped once per PGlite version under .yaes/: starting from it skips initdb, most of
 * PGlite's boot (about 15 s of 20 on a busy 2-core machine). YAES migrates and the demo seeds it as before.
 */
async function pgliteTemplate(): Promise<string> {
  const require = createRequire(import.meta.url);
  const manifest = join(dirname(require.resolve('@electric-sql/pglite')), '../package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const path = join(root, '.yaes', `pglite-${version}-empty.tar.gz`);
  if (existsSync(path)) return path;
  say(
    `preparing an empty PGlite ${version} cluster once (initdb, 5–20 s; later runs start from ${relative(root, path)})`,
  );
  const pglite = new PGlite();
  await pglite.waitReady;
  const dump = await pglite.dumpDataDir('gzip');
  await pglite.close();
  mkdirSync(dirname(path), { recursive: true });
  // Written aside, then renamed: an interrupted run never leaves a torn template behind.
  writeFileSync(`${path}.${process.pid}`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${path}.${process.pid}`, path);
  return path;
}

/** The few lines a newcomer wants: capacity, bottleneck, hottest functions, where the reports are. */
function printSummary(result: LimitsJson, html: string, json: string): void {
  console.log('');
  say(
    result.capacity
      ? `YAES capacity on ${engine} under p99<50ms: ${Math.round(result.capacity.rps)} req/s (${result.outcome})`
      : `no capacity claimed (${result.outcome})`,
  );
  const [verdict, ...figures] = result.bottleneck.evidence;
  say(`bottleneck: ${result.bottleneck.kind} — ${verdict ?? ''}`);
  // The figures behind it: the process at the knee, and beyond it the machine, the pool, the database, calls out.
  for (const line of figures.filter((f) => EVIDENCE.test(f))) say(`  · ${line}`);
  const packages = result.bottleneck.packages.slice(0, 5).map((p) => `${p.name} ${p.selfPct.toFixed(1)}%`);
  if (packages.length > 0) say(`time by package: ${packages.join(', ')}`);
  // Your code's functions first (what you can change), the others marked with their package: `parse (pg)`.
  const own = (f: { package: string }) => (f.package === '(your code)' ? 0 : 1);
  const top = [...result.bottleneck.topFunctions]
    .sort((a, b) => own(a) - own(b))
    .slice(0, 4)
    .map(
      (f) => `${f.package.startsWith('(') ? f.name : `${f.name} (${f.package})`} ${f.selfPct.toFixed(1)}%`,
    );
  if (top.length > 0) say(`top functions: ${top.join(', ')}`);
  // npm runs workspace scripts in the workspace folder; show paths from where the user typed the command.
  const from = process.env.INIT_CWD ?? process.cwd();
  say(`HTML report: ${relative(from, html)}   JSON: ${relative(from, json)}`);
  if (result.profile) say(`CPU profile: ${relative(from, resolve(root, result.profile))}`);
}
