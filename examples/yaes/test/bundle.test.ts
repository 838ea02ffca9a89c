/**
 * "The binary is all you need": the esbuild bundle builds, migrates, serves the API and exits 0 on SIGTERM —
 * what the Docker image runs, checked without Docker.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from './support/client.js';

const YAES = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(YAES, 'dist');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('esbuild bundle', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('builds main.js, migrate.js and seed.js; migrate needs no JWT_KEY, even in production', async () => {
    await run(process.execPath, ['--import', 'tsx', join(YAES, 'scripts/bundle.ts'), DIST], { cwd: YAES });
    const { JWT_KEY: _unset, ...env } = process.env;
    const { stdout } = await run(process.execPath, [join(DIST, 'migrate.js')], {
      env: { ...env, APP_ENV: 'production' },
    });
    expect(stdout).toMatch(/migrated pglite:memory: 0001-initial/);
    const seeded = await run(process.execPath, [join(DIST, 'seed.js'), '--users', '3'], {
      env: { ...env, BCRYPT_COST: '4' },
    });
    expect(seeded.stdout).toMatch(/seeded 3 users/);
  });

  it('refuses cluster mode on the embedded PGlite with one line and exit 2', async () => {
    const failed = await run(process.execPath, [join(DIST, 'main.js')], {
      env: { ...process.env, WORKERS: '2', DATABASE_URL: '' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^yaes: .*WORKERS=2 needs PostgreSQL/),
    });
  });

  it('serves the API, answers probes, and exits 0 on SIGTERM', async () => {
    const [port, adminPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, [join(DIST, 'main.js')], {
      env: {
        ...process.env,
        APP_ENV: 'test',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const admin = `http://127.0.0.1:${adminPort}`;
    let ready = 0;
    for (let i = 0; i < 400 && ready !== 200; i++) {
      ready = await fetch(`${admin}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready, stderr).toBe(200);
    const created = await call(`http://127.0.0.1:${port}`, 'POST', '/users', {
      body: { Username: 'bundled', MobileNumber: '1', Password: 'p' },
    });
    expect(created.status).toBe(200);
    proc.kill('SIGTERM');
    const [code] = await once(proc, 'exit');
    expect(code).toBe(0);
  });
});
