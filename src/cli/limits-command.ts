/**
 * `headroom limits <url>` (http(s):// or grpc://) — parses flags into `LimitsOptions`, runs `findLimits`, renders
 * progress (stderr), the summary, `--json` / `-o` and `--html`. Exit 0 a capacity stands (found, or a lower bound
 * at --max-rate or --max-time), 1 no capacity (no rate meets the SLO, the generator was the bottleneck, or nothing
 * passed before --max-time ran out), 2 bad flags, unreachable target or a gRPC call that does not resolve, 130
 * interrupted (the partial result is still written).
 */
import { type Command, Option } from 'commander';
import { limitsFinal, limitsSeconds, limitsStart, limitsStep } from '../dashboard/index.js';
import { ExitCode } from '../errors.js';
import { findLimits } from '../limits/find-limits.js';
import { formatStepLine, formatSummary } from '../limits/render/terminal.js';
import { normalizeSlo } from '../limits/slo.js';
import type { LimitsOptions, LimitsResult } from '../limits/types.js';
import { OTLP_ATTRIBUTE, OTLP_METRIC } from '../otlp/names.js';
import { renderLimitsPage } from '../report/index.js';
import { addDashboardOption, type DashboardAddress, openDashboard } from './dashboard-flag.js';
import {
  addExample,
  addOutputOptions,
  assertWritable,
  countArg,
  durationOption,
  emitResult,
  fractionArg,
  interruptible,
  type OutputFlags,
  parseHeaders,
  rateArg,
  repeatable,
} from './flags.js';
import { addGrpcOptions, type GrpcFlags, grpcLoadOptions } from './grpc-flags.js';
import { addOtlpOption, type OtlpFlags, startOtlp } from './otlp-flags.js';

interface LimitsFlags extends OutputFlags, GrpcFlags, OtlpFlags {
  slo?: string[];
  admin?: string;
  adminToken?: string;
  db?: string;
  scenario?: string;
  method?: string;
  header?: string[];
  body?: string;
  connections?: number;
  threads?: number;
  timeout?: number;
  insecure?: boolean;
  step: number;
  cooldown: number;
  maxRate?: number;
  maxTime: number;
  precision: number;
  profileOut?: string;
  profileSeconds: number;
  progress: boolean;
  dashboard?: DashboardAddress | true;
}

/** Registers the `limits` subcommand on the program. */
export function registerLimitsCommand(program: Command): void {
  const command = program
    .command('limits')
    .description('find the maximum sustainable throughput under an SLO, and why it stops there')
    .argument('<url>', 'target URL, e.g. http://127.0.0.1:8080/ or grpc://127.0.0.1:50051')
    .option('--slo <expr>', 'SLO, repeatable: p99<100ms, errors<1% (default: both)', repeatable)
    .option('--admin <url>', 'target admin URL (/metrics, /debug/pprof) for the bottleneck analysis')
    .addOption(
      new Option('--admin-token <token>', 'bearer token for /debug/* on the admin port').env('ADMIN_TOKEN'),
    )
    .option(
      '--db <url>',
      "the target's PostgreSQL (postgres://…): samples pg_stat_activity and its backends' CPU each step",
    )
    .option('--scenario <file>', 'scenario file (request mix), as in headroom load')
    .option('-m, --method <method>', 'HTTP method')
    .option('-H, --header <header>', "request header 'k: v' (repeatable)", repeatable)
    .option('-b, --body <body>', 'request body (grpc:// targets: the message as JSON)');
  addGrpcOptions(command);
  command
    .option(
      '-c, --connections <n>',
      'connections the generator may open (default: sized to each step)',
      countArg,
    )
    .option('-t, --threads <n>', 'generator threads', countArg)
    .addOption(durationOption('-T, --timeout <duration>', 'per-request timeout (default: 10s)'))
    .option('-k, --insecure', 'skip TLS certificate verification')
    .addOption(
      durationOption(
        '--step <duration>',
        'shortest step; low rates get longer steps for enough samples',
        '2s',
      ),
    )
    .addOption(durationOption('--cooldown <duration>', 'after a failing step, pause twice this', '500ms'))
    .option('--max-rate <n>', 'never offer more than this many req/s (10k = 10000)', rateArg)
    .addOption(durationOption('--max-time <duration>', 'bound on the whole search', '90s'))
    .addOption(
      new Option('--precision <pct>', 'stop bisecting when the band is this narrow')
        .argParser(fractionArg)
        .default(0.05, '5%'),
    )
    .option('--profile-out <file>', 'where to save the knee CPU profile (default ./.headroom/…-cpu.pb.gz)')
    .option('--profile-seconds <n>', 'length of the knee CPU profile, seconds', countArg, 3)
    .option('--no-progress', 'no per-step progress lines');
  addOtlpOption(command);
  addDashboardOption(command);
  addOutputOptions(command, 'headroom.limits/v1');
  addExample(
    command,
    "headroom limits http://127.0.0.1:8080/ --slo 'p99<50ms' --admin http://127.0.0.1:9090",
  );

  command.action(async (url: string, flags: LimitsFlags) => {
    process.exitCode = await runLimits(url, flags);
  });
}

