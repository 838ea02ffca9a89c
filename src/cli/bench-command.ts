/**
 * `headroom bench` — runs `*.bench.ts` files (Go-format lines and a table on stdout, progress on stderr, `--json`,
 * `-o`, `--out-dir`); `bench compare old.json new.json` judges two runs; `bench ab --base <ref>` builds the base
 * commit in a temporary worktree and runs base and head alternately in this job. Exit 0 ok, 1 a benchmark failed or a
 * confirmed regression, 2 bad input, 130 interrupted (what was measured is still printed and written).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type AbResult, runAb } from '../bench/ab/index.js';
import type { ClockKind } from '../bench/clock.js';
import { compareReports } from '../bench/compare.js';
import { renderCompare } from '../bench/render/compare-table.js';
import { renderGoFormat } from '../bench/render/go-format.js';
import { renderProgress } from '../bench/render/progress.js';
import { renderRunTable } from '../bench/render/run-table.js';
import { historyPath, readReport, writeReport } from '../bench/report-file.js';
import { type BenchProgress, HEAP_PROCESSES, runBenchmarks } from '../bench/run.js';
import { ExitCode, UsageError } from '../errors.js';
import { formatDuration } from '../units/duration.js';
import {
  addExample,
  addOutputOptions,
  assertWritable,
  countArg,
  durationOption,
  emitResult,
  type Interruptible,
  interruptible,
  type OutputFlags,
  PLAIN_PROGRESS_INTERVAL_MS,
} from './flags.js';

interface SelectFlags {
  filter?: string;
  tags?: string;
  time: number;
  count: number;
  clock: ClockKind;
  pin: boolean;
  progress: boolean;
}

interface RunFlags extends SelectFlags, OutputFlags {
  outDir?: string;
  heapProcesses: number;
}

interface GateFlags {
  threshold: number;
  alpha: number;
}

interface AbFlags extends SelectFlags, GateFlags, OutputFlags {
  base: string;
  rounds: number;
  build: string | boolean;
}

/** `10%` or `10` → 0.1. */
function thresholdArg(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError('expected a percentage such as 10%');
  return Number(match[1]) / 100;
}

function alphaArg(text: string): number {
  const alpha = Number(text);
  if (!(alpha > 0 && alpha < 1))
    throw new InvalidArgumentError('expected a level between 0 and 1, e.g. 0.01');
  return alpha;
}

/** The gate's options, the same for `compare` and `ab`. */
function addGateOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--threshold <pct>', 'a significant slowdown must exceed this to fail')
        .argParser(thresholdArg)
        .default(0.1, '10%'),
    )
    .addOption(
      new Option('--alpha <p>', 'significance level after Holm correction').argParser(alphaArg).default(0.01),
    );
}

/**
 * Progress on stderr: a line per finished benchmark, and — when stderr is not a terminal and a benchmark runs long —
 * a plain "still running" line every 10 s, so CI logs never go quiet.
 */
function progressReporter(enabled: boolean): { onProgress?: (event: BenchProgress) => void; stop(): void } {
  if (!enabled) return { stop: () => {} };
  let heartbeat: NodeJS.Timeout | null = null;
  const stop = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };
  return {
    onProgress: (event) => {
      stop();
      const line = renderProgress(event);
      if (line) process.stderr.write(line);
      if (event.kind !== 'start' || process.stderr.isTTY) return;
      const started = performance.now();
      const what = `[${event.index + 1}/${event.total}]${event.label ? ` ${event.label}` : ''} ${event.bench.name}`;
      heartbeat = setInterval(() => {
        process.stderr.write(`${what}: running for ${formatDuration(performance.now() - started)}\n`);
      }, PLAIN_PROGRESS_INTERVAL_MS);
      heartbeat.unref();
    },
    stop,
  };
}

function selection(flags: SelectFlags, patterns: string[], run: Interruptible) {
  if (flags.time <= 0) throw new UsageError(`must be positive`, { option: 'time' });
  return {
    patterns,
    filter: flags.filter,
    tags: flags.tags
      ? flags.tags
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [],
    cwd: process.cwd(),
    timeMs: flags.time,
    count: flags.count,
    clock: flags.clock,
    pin: flags.pin,
    signal: run.ctx.signal,
  };
}

function addSelectOptions(command: Command): Command {
  return command
    .option('--filter <regexp>', 'run only benchmarks whose name matches')
    .option(
      '--tags <t1,t2>',
      'also run benchmarks tagged with one of these (tagged ones are skipped by default)',
    )
    .addOption(durationOption('--time <duration>', 'minimum duration of one sample', '1s'))
    .option('--count <n>', 'samples per benchmark', countArg, 10)
    .addOption(
      new Option('--clock <clock>', 'time with elapsed time, or process CPU time (steadier on busy machines)')
        .choices(['wall', 'cpu'])
        .default('wall', 'wall'),
    )
    .option('--no-pin', 'let benchmark processes run on any CPU (default: all on one, for steadier timings)')
    .option('--no-progress', 'no progress lines on stderr');
}

