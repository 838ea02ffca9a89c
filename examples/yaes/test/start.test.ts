/**
 * `npm start -w examples/yaes` as an operator runs it: SIGTERM sent to npm reaches the server, which drains
 * and exits 0 with its port closed (the start script execs node; before, npm died and the server kept
 * serving). Without JWT_KEY it signs with a random key and says so: a token signed with the development key
 * that used to be in the source is refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const OLD_PUBLIC_KEY = new TextEncoder().encode('yaes-development-key-do-not-use-in-production');

interface LogLine {
  level: number;
  msg: string;
  url?: string;
  config?: { jwtKey?: string };
}

describe('npm start', () => {
  let database: TestDatabase;
  let npm: ChildProcess | undefined;
  const lines: LogLine[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    // npm leads its own process group: whatever is left of it (a server that missed the signal) goes too.
    if (npm?.pid) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
    }
    await database?.drop();
  });

  it('passes SIGTERM to the server, which exits 0 and closes its port; without JWT_KEY the key is random', async () => {
    const { JWT_KEY: _unset, ...env } = process.env;
    const child = spawn('npm', ['start', '-w', 'examples/yaes'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...env,
        APP_ENV: 'development',
        DATABASE_URL: database.url,
        PORT: '0',
        ADMIN_PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        BCRYPT_COST: '4',
      },
    });
    npm = child;
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout?.on('data', (chunk) => {
        buffered += String(chunk);
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (!line.startsWith('{')) continue;
          const parsed = JSON.parse(line) as LogLine;
          lines.push(parsed);
          if (parsed.msg === 'listening' && parsed.url) resolve(parsed.url.replace(/\/$/, ''));
        }
      });
      child.on('exit', (code) => reject(new Error(`npm start exited ${code} before listening: ${stderr}`)));
    });

    // Soft: a failure here still lets the signal half of the test run and report.
    expect.soft(lines.find((l) => l.msg === 'yaes configured')?.config?.jwtKey).toBe('random per process');
    expect.soft(lines.some((l) => l.level === 40 && /JWT_KEY is not set/.test(l.msg))).toBe(true);
    const credentials = { Username: 'starter', Password: 'pw' };
    const created = await call<{ ID: number }>(url, 'POST', '/users', {
      body: { ...credentials, MobileNumber: '+4911' },
    });
    const login = await call<{ token: string }>(url, 'POST', '/login', { body: credentials });
    expect((await call(url, 'GET', '/users', { token: login.body.token })).status).toBe(200);
    const forged = await new SignJWT({ userID: created.body.ID })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(OLD_PUBLIC_KEY);
    expect.soft((await call(url, 'GET', '/users', { token: forged })).status).toBe(401);

    const exited = once(child, 'exit', { signal: AbortSignal.timeout(10_000) });
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/users`)).rejects.toThrow();
  });
});
