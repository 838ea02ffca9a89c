/** A small seeded PRNG (mulberry32) and the distributions the seed draws from — reproducible data sets. */

/** Random draws from one seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Exponential with the given mean (long tail: most users have few expenses, some many). */
  exponential(mean: number): number;
  /** Log-normal around `median` (amounts: many small, a few large). */
  logNormal(median: number, sigma: number): number;
}

/**
 * A deterministic Random.
 * @example createRandom(42).int(1, 6)
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    exponential: (mean) => -Math.log(1 - next()) * mean,
    logNormal(median, sigma) {
      // Box–Muller for a standard normal.
      const z = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(sigma * z);
    },
  };
}