async function runAction(patterns: string[], flags: RunFlags): Promise<void> {
  assertWritable([flags.output]);
  const run = interruptible();
  const progress = progressReporter(flags.progress);
  try {
    const report = await runBenchmarks({
      ...selection(flags, patterns, run),
      heapProcesses: flags.heapProcesses,
      onProgress: progress.onProgress,
    });
    progress.stop();
    emitResult(flags, { summary: `${renderGoFormat(report)}\n${renderRunTable(report)}`, result: report });
    if (flags.outDir) {
      const path = historyPath(flags.outDir, report);
      writeReport(path, report);
      process.stderr.write(`wrote ${path}\n`);
    }
    if (run.interrupted()) process.exitCode = ExitCode.interrupted;
    else if (report.failures.length > 0) process.exitCode = ExitCode.failed;
  } finally {
    progress.stop();
    run.dispose();
  }
}

function compareAction(oldPath: string, newPath: string, flags: GateFlags & OutputFlags): void {
  assertWritable([flags.output]);
  const options = { threshold: flags.threshold, alpha: flags.alpha };
  const result = compareReports(readReport(oldPath), readReport(newPath), options);
  emitResult(flags, { summary: renderCompare(result, oldPath, newPath), result });
  if (!result.ok) process.exitCode = ExitCode.failed;
}

function renderAb(result: AbResult): string {
  const notes = [
    `base ${result.base.ref} (${result.base.sha.slice(0, 7)}) vs head (${result.head.sha.slice(0, 7)}), ` +
      `${result.rounds} alternating round(s)`,
    ...result.notes.map((note) => `note: ${note}`),
  ];
  return `${notes.join('\n')}\n\n${renderCompare(result.comparison, 'base', 'head')}`;
}

async function abAction(patterns: string[], flags: AbFlags): Promise<void> {
  assertWritable([flags.output]);
  const run = interruptible();
  const progress = progressReporter(flags.progress);
  try {
    const result = await runAb({
      ...selection(flags, patterns, run),
      onProgress: progress.onProgress,
      base: flags.base,
      rounds: flags.rounds,
      build: flags.build === false ? null : flags.build === true ? 'npm run --if-present build' : flags.build,
      threshold: flags.threshold,
      alpha: flags.alpha,
      onStatus: flags.progress ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
    });
    progress.stop();
    emitResult(flags, { summary: renderAb(result), result });
    if (run.interrupted()) process.exitCode = ExitCode.interrupted;
    else if (!result.comparison.ok) process.exitCode = ExitCode.failed;
  } finally {
    progress.stop();
    run.dispose();
  }
}

/** Registers `bench`, `bench compare` and `bench ab` on the program (so they inherit its error handling). */
export function registerBench(program: Command): void {
  // `bench --json <file>` and `bench compare --json` differ: options must bind to the command they follow, which
  // commander only does when every ancestor parses positionally (the program has only --help/--version).
  program.enablePositionalOptions();
  const bench = program
    .command('bench')
    .description('run *.bench.ts micro-benchmarks (each in a fresh process) and print Go-format results')
    .argument('[globs...]', 'files, directories or globs (default: bench/)')
    .enablePositionalOptions();
  addSelectOptions(bench)
    .option('--out-dir <dir>', 'also write <dir>/<UTC timestamp>-<git sha>.json')
    .option(
      '--heap-processes <n>',
      'processes measuring B/op per benchmark (the timed one + heap-only ones), so compare sees its spread',
      countArg,
      HEAP_PROCESSES,
    );
  addOutputOptions(bench, 'headroom.bench/v1', false);
  addExample(bench, 'headroom bench bench/ -o new.json && headroom bench compare old.json new.json');
  bench.action(runAction);

  const compare = bench
    .command('compare')
    .description(
      'compare two headroom.bench/v1 files (Mann-Whitney U, Holm); exit 1 on a confirmed regression',
    )
    .argument('<old>', 'baseline JSON')
    .argument('<new>', 'candidate JSON')
    .action(compareAction);
  addGateOptions(compare);
  addOutputOptions(compare, 'headroom.bench-compare/v1', false);
  addExample(compare, 'headroom bench compare main.json branch.json --threshold 10%');

  const ab = bench
    .command('ab')
    .description('build <ref> in a temporary git worktree, run base and head alternately, compare')
    .argument('[globs...]', 'files, directories or globs (default: bench/)')
    .requiredOption('--base <ref>', 'git ref to compare against, e.g. origin/main');
  addSelectOptions(ab)
    .option(
      '--rounds <n>',
      'alternating base/head processes per benchmark (samples split across them)',
      countArg,
      5,
    )
    .addOption(
      new Option('--build [cmd]', 'build command run in both trees').default(
        'npm run --if-present build',
        'npm run --if-present build',
      ),
    )
    .option('--no-build', 'do not build either tree')
    .action(abAction);
  addGateOptions(ab);
  addOutputOptions(ab, 'headroom.bench-ab/v1', false);
  addExample(ab, 'headroom bench ab --base origin/main --clock cpu');
}
