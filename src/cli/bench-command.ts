/**
 * `headroom bench` — runs `*.bench.ts` files (Go-format lines and a table on stdout, progress on stderr, `--json`,
 * `--out-dir`); `bench compare old.json new.json` judges two runs; `bench ab --base <ref>` builds the base commit in
 * a temporary worktree and runs base and head alternately in this job. Exit 0 ok, 1 a benchmark failed or a confirmed
 * regression, 2 bad input.
 */
import type { Command } from 'commander';
import { type AbResult, runAb } from '../bench/ab/index.js';
import type { ClockKind } from '../bench/clock.js';
import { compareReports } from '../bench/compare.js';
import { renderCompare } from '../bench/render/compare-table.js';
import { renderGoFormat } from '../bench/render/go-format.js';
import { renderProgress } from '../bench/render/progress.js';
import { renderRunTable } from '../bench/render/run-table.js';
import { historyPath, readReport, writeReport } from '../bench/report-file.js';
import type { BenchProgress } from '../bench/run.js';
import { runBenchmarks } from '../bench/run.js';
import { ExitCode, UsageError } from '../errors.js';
import { parseDuration } from '../units/duration.js';

interface SelectFlags {
  filter?: string;
  tags?: string;
  time: string;
  count: string;
  clock: string;
  pin: boolean;
  progress: boolean;
}

interface RunFlags extends SelectFlags {
  json?: string;
  outDir?: string;
}

interface GateFlags {
  threshold: string;
  alpha: string;
}

interface AbFlags extends SelectFlags, GateFlags {
  base: string;
  rounds: string;
  build: string | boolean;
  json?: string;
}

function parseTime(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    throw new UsageError(`--time: ${(error as Error).message}`);
  }
  if (ms <= 0) throw new UsageError(`--time must be positive: ${text}`);
  return ms;
}

function parseCount(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer ≥ ${min}: ${text}`);
  return n;
}

/** `10%` or `10` → 0.1. */
function parseThreshold(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(text.trim());
  if (!match) throw new UsageError(`--threshold must be a percentage such as 10%: ${text}`);
  return Number(match[1]) / 100;
}

function parseAlpha(text: string): number {
  const alpha = Number(text);
  if (!(alpha > 0 && alpha < 1)) throw new UsageError(`--alpha must be between 0 and 1: ${text}`);
  return alpha;
}

function parseClock(text: string): ClockKind {
  if (text !== 'wall' && text !== 'cpu') throw new UsageError(`--clock must be wall or cpu: ${text}`);
  return text;
}

function selection(flags: SelectFlags, patterns: string[]) {
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
    timeMs: parseTime(flags.time),
    count: parseCount(flags.count, '--count', 1),
    clock: parseClock(flags.clock),
    pin: flags.pin,
    onProgress: flags.progress
      ? (event: BenchProgress) => {
          const line = renderProgress(event);
          if (line) process.stderr.write(line);
        }
      : undefined,
  };
}

function addSelectOptions(command: Command): Command {
  return command
    .option('--filter <regexp>', 'run only benchmarks whose name matches')
    .option(
      '--tags <t1,t2>',
      'also run benchmarks tagged with one of these (tagged ones are skipped by default)',
    )
    .option('--time <duration>', 'minimum duration of one sample', '1s')
    .option('--count <n>', 'samples per benchmark', '10')
    .option(
      '--clock <wall|cpu>',
      'time with elapsed time, or process CPU time (steadier on busy machines)',
      'wall',
    )
    .option('--no-pin', 'let benchmark processes run on any CPU (default: all on one, for steadier timings)')
    .option('--no-progress', 'no progress lines on stderr');
}

async function runAction(patterns: string[], flags: RunFlags): Promise<void> {
  const report = await runBenchmarks(selection(flags, patterns));
  process.stdout.write(`${renderGoFormat(report)}\n${renderRunTable(report)}`);
  if (flags.json) writeReport(flags.json, report);
  if (flags.outDir) {
    const path = historyPath(flags.outDir, report);
    writeReport(path, report);
    process.stderr.write(`wrote ${path}\n`);
  }
  if (report.failures.length > 0) process.exitCode = ExitCode.failed;
}

function compareAction(oldPath: string, newPath: string, flags: GateFlags & { json?: boolean }): void {
  const options = { threshold: parseThreshold(flags.threshold), alpha: parseAlpha(flags.alpha) };
  const result = compareReports(readReport(oldPath), readReport(newPath), options);
  process.stdout.write(
    flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderCompare(result, oldPath, newPath),
  );
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
  const base = selection(flags, patterns);
  const result = await runAb({
    ...base,
    base: flags.base,
    rounds: parseCount(flags.rounds, '--rounds', 1),
    build: flags.build === false ? null : flags.build === true ? 'npm run --if-present build' : flags.build,
    threshold: parseThreshold(flags.threshold),
    alpha: parseAlpha(flags.alpha),
    onStatus: flags.progress ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
  });
  process.stdout.write(renderAb(result));
  if (flags.json) writeReport(flags.json, result);
  if (!result.comparison.ok) process.exitCode = ExitCode.failed;
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
    .option('--json <file>', 'write headroom.bench/v1 JSON')
    .option('--out-dir <dir>', 'also write <dir>/<UTC timestamp>-<git sha>.json')
    .action(runAction);

  bench
    .command('compare')
    .description(
      'compare two headroom.bench/v1 files (Mann-Whitney U, Holm); exit 1 on a confirmed regression',
    )
    .argument('<old>', 'baseline JSON')
    .argument('<new>', 'candidate JSON')
    .option('--threshold <pct>', 'a significant slowdown must exceed this to fail', '10%')
    .option('--alpha <p>', 'significance level after Holm correction', '0.01')
    .option('--json', 'print headroom.bench-compare/v1 JSON instead of the table')
    .action(compareAction);

  const ab = bench
    .command('ab')
    .description('build <ref> in a temporary git worktree, run base and head alternately, compare')
    .argument('[globs...]', 'files, directories or globs (default: bench/)')
    .requiredOption('--base <ref>', 'git ref to compare against, e.g. origin/main');
  addSelectOptions(ab)
    .option('--rounds <n>', 'alternating base/head processes per benchmark (samples split across them)', '5')
    .option('--build [cmd]', 'build command run in both trees', 'npm run --if-present build')
    .option('--no-build', 'do not build either tree')
    .option('--threshold <pct>', 'a significant slowdown must exceed this to fail', '10%')
    .option('--alpha <p>', 'significance level after Holm correction', '0.01')
    .option('--json <file>', 'write headroom.bench-ab/v1 JSON (both reports and the comparison)')
    .action(abAction);
}
