/**
 * `--dashboard [HOST:PORT]` of `load` and `limits`: the flag, its address grammar, and starting the live page
 * (its URL printed on stderr before the run starts).
 */
import type { Command } from 'commander';
import { type Dashboard, type DashboardStart, startDashboard } from '../dashboard/index.js';
import { listenArg } from './flags.js';

/** Where the dashboard listens. */
export interface DashboardAddress {
  host: string;
  port: number;
}

/** `--dashboard` given alone: this machine only, a free port. */
const DEFAULT_ADDRESS: DashboardAddress = { host: '127.0.0.1', port: 0 };

/** The flag's value: empty = the default, `PORT` on 127.0.0.1, else `HOST:PORT` as `--listen` (`:PORT` = all). */
export function dashboardArg(text: string): DashboardAddress {
  if (text.trim() === '') return DEFAULT_ADDRESS;
  if (/^\s*\d{1,5}\s*$/.test(text)) return listenArg(`127.0.0.1:${text.trim()}`);
  return listenArg(text);
}

/** Adds `--dashboard [HOST:PORT]` to `command`. */
export function addDashboardOption(command: Command): Command {
  return command.option(
    '--dashboard [host:port]',
    'serve a live web page of the run (default 127.0.0.1 and a free port; its URL is printed)',
    dashboardArg,
  );
}

/**
 * Commander takes any word after an optional value's flag as the value: a word that cannot be an address (it
 * holds a `/`, as the target URL does) stays an argument, `--dashboard` then being given alone.
 */
export function dashboardArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    out.push(arg === '--dashboard' && next !== undefined && next.includes('/') ? '--dashboard=' : arg);
  }
  return out;
}

/**
 * Starts the dashboard when the flag was given (`true` when alone) and prints its URL on stderr; null otherwise.
 * @throws UsageError when the address cannot be listened on.
 */
export async function openDashboard(
  flag: DashboardAddress | true | undefined,
  start: DashboardStart,
): Promise<Dashboard | null> {
  if (flag === undefined) return null;
  const dashboard = await startDashboard({ ...(flag === true ? DEFAULT_ADDRESS : flag), start });
  process.stderr.write(`dashboard: ${dashboard.url}\n`);
  return dashboard;
}