async function runLimits(url: string, flags: LimitsFlags): Promise<number> {
  assertWritable([flags.output, flags.html, flags.profileOut]);
  const grpc = grpcLoadOptions(flags);
  const otlp = await startOtlp(flags, { command: 'limits', target: url, segment: null });
  const dashboard = await openDashboard(flags.dashboard, limitsStart(url, normalizeSlo(flags.slo)));
  const second = limitsSeconds();
  const run = interruptible();
  const options: LimitsOptions = {
    url,
    slo: flags.slo,
    admin: flags.admin,
    adminToken: flags.adminToken,
    db: flags.db,
    step: flags.step,
    cooldown: flags.cooldown,
    maxRate: flags.maxRate,
    maxTime: flags.maxTime,
    precision: flags.precision,
    profileOut: flags.profileOut,
    profileSeconds: flags.profileSeconds,
    request: {
      method: flags.method,
      headers: flags.header ? parseHeaders(flags.header) : undefined,
      body: flags.body,
      scenario: flags.scenario,
      ...grpc,
      connections: flags.connections,
      threads: flags.threads,
      timeout: flags.timeout,
      insecure: flags.insecure,
    },
    // Step lines are the progress, on a terminal or not (a step lasts seconds, not minutes).
    onStep: (step) => {
      // The profile step's pass/fail means nothing (the profiler costs the target throughput): no verdict.
      if (step.phase !== 'profile')
        otlp?.metrics.gauge(OTLP_METRIC.stepVerdict, step.pass ? 1 : 0, {
          [OTLP_ATTRIBUTE.phase]: step.phase,
        });
      if (flags.progress) process.stderr.write(`${formatStepLine(step)}\n`);
      dashboard?.step(limitsStep(step));
    },
    onProgress:
      otlp || dashboard
        ? (p) => {
            if (otlp) {
              otlp.metrics.gauge(OTLP_METRIC.stepRate, p.offeredRps, { [OTLP_ATTRIBUTE.phase]: p.phase });
              otlp.progress(p);
            }
            dashboard?.second(second(p));
          }
        : undefined,
    onLoadResult: otlp ? (result) => otlp.metrics.loadDone(result) : undefined,
    ctx: run.ctx,
  };
  let result: LimitsResult;
  try {
    result = await findLimits(options);
  } catch (error) {
    await dashboard?.fail((error as Error).message);
    throw error;
  } finally {
    run.dispose();
  }
  otlp?.metrics.gauge(OTLP_METRIC.capacity, result.capacity?.rps ?? 0, {
    [OTLP_ATTRIBUTE.outcome]: result.outcome,
  });
  await Promise.all([otlp?.flush(), dashboard?.end(limitsFinal(result))]);
  emitResult(flags, { summary: formatSummary(result), result, html: () => renderLimitsPage(result) });
  return exitCodeOf(result, run.interrupted());
}

/** 130 when interrupted; 0 when a capacity stands (found, or a lower bound at --max-rate/--max-time); 1 otherwise. */
function exitCodeOf(result: LimitsResult, interrupted: boolean): number {
  if (interrupted || result.outcome === 'interrupted') return ExitCode.interrupted;
  return result.capacity === null ? ExitCode.failed : ExitCode.ok;
}
