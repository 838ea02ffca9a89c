/**
 * Demo 1 — cancellation: 10,000 searchers look for the number 150; the first to find it wins and the context
 * cancels the rest, which stop at their next check. Run: `npx tsx examples/contexts/cancellation.ts [--seed N]`.
 */
import { pathToFileURL } from 'node:url';
import { background, firstOf } from 'headroom-kit/context';
import { type Outcome, type SearchPlan, search, seedFrom } from './searcher.js';

/** Runs the demo with `searchers` searchers and prints what happened. */
export async function main(args: readonly string[] = [], searchers = 10_000): Promise<void> {
  const plan: SearchPlan = { target: 150, space: 100_000, draws: 1_000, seed: seedFrom(args) };
  console.log(`cancellation: ${searchers} searchers look for ${plan.target} in [0, ${plan.space})`);
  const outcomes: Outcome[] = [];
  const runs: Promise<unknown>[] = [];
  const started = performance.now();
  const { value } = await firstOf(background(), searchers, (ctx, i) => {
    const run = search(ctx, i, plan, outcomes);
    runs.push(run);
    return run;
  });
  const ms = performance.now() - started;
  console.log(
    `found ${plan.target}: searcher #${value.searcher} after ${value.draws} draws (${ms.toFixed(1)} ms)`,
  );
  await Promise.all(runs);
  const count = (outcome: Outcome): number => outcomes.filter((o) => o === outcome).length;
  console.log(
    `the others: ${count('stopped')} stopped on "context canceled", ${count('found') - 1} also found it, ` +
      `${count('exhausted')} gave up`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
