/**
 * `headroom limits <url>` — parses flags into `LimitsOptions`, runs `findLimits`, renders progress (stderr),
 * the summary, `--json` and `--html`. Exit 0 capacity found, 1 no rate meets the SLO (or the generator was the
 * bottleneck, or Ctrl-C), 2 bad flags or unreachable target.
 */
import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { background, withCancel } from '../context/index.js';
import { ExitCode, UsageError } from '../errors.js';
import { findLimits } from '../limits/find-limits.js';
import { formatStepLine, formatSummary } from '../limits/render-terminal.js';
import type { LimitsOptions, LimitsResult } from '../limits/types.js';
import { renderLimitsPage } from '../report/limits-page.js';

interface LimitsFlags {
  slo: string[];
  admin?: string;
  adminToken?: string;
  scenario?: string;
  method?: string;
  header: string[];
  body?: string;
  connections?: string;
  threads?: string;
  timeout?: string;
  insecure?: boolean;
  step: string;
  cooldown: string;
  maxRate?: string;
  maxTime: string;
  precision: string;
  profileOut?: string;
  profileSeconds: string;
  json?: string | boolean;
  html?: string;
  progress: boolean;
}

/** Registers the `limits` subcommand on the program. */
export function registerLimitsCommand(program: Command): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  program
    .command('limits')
    .description('find the maximum sustainable throughput under an SLO, and why it stops there')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:8080/')
    .option('--slo <expr>', 'SLO, repeatable: p99<100ms, errors<1% (default both)', collect, [])
    .option('--admin <url>', 'target admin URL (/metrics, /debug/pprof) for the bottleneck analysis')
    .addOption(
      new Option('--admin-token <token>', 'bearer token for /debug/* on the admin port').env('ADMIN_TOKEN'),
    )
    .option('--scenario <file>', 'scenario file (request mix), as in headroom load')
    .option('-m, --method <method>', 'HTTP method')
    .option('-H, --header <header>', "request header 'k: v', repeatable", collect, [])
    .option('-b, --body <body>', 'request body')
    .option('-c, --connections <n>', 'connections the generator may open')
    .option('-t, --threads <n>', 'generator threads')
    .option('--timeout <duration>', 'per-request timeout')
    .option('-k, --insecure', 'skip TLS certificate verification')
    .option('--step <duration>', 'shortest step; low rates get longer steps for enough samples', '2s')
    .option('--cooldown <duration>', 'pause between steps', '500ms')
    .option('--max-rate <n>', 'never offer more than this many req/s')
    .option('--max-time <duration>', 'bound on the whole search', '90s')
    .option('--precision <pct>', 'stop bisecting when the band is this narrow', '5%')
    .option('--profile-out <file>', 'where to save the knee CPU profile (default ./.headroom/…-cpu.pb.gz)')
    .option('--profile-seconds <n>', 'length of the knee CPU profile', '3')
    .option('--json [file]', 'write headroom.limits/v1 JSON to a file, or stdout')
    .option('--html <file>', 'write an HTML report with throughput and latency curves')
    .option('--no-progress', 'no per-step progress lines')
    .action(async (url: string, flags: LimitsFlags) => {
      process.exitCode = await runLimits(url, flags);
    });
}

async function runLimits(url: string, flags: LimitsFlags): Promise<number> {
  const [ctx, cancel] = withCancel(background());
  const onSigint = () => cancel();
  process.once('SIGINT', onSigint);
  const jsonToStdout = flags.json === true;
  const out = (text: string) => (jsonToStdout ? process.stderr : process.stdout).write(text);
  const options: LimitsOptions = {
    url,
    slo: flags.slo,
    admin: flags.admin,
    adminToken: flags.adminToken,
    step: flags.step,
    cooldown: flags.cooldown,
    maxRate: flags.maxRate === undefined ? undefined : positive(flags.maxRate, '--max-rate'),
    maxTime: flags.maxTime,
    precision: fraction(flags.precision),
    profileOut: flags.profileOut,
    profileSeconds: positive(flags.profileSeconds, '--profile-seconds'),
    request: {
      method: flags.method,
      headers: flags.header.length > 0 ? headers(flags.header) : undefined,
      body: flags.body,
      scenario: flags.scenario,
      connections: flags.connections === undefined ? undefined : positive(flags.connections, '--connections'),
      threads: flags.threads === undefined ? undefined : positive(flags.threads, '--threads'),
      timeout: flags.timeout,
      insecure: flags.insecure,
    },
    onStep: flags.progress ? (step) => process.stderr.write(`${formatStepLine(step)}\n`) : undefined,
    ctx,
  };
  let result: LimitsResult;
  try {
    result = await findLimits(options);
  } finally {
    process.off('SIGINT', onSigint);
    cancel();
  }
  out(formatSummary(result));
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (jsonToStdout) process.stdout.write(json);
  else if (typeof flags.json === 'string') await writeFile(flags.json, json);
  if (flags.html) await writeFile(flags.html, renderLimitsPage(result));
  return exitCodeOf(result);
}

/** 0 when a capacity stands (found, or at least --max-rate/--max-time); 1 otherwise (and when interrupted). */
function exitCodeOf(result: LimitsResult): number {
  return result.capacity === null || result.outcome === 'interrupted' ? ExitCode.failed : ExitCode.ok;
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} must be a positive number, got "${text}"`);
  return value;
}

/** `5%` or `0.05` → 0.05. */
function fraction(text: string): number {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  const value = percent ? Number(percent[1]) / 100 : Number(text);
  if (!(value > 0 && value < 1)) throw new UsageError(`--precision must be like 5% or 0.05, got "${text}"`);
  return value;
}

function headers(list: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of list) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UsageError(`invalid header "${line}" (use 'name: value')`);
    result[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return result;
}
