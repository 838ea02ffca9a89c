/**
 * `headroom load <url>` — wrk- and hey-compatible flags, live progress, a wrk-style summary, `--json` / `-o`,
 * `--html`, thresholds. Exit 0 ok, 1 a threshold breached, 2 bad input or unreachable target, 130 interrupted
 * (the partial result is still printed and written).
 * A wrk command line works unchanged: `-t 4 -c 16 -d 30s URL`, a bare `-d 30` is seconds, `--latency` is accepted.
 */
import type { Command } from 'commander';
import { loadFinal, loadSecond, loadStart } from '../dashboard/index.js';
import { ExitCode } from '../errors.js';
import { load } from '../load/index.js';
import { livePusher, parsePushUrl, pushResult } from '../load/push.js';
import { renderLiveView, renderProgress, renderSummary } from '../load/render/index.js';
import type { LoadOptions } from '../load/types.js';
import { renderLoadReport } from '../report/index.js';
import { addDashboardOption, type DashboardAddress, openDashboard } from './dashboard-flag.js';
import {
  addExample,
  addOutputOptions,
  addThresholdOption,
  assertWritable,
  countArg,
  durationOption,
  emitResult,
  instantArg,
  interruptible,
  type OutputFlags,
  parseHeaders,
  progressOn,
  rateArg,
  repeatable,
  segmentArg,
  wantsColor,
} from './flags.js';
import { addGrpcOptions, type GrpcFlags, grpcLoadOptions, readInput } from './grpc-flags.js';
import { addOtlpOption, type OtlpFlags, startOtlp } from './otlp-flags.js';

interface LoadFlags extends OutputFlags, GrpcFlags, OtlpFlags {
  connections: number;
  threads?: number;
  duration?: number;
  rate?: number;
  requests?: number;
  pipelining: number;
  http2?: boolean;
  method?: string;
  header?: string[];
  body?: string;
  bodyFile?: string;
  scenario?: string;
  timeout: number;
  warmup: number;
  threshold?: string[];
  progress: boolean;
  insecure?: boolean;
  latency?: boolean;
  segment?: { index: number; count: number };
  startAt?: number;
  push?: string;
  dashboard?: DashboardAddress | true;
}

/** How long the live seconds still queued at the end may take to reach the collector. */
const LIVE_FLUSH_MS = 3000;

/** Registers `headroom load` on the CLI. */
export function registerLoadCommand(program: Command): void {
  const command = program
    .command('load')
    .description(
      'Load an HTTP/1.1, HTTP/2 or gRPC target: closed model (-c/-p) or open model (-R rate), HDR latency, reports.',
    )
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:8080/ or grpc://127.0.0.1:50051')
    .option('-c, --connections <n>', 'connections (virtual users); 1k = 1000', countArg, 64)
    .option(
      '-t, --threads <n>',
      'generator threads (default: CPUs less one, at least 1, for a loopback target; else CPUs)',
      countArg,
    )
    .addOption(
      durationOption('-d, --duration <duration>', 'measured duration (default: 10s; with -n: until done)'),
    )
    .option(
      '-R, --rate <n>',
      'open model: requests per second (10k = 10000), latency from the intended send time',
      rateArg,
    )
    .option(
      '-n, --requests <n>',
      'send this many requests, then stop (with -d: whichever comes first)',
      countArg,
    )
    .option(
      '-p, --pipelining <n>',
      'requests in flight per connection (with --http2: concurrent streams)',
      countArg,
      1,
    )
    .option('--http2', 'HTTP/2: h2c with prior knowledge for http://, ALPN h2 for https://')
    .option('-m, --method <method>', 'HTTP method (default GET, POST with a body)')
    .option('-H, --header <header>', "request header 'name: value' (repeatable)", repeatable)
    .option('-b, --body <body>', 'request body')
    .option('--body-file <file>', 'request body from a file')
    .option('--scenario <file>', 'scenario module or JSON (docs/scenario.md)');
  addGrpcOptions(command);
  command
    .addOption(durationOption('-T, --timeout <duration>', 'per-request timeout', '10s'))
    .addOption(durationOption('--warmup <duration>', 'load applied before measuring', '0s'))
    .option('-k, --insecure', 'skip TLS certificate verification')
    .option(
      '--segment <K/N>',
      'run agent K of N (K = JOB_COMPLETION_INDEX): -R, -c and -n are totals shared by the N agents',
      segmentArg,
    )
    .option(
      '--start-at <time>',
      'start the measured window at this instant (unix ms or RFC 3339), the same on every agent',
      instantArg,
    )
    .option(
      '--push <url>',
      'stream each second to a collector (headroom collect) while running, POST the result when done',
    )
    .option('--no-progress', 'no live progress (a line every 10 s when stderr is not a terminal)')
    .option('-L, --latency', 'accepted for wrk compatibility: the latency distribution is always printed');
  addOtlpOption(command);
  addDashboardOption(command);
  addThresholdOption(command);
  addOutputOptions(command, 'headroom.load/v1');
  addExample(command, "headroom load -c 64 -d 30s --threshold 'p99<50ms' http://127.0.0.1:8080/");
  command.action(async (url: string, flags: LoadFlags) => {
    process.exitCode = await runLoad(url, flags);
  });
}

