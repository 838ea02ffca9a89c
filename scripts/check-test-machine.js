#!/usr/bin/env node
/**
 * `npm test`'s pretest: the suite needs Debian's Chromium (/usr/bin/chromium, the HTML report tests) and PostgreSQL
 * on YAES_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432). As root on Debian it installs the one and starts
 * the other; otherwise it stops with one line saying what is missing and how to get it. Plain JavaScript: it runs
 * before anything is built.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

const CHROMIUM = '/usr/bin/chromium';
const postgres = new URL(process.env.YAES_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const isRoot = process.getuid?.() === 0;

/** Runs a setup command quietly; true when it succeeded. */
function tryRun(command, args) {
  try {
    execFileSync(command, args, {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections at the PostgreSQL URL's host and port (within two seconds). */
function postgresListening() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Starts the Debian cluster(s) of this machine, when there are any. */
function startDebianPostgres() {
  if (!isRoot || !existsSync('/etc/postgresql')) return false;
  return readdirSync('/etc/postgresql').some((version) =>
    tryRun('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']),
  );
}

const problems = [];
if (!existsSync(CHROMIUM)) {
  const installed =
    isRoot &&
    existsSync('/usr/bin/apt-get') &&
    tryRun('apt-get', ['update', '-qq']) &&
    tryRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!installed || !existsSync(CHROMIUM)) {
    problems.push(`Chromium is missing at ${CHROMIUM} (Debian: sudo apt-get install chromium)`);
  }
}
if (!(await postgresListening()) && !(startDebianPostgres() && (await postgresListening()))) {
  problems.push(
    `PostgreSQL is not listening on ${postgres.host} (start it, or point YAES_TEST_PG_URL at one with trust auth)`,
  );
}
if (problems.length > 0) {
  console.error(`npm test cannot run here: ${problems.join('; ')}`);
  process.exit(1);
}
