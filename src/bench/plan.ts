/**
 * Turns files and selectors into the list of benchmarks to run: each file is loaded once in its own process to
 * list what it registers; `--filter` (a regular expression on names) and `--tags` select. Untagged benchmarks run
 * by default; tagged ones (e.g. `integration`) only when `--tags` names one of their tags.
 */
import { UsageError } from '../errors.js';
import { runChild } from './child-process.js';
import { findBenchFiles } from './discover.js';

/** How to choose benchmarks. */
export interface Selection {
  /** Files, directories or globs (default `bench/`). */
  patterns: readonly string[];
  /** Regular expression matched against benchmark names. */
  filter?: string;
  /** Tags to include in addition to untagged benchmarks. */
  tags?: readonly string[];
  /** Directory the patterns and benchmark imports resolve from. */
  cwd: string;
  /** Extra environment for the benchmark processes. */
  env?: Record<string, string>;
}

/** One benchmark to run. */
export interface PlannedBench {
  file: string;
  name: string;
  tags: string[];
}

const LIST_TIMEOUT_MS = 60_000;

/** The benchmarks `selection` names. @throws UsageError for a bad filter, a file that fails to load, or nothing selected. */
export async function planBenchmarks(selection: Selection): Promise<PlannedBench[]> {
  let filter: RegExp | undefined;
  try {
    filter = selection.filter === undefined ? undefined : new RegExp(selection.filter);
  } catch {
    throw new UsageError(`not a valid regular expression: ${selection.filter}`, { option: 'filter' });
  }
  const files = await findBenchFiles(selection.patterns, selection.cwd);
  const wanted = new Set(selection.tags ?? []);
  const planned: PlannedBench[] = [];
  let listed = 0;
  for (const file of files) {
    const reply = await runChild(
      { mode: 'list', file },
      { cwd: selection.cwd, env: selection.env, timeoutMs: LIST_TIMEOUT_MS },
    );
    if (reply.type === 'error') throw new UsageError(`cannot load ${file}: ${reply.error}`);
    if (reply.type !== 'list') throw new Error(`unexpected reply from ${file}`);
    for (const bench of reply.benches) {
      listed++;
      if (filter && !filter.test(bench.name)) continue;
      if (bench.tags.length > 0 && !bench.tags.some((tag) => wanted.has(tag))) continue;
      planned.push({ file, name: bench.name, tags: bench.tags });
    }
  }
  if (planned.length === 0) {
    const why = [
      `${files.length} file(s), ${listed} benchmark(s)`,
      selection.filter === undefined ? '' : `--filter ${selection.filter}`,
      wanted.size === 0 ? '' : `--tags ${[...wanted].join(',')}`,
    ].filter(Boolean);
    throw new UsageError(`no benchmarks selected (${why.join(', ')})`);
  }
  return planned;
}
