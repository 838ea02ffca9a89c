/**
 * `headroom merge FILE…` — the `headroom.load/v1` results of the agents of one run (`--segment K/N`, one
 * `--start-at`) as one result: the same summary, `--json` / `-o`, `--html` and thresholds as `headroom load`, and
 * its exit codes (0 ok, 1 a threshold breached, 2 unreadable files or results of different runs).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../errors.js';
import { asLoadResult, mergeResults, type SourcedResult } from '../load/merge.js';
import { renderSummary } from '../load/render/index.js';
import { parseThreshold } from '../load/thresholds.js';
import { renderLoadReport } from '../report/index.js';
import {
  addExample,
  addOutputOptions,
  addThresholdOption,
  assertWritable,
  emitResult,
  type OutputFlags,
} from './flags.js';

interface MergeFlags extends OutputFlags {
  threshold?: string[];
}

/** Registers `headroom merge` on the CLI. */
export function registerMergeCommand(program: Command): void {
  const command = program
    .command('merge')
    .description('Merge the headroom.load/v1 results of the agents of one run (--segment K/N) exactly.')
    .argument('<result.json...>', 'the agents’ results (headroom load -o)');
  addThresholdOption(command);
  addOutputOptions(command, 'headroom.load/v1');
  addExample(command, "headroom merge agent-*.json --threshold 'p99<50ms' --html run.html");
  command.action((files: string[], flags: MergeFlags) => {
    process.exitCode = runMerge(files, flags);
  });
}

function runMerge(files: string[], flags: MergeFlags): number {
  assertWritable([flags.output, flags.html]);
  const thresholds = (flags.threshold ?? []).map(parseThreshold);
  const result = mergeResults(files.map(readResult), thresholds);
  emitResult(flags, {
    summary: renderSummary(result),
    result,
    html: () => renderLoadReport(result),
  });
  return result.thresholds.every((t) => t.ok) ? ExitCode.ok : ExitCode.failed;
}

function readResult(file: string): SourcedResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`, {
      code: 'unreadable-file',
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`, { code: 'unreadable-file' });
  }
  return { source: file, result: asLoadResult(value, file) };
}
