/**
 * Finds benchmark files: a directory means every `*.bench.{ts,mts,js,mjs}` below it, a file means itself, anything
 * else is a glob (tinyglobby). Paths come back relative to `cwd`, sorted, without duplicates.
 */
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from '../errors.js';

const BENCH_FILES = '**/*.bench.{ts,mts,js,mjs}';
const IGNORE = ['**/node_modules/**', '**/dist/**'];

/** The benchmark files named by `patterns` (default: `bench/`). @throws UsageError for a path that does not exist. */
export async function findBenchFiles(patterns: readonly string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns.length > 0 ? patterns : ['bench']) {
    if (isDynamicPattern(pattern)) {
      for (const file of await glob(pattern, { cwd, ignore: IGNORE })) found.add(file);
      continue;
    }
    const absolute = resolve(cwd, pattern);
    const stat = statSync(absolute, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`no such benchmark file or directory: ${pattern}`);
    if (stat.isDirectory()) {
      for (const file of await glob(BENCH_FILES, { cwd: absolute, ignore: IGNORE })) {
        found.add(relative(cwd, resolve(absolute, file)));
      }
    } else {
      found.add(relative(cwd, absolute));
    }
  }
  return [...found].sort();
}