async function runLoad(url: string, flags: LoadFlags): Promise<number> {
  assertWritable([flags.output, flags.html]);
  if (flags.push !== undefined) parsePushUrl(flags.push);
  const grpc = grpcLoadOptions(flags);
  let body: LoadOptions['body'] = flags.body;
  if (flags.bodyFile !== undefined) body = readInput(flags.bodyFile, 'bodyFile');
  const otlp = await startOtlp(flags, { command: 'load', target: url, segment: flags.segment ?? null });
  const dashboard = await openDashboard(flags.dashboard, loadStart(url, flags.rate));
  const run = interruptible();
  const progress = progressOn(process.stderr, flags.progress);
  const liveView = { color: wantsColor(process.env) };
  const pusher =
    flags.push === undefined
      ? null
      : livePusher(flags.push, (message) => {
          progress.done();
          process.stderr.write(`headroom: ${message}\n`);
        });
  try {
    const result = await load({
      url,
      connections: flags.connections,
      threads: flags.threads,
      duration: flags.duration,
      rate: flags.rate,
      requests: flags.requests,
      pipelining: flags.pipelining,
      http2: flags.http2,
      method: flags.method,
      headers: parseHeaders(flags.header),
      body,
      scenario: flags.scenario,
      ...grpc,
      timeout: flags.timeout,
      warmup: flags.warmup,
      thresholds: flags.threshold,
      insecure: flags.insecure,
      segment: flags.segment,
      startAt: flags.startAt,
      ctx: run.ctx,
      onProgress: (p) => {
        pusher?.push(p.second);
        otlp?.progress(p);
        progress.update(progress.live ? renderLiveView(p, liveView) : renderProgress(p));
        dashboard?.second(loadSecond(p));
      },
    });
    progress.done();
    otlp?.metrics.loadDone(result);
    // The last seconds go out before the result, so that the collector's live figures are whole.
    await Promise.all([otlp?.flush(), pusher?.close(LIVE_FLUSH_MS), dashboard?.end(loadFinal(result))]);
    emitResult(flags, {
      summary: renderSummary(result),
      result,
      html: () => renderLoadReport(result),
    });
    if (flags.push !== undefined) await pushResult(flags.push, result);
    if (run.interrupted()) return ExitCode.interrupted;
    return result.thresholds.every((t) => t.ok) ? ExitCode.ok : ExitCode.failed;
  } catch (error) {
    await dashboard?.fail((error as Error).message);
    throw error;
  } finally {
    progress.done();
    await pusher?.close(0);
    run.dispose();
    await dashboard?.close();
  }
}
