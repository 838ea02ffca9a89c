/** Reads a scenario's data files: CSV with a header line (via csv-parse) or a JSON array of objects. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../../errors.js';
import type { DataRow } from './types.js';

/**
 * Loads every data file named by a scenario, paths relative to `baseDir`.
 * @throws UsageError for an unreadable, empty or malformed file.
 */
export async function loadDataFiles(
  files: Record<string, string> | undefined,
  baseDir: string,
): Promise<Map<string, DataRow[]>> {
  const tables = new Map<string, DataRow[]>();
  for (const [name, file] of Object.entries(files ?? {})) {
    const full = path.resolve(baseDir, file);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read data file "${name}" (${full}): ${(error as NodeJS.ErrnoException).code}`,
      );
    }
    const rows = full.endsWith('.json') ? parseJsonRows(text, full) : parseCsvRows(text, full);
    if (rows.length === 0) throw new UsageError(`data file "${name}" (${full}) has no rows`);
    tables.set(name, rows);
  }
  return tables;
}

/**
 * One agent's part of every data file: rows `index`, `index + count`, … (agent `index` of `count`), so rows
 * meant to be used once (unique users) are used by one agent only.
 * @throws UsageError when a file has fewer rows than there are agents.
 */
export function partitionRows(
  tables: Map<string, DataRow[]>,
  segment: { index: number; count: number },
): Map<string, DataRow[]> {
  if (segment.count === 1) return tables;
  const parts = new Map<string, DataRow[]>();
  for (const [name, rows] of tables) {
    if (rows.length < segment.count)
      throw new UsageError(
        `data file "${name}" has ${rows.length} rows, fewer than the ${segment.count} segments that share it`,
      );
    parts.set(
      name,
      rows.filter((_, i) => i % segment.count === segment.index),
    );
  }
  return parts;
}

function parseJsonRows(text: string, file: string): DataRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`data file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value) || !value.every((row) => typeof row === 'object' && row !== null)) {
    throw new UsageError(`data file ${file} must be a JSON array of objects`);
  }
  return value as DataRow[];
}

function parseCsvRows(text: string, file: string): DataRow[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as DataRow[];
  } catch (error) {
    throw new UsageError(`data file ${file} is not valid CSV: ${(error as Error).message}`);
  }
}
