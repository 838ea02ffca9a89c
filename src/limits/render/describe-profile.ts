/**
 * The words for where the knee profile's time went, shared by the terminal summary and the HTML page: packages by
 * self time on one line, and functions split into your code (what you can change first) and everything else,
 * each marked with its package (`bytes (pg)`).
 */
import { NODE_INTERNALS, OWN_CODE } from '../profile-packages.js';
import type { PackageShare, TopFunction } from '../types.js';

/** `bytes (pg)`, `processTimers (node)`; your code and V8's own entries (`(garbage collector)`) unmarked. */
export function functionLabel(fn: TopFunction): string {
  const pkg = fn.package ?? ''; // absent from results written before packages were attributed
  if (pkg === NODE_INTERNALS) return `${fn.name} (node)`;
  if (pkg === '' || pkg.startsWith('(')) return fn.name;
  return `${fn.name} (${pkg})`;
}

/** `@electric-sql/pglite (wasm) 27.0% · (your code) 12.0% · fastify 6.0%`: the first `count` packages. */
export function packagesLine(packages: readonly PackageShare[], count = 6): string {
  return packages
    .slice(0, count)
    .map((p) => `${p.name} ${p.selfPct.toFixed(1)}%`)
    .join(' · ');
}

/** Functions in your code and elsewhere, each hottest first, at most `count` of each. */
export function splitFunctions(
  functions: readonly TopFunction[],
  count = 5,
): { own: TopFunction[]; elsewhere: TopFunction[] } {
  return {
    own: functions.filter((f) => f.package === OWN_CODE).slice(0, count),
    elsewhere: functions.filter((f) => f.package !== OWN_CODE).slice(0, count),
  };
}
