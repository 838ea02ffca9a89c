/**
 * `headroom load <url>` — wrk-compatible flags, live progress on a TTY, a wrk-style summary, `--json [file]`,
 * `--html file`, thresholds. Exit 0 ok, 1 a threshold breached, 2 bad input or unreachable target.
 * A wrk command line works unchanged: `-t 4 -c 16 -d 30s URL`, a bare `-d 30` is seconds, `--latency` is accepted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { background, withCancel } from '../context/index.js';
import { ExitCode, UsageError } from '../errors.js';
import { load } from '../load/index.js';
import { progressWriter, renderSummary } from '../load/render/index.js';
import type { LoadOptions } from '../load/types.js';
import { renderLoadReport } from '../report/index.js';

interface LoadFlags {
  connections: string;
  threads?: string;
  duration: string;
  rate?: string;
  pipelining: string;
  method?: string;
  header: string[];
  body?: string;
  bodyFile?: string;
  scenario?: string;
  timeout: string;
  warmup: string;
  threshold: string[];
  json?: string | true;
  html?: string;
  progress: boolean;
  insecure?: boolean;
  latency?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** A CLI duration: wrk reads a bare number as seconds (`-d 30`), so the CLI does too. */
function cliDuration(value: string): string {
  const text = value.trim();
  return /^\d+(?:\.\d+)?$/.test(text) ? `${text}s` : text;
}

function headers(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) throw new UsageError(`invalid header "${line}" (use -H 'name: value')`);
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/** Registers `headroom load` on the CLI. */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description('Load an HTTP target: closed model (-c/-p) or open model (-R rate), HDR latency, reports.')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:8080/')
    .option('-c, --connections <n>', 'connections (virtual users)', '64')
    .option(
      '-t, --threads <n>',
      'generator threads (default: CPUs less one, at least 1, for a loopback target; else CPUs)',
    )
    .option('-d, --duration <duration>', 'measured duration (a bare number is seconds, as in wrk)', '10s')
    .option('-R, --rate <n>', 'open model: requests per second, latency from the intended send time')
    .option('-p, --pipelining <n>', 'requests in flight per connection', '1')
    .option('-m, --method <method>', 'HTTP method (default GET, POST with a body)')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", collect, [])
    .option('-b, --body <body>', 'request body')
    .option('--body-file <file>', 'request body from a file')
    .option('--scenario <file>', 'scenario module or JSON (docs/scenario.md)')
    .option('--timeout <duration>', 'per-request timeout', '10s')
    .option('--warmup <duration>', 'load applied before measuring', '0s')
    .option(
      '--threshold <expr>',
      "fail (exit 1) unless it holds, e.g. 'p99<50ms', 'errors<1%', 'rps>1000'",
      collect,
      [],
    )
    .option('--json [file]', 'write the headroom.load/v1 JSON result (stdout without a file)')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('-k, --insecure', 'skip TLS certificate verification')
    .option('--no-progress', 'no live progress line')
    .option('-L, --latency', 'accepted for wrk compatibility: the latency distribution is always printed')
    .action(async (url: string, flags: LoadFlags) => {
      let body: LoadOptions['body'] = flags.body;
      if (flags.bodyFile !== undefined) {
        try {
          body = readFileSync(flags.bodyFile);
        } catch (error) {
          throw new UsageError(
            `cannot read --body-file ${flags.bodyFile}: ${(error as NodeJS.ErrnoException).code}`,
          );
        }
      }
      const rate = flags.rate === undefined ? undefined : Number(flags.rate);
      if (rate !== undefined && !(rate > 0))
        throw new UsageError(`--rate must be a number above 0, got "${flags.rate}"`);
      const [ctx, cancel] = withCancel(background());
      const onSignal = () => cancel();
      process.once('SIGINT', onSignal);
      const progress = flags.progress && process.stderr.isTTY ? progressWriter(process.stderr) : null;
      try {
        const result = await load({
          url,
          connections: int(flags.connections, '--connections'),
          threads: int(flags.threads, '--threads'),
          duration: cliDuration(flags.duration),
          rate,
          pipelining: int(flags.pipelining, '--pipelining'),
          method: flags.method,
          headers: headers(flags.header),
          body,
          scenario: flags.scenario,
          timeout: cliDuration(flags.timeout),
          warmup: cliDuration(flags.warmup),
          thresholds: flags.threshold,
          insecure: flags.insecure,
          ctx,
          onProgress: progress ? (p) => progress.update(p) : undefined,
        });
        progress?.done();
        const json = `${JSON.stringify(result, null, 2)}\n`;
        if (flags.json === true) {
          process.stdout.write(json);
          process.stderr.write(renderSummary(result));
        } else {
          if (flags.json) writeOut(flags.json, json);
          process.stdout.write(renderSummary(result));
        }
        if (flags.html) writeOut(flags.html, renderLoadReport(result));
        if (result.thresholds.some((t) => !t.ok)) process.exitCode = ExitCode.failed;
      } finally {
        progress?.done();
        process.removeListener('SIGINT', onSignal);
        cancel();
      }
    });
}
