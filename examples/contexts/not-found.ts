/**
 * Demo 2 — the same search with only 10 searchers: nobody finds 150. The Go version waits forever on a channel
 * nobody writes (deadlock); `firstOf` ends with NotFoundError instead.
 * Run: `npx tsx examples/contexts/not-found.ts [--seed N]`.
 */
import { pathToFileURL } from 'node:url';
import { background, firstOf, NotFoundError } from 'headroom-kit/context';
import { type Outcome, type SearchPlan, search, seedFrom } from './searcher.js';

/** Runs the demo and prints how it ended. */
export async function main(args: readonly string[] = []): Promise<void> {
  const plan: SearchPlan = { target: 150, space: 100_000, draws: 1_000, seed: seedFrom(args) };
  const searchers = 10;
  console.log(`not found: ${searchers} searchers look for ${plan.target} in [0, ${plan.space})`);
  const outcomes: Outcome[] = [];
  try {
    const { value } = await firstOf(background(), searchers, (ctx, i) => search(ctx, i, plan, outcomes));
    console.log(`found ${plan.target}: searcher #${value.searcher} after ${value.draws} draws (lucky seed)`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const gaveUp = outcomes.filter((o) => o === 'exhausted').length;
    console.log(`${error.name}: all ${gaveUp} searchers gave up — no deadlock, the search just ends`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
