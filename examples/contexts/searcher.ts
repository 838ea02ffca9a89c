/**
 * The course's searcher: draws random numbers looking for a target until it finds it, runs out of draws, or its
 * context ends. Seeded, so a run is reproducible (`--seed` changes it).
 */
import type { Context, Found } from 'headroom-kit/context';

/** What to look for and how hard. */
export interface SearchPlan {
  target: number;
  /** Numbers are drawn from [0, space). */
  space: number;
  /** Draws per searcher before it gives up. */
  draws: number;
  seed: number;
}

/** How one searcher ended. */
export type Outcome = 'found' | 'stopped' | 'exhausted';

/** A hit: which searcher, after how many draws. */
export interface Hit {
  searcher: number;
  draws: number;
}

/** mulberry32: a tiny seeded PRNG, enough for a demo. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Searcher `index`: checks `ctx.err` before every draw and yields to the event loop every 10 draws, so a cancel
 * reaches it promptly. Records how it ended in `outcomes[index]`.
 */
export async function search(
  ctx: Context,
  index: number,
  plan: SearchPlan,
  outcomes: Outcome[],
): Promise<Found<Hit> | undefined> {
  const next = random(plan.seed * 1_000_003 + index);
  for (let draw = 1; draw <= plan.draws; draw++) {
    if (ctx.err !== undefined) {
      outcomes[index] = 'stopped';
      return undefined;
    }
    if (Math.floor(next() * plan.space) === plan.target) {
      outcomes[index] = 'found';
      return { value: { searcher: index, draws: draw } };
    }
    if (draw % 10 === 0) await yieldToLoop();
  }
  outcomes[index] = 'exhausted';
  return undefined;
}

/** `--seed N` from argv, default 1. */
export function seedFrom(args: readonly string[]): number {
  const at = args.indexOf('--seed');
  const seed = at >= 0 ? Number(args[at + 1]) : 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`--seed must be an integer, got ${args[at + 1]}`);
  return seed;
}
