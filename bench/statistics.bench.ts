/**
 * The cost of `headroom bench compare`'s statistics: Mann-Whitney U (exact and normal), Hodges-Lehmann, the
 * median interval, Holm — per benchmark compared. Run: `headroom bench bench/statistics.bench.ts`.
 */
import { bench } from '../src/bench/index.js';
import { hodgesLehmann, holm, mannWhitney, medianInterval } from '../src/bench/statistics/index.js';

/** Deterministic pseudo-samples around `center` (no ties). */
function samples(n: number, center: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => center + ((i * 7919 + seed * 104_729) % 1000) / 997 + i * 1e-6);
}

const old10 = samples(10, 100, 1);
const new10 = samples(10, 100.3, 2);
const old49 = samples(49, 100, 3);
const new49 = samples(49, 100.3, 4);
const old200 = samples(200, 100, 5);
const new200 = samples(200, 100.3, 6);
const pValues = Array.from({ length: 50 }, (_, i) => (i + 1) / 60);

bench('stats/mann-whitney-exact-10x10', () => mannWhitney(new10, old10));
bench('stats/mann-whitney-exact-49x49', () => mannWhitney(new49, old49));
bench('stats/mann-whitney-normal-200x200', () => mannWhitney(new200, old200));
bench('stats/hodges-lehmann-10x10', () => hodgesLehmann(old10, new10));
bench('stats/median-interval-200', () => medianInterval(old200));
bench('stats/holm-50', () => holm(pValues));
