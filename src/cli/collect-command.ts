/**
 * `headroom collect --listen host:port --expect N` — receives the results the agents of one run push
 * (`headroom load --segment K/N --push URL`) and prints them merged, as `headroom merge` does. Exit 0 ok, 1 a
 * threshold breached or not every agent reported before `--timeout` (what arrived is still merged and printed),
 * 2 bad input, 130 interrupted.
 */
import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { collectResults } from '../load/collect.js';
import { mergeResults } from '../load/merge.js';
import { renderSummary } from '../load/render/index.js';
import { parseThreshold } from '../load/thresholds.js';
import { renderLoadReport } from '../report/index.js';
import {
  addExample,
  addOutputOptions,
  addThresholdOption,
  assertWritable,
  countArg,
  durationOption,
  emitResult,
  interruptible,
  listenArg,
  type OutputFlags,
} from './flags.js';

interface CollectFlags extends OutputFlags {
  listen: { host: string; port: number };
  expect: number;
  timeout: number;
  threshold?: string[];
}

/** Registers `headroom collect` on the CLI. */
export function registerCollectCommand(program: Command): void {
  const command = program
    .command('collect')
    .description('Receive the results agents push (headroom load --push) and print them merged.')
    .requiredOption('--listen <host:port>', 'address to listen on (:47000 = every interface)', listenArg)
    .requiredOption('--expect <n>', 'results to wait for (the run’s segment count N)', countArg)
    .addOption(durationOption('--timeout <duration>', 'stop waiting after this long', '10m'));
  addThresholdOption(command);
  addOutputOptions(command, 'headroom.load/v1');
  addExample(command, 'headroom collect --listen :47000 --expect 4 -o run.json --html run.html');
  command.action(async (flags: CollectFlags) => {
    process.exitCode = await runCollect(flags);
  });
}

async function runCollect(flags: CollectFlags): Promise<number> {
  assertWritable([flags.output, flags.html]);
  const thresholds = (flags.threshold ?? []).map(parseThreshold);
  const run = interruptible();
  try {
    const { results, complete } = await collectResults({
      ...flags.listen,
      expect: flags.expect,
      timeoutMs: flags.timeout,
      ctx: run.ctx,
      onListening: (url) => process.stderr.write(`collecting ${flags.expect} results on ${url}\n`),
      onResult: (source, n) => process.stderr.write(`received ${source}: ${n} of ${flags.expect}\n`),
    });
    if (results.length === 0) {
      process.stderr.write(
        `headroom: no result arrived (${run.interrupted() ? 'interrupted' : 'timed out'})\n`,
      );
      return run.interrupted() ? ExitCode.interrupted : ExitCode.failed;
    }
    const result = mergeResults(results, thresholds);
    if (!complete)
      result.generator.warnings.unshift(
        `${results.length} of ${flags.expect} results arrived before the wait ended`,
      );
    emitResult(flags, { summary: renderSummary(result), result, html: () => renderLoadReport(result) });
    if (run.interrupted()) return ExitCode.interrupted;
    return complete && result.thresholds.every((t) => t.ok) ? ExitCode.ok : ExitCode.failed;
  } finally {
    run.dispose();
  }
}
