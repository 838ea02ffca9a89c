/**
 * `headroom collect --listen host:port --expect N` — receives what the agents of one run push
 * (`headroom load --segment K/N --push URL`): their seconds while they run, shown merged live (the load live view
 * on a terminal, a line every 10 s otherwise), and their results, printed merged as `headroom merge` does. Exit 0 ok, 1 a
 * threshold breached or not every agent reported before `--timeout` (what arrived is still merged and printed),
 * 2 bad input, 130 interrupted.
 */
import type { Command } from 'commander';
import { collectSecond, collectStart, loadFinal } from '../dashboard/index.js';
import { ExitCode } from '../errors.js';
import { collectResults } from '../load/collect.js';
import { mergeResults } from '../load/merge.js';
import { renderCollectLiveView, renderCollectProgress, renderSummary } from '../load/render/index.js';
import { parseThreshold } from '../load/thresholds.js';
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
  interruptible,
  listenArg,
  type OutputFlags,
  progressOn,
  wantsColor,
} from './flags.js';

interface CollectFlags extends OutputFlags {
  listen: { host: string; port: number };
  expect: number;
  timeout: number;
  threshold?: string[];
  progress: boolean;
  dashboard?: DashboardAddress | true;
}

/** Registers `headroom collect` on the CLI. */
export function registerCollectCommand(program: Command): void {
  const command = program
    .command('collect')
    .description(
      'Receive what agents push (headroom load --push): show the run live, print the results merged.',
    )
    .requiredOption('--listen <host:port>', 'address to listen on (:47000 = every interface)', listenArg)
    .requiredOption('--expect <n>', 'results to wait for (the run’s segment count N)', countArg)
    .addOption(durationOption('--timeout <duration>', 'stop waiting after this long', '10m'))
    .option(
      '--no-progress',
      'no live view of the merged run (a line every 10 s when stderr is not a terminal)',
    );
  addDashboardOption(command);
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
  const progress = progressOn(process.stderr, flags.progress);
  const liveView = { color: wantsColor(process.env) };
  /** A line between live updates: the block is erased first and redrawn at the next second. */
  const say = (line: string) => {
    progress.done();
    process.stderr.write(`${line}\n`);
  };
  let reporting = 0;
  const dashboard = await openDashboard(
    flags.dashboard,
    collectStart(`${flags.listen.host}:${flags.listen.port}`, flags.expect),
  );
  try {
    const { results, complete, live } = await collectResults({
      ...flags.listen,
      expect: flags.expect,
      timeoutMs: flags.timeout,
      ctx: run.ctx,
      onListening: (url) => say(`collecting ${flags.expect} results on ${url}`),
      onResult: (source, n) => say(`received ${source}: ${n} of ${flags.expect}`),
      onSecond: (second, totals) => {
        if (flags.progress && second.agents !== reporting)
          say(`live: ${second.agents} of ${second.expected} agents reporting (second ${second.t})`);
        reporting = second.agents;
        dashboard?.second(collectSecond(second, totals));
        progress.update(
          progress.live
            ? renderCollectLiveView(second, totals, liveView)
            : renderCollectProgress(second, totals),
        );
      },
    });
    progress.done();
    if (results.length === 0) {
      await dashboard?.fail('no result arrived');
      process.stderr.write(
        `headroom: no result arrived (${run.interrupted() ? 'interrupted' : 'timed out'})\n`,
      );
      return run.interrupted() ? ExitCode.interrupted : ExitCode.failed;
    }
    const result = mergeResults(results, thresholds);
    if (live) result.live = live;
    if (!complete)
      result.generator.warnings.unshift(
        `${results.length} of ${flags.expect} results arrived before the wait ended`,
      );
    await dashboard?.end(loadFinal(result));
    emitResult(flags, { summary: renderSummary(result), result, html: () => renderLoadReport(result) });
    if (run.interrupted()) return ExitCode.interrupted;
    return complete && result.thresholds.every((t) => t.ok) ? ExitCode.ok : ExitCode.failed;
  } catch (error) {
    await dashboard?.fail((error as Error).message);
    throw error;
  } finally {
    progress.done();
    run.dispose();
    await dashboard?.close();
  }
}
