/**
 * Reads a scenario file — a TypeScript/JavaScript module's default export (TypeScript via tsx, nothing to
 * compile) or JSON — and validates it with zod, so a mistake is one clear line before any load is sent.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { isUsageError, UsageError } from '../../errors.js';
import { importOptional } from '../../optional-dependency.js';
import type { Scenario } from './types.js';

const varSpec = z.union([
  z.literal('uuid'),
  z.strictObject({ seq: z.number().int() }),
  z.strictObject({ int: z.tuple([z.number().int(), z.number().int()]) }),
  z.strictObject({ oneOf: z.array(z.unknown()).min(1) }),
  z.strictObject({ from: z.string(), pick: z.enum(['random', 'seq', 'vu']).optional() }),
]);

const request = z.strictObject({
  name: z.string().min(1).optional(),
  weight: z.number().positive().optional(),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .optional(),
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  json: z.unknown().optional(),
});

const scenarioSchema = z.strictObject({
  data: z.record(z.string(), z.string()).optional(),
  vars: z.record(z.string(), varSpec).optional(),
  setup: z.custom<Scenario['setup']>((v) => typeof v === 'function', 'must be a function').optional(),
  requests: z.array(request).min(1),
});

/** A scenario read from disk, with the folder its data paths are relative to. */
export interface LoadedScenario {
  file: string;
  dir: string;
  scenario: Scenario;
}

/**
 * Reads and validates a scenario file.
 * @throws UsageError for an unreadable file, a module without a default export, or an invalid scenario.
 */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  const full = path.resolve(file);
  const raw = await importScenario(full);
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new UsageError(`invalid scenario ${file}: ${where}${issue?.message ?? 'invalid'}`);
  }
  for (const r of parsed.data.requests) {
    if (r.body !== undefined && r.json !== undefined) {
      throw new UsageError(`invalid scenario ${file}: request "${r.name ?? r.path}" has both body and json`);
    }
  }
  return { file: full, dir: path.dirname(full), scenario: parsed.data as Scenario };
}

async function importScenario(full: string): Promise<unknown> {
  try {
    if (full.endsWith('.json')) return JSON.parse(await readFile(full, 'utf8'));
    let mod: { default?: unknown };
    if (/\.[cm]?ts$/.test(full)) {
      const { tsImport } = await importOptional<typeof import('tsx/esm/api')>('tsx', 'tsx/esm/api');
      mod = (await tsImport(pathToFileURL(full).href, import.meta.url)) as { default?: unknown };
    } else mod = (await import(pathToFileURL(full).href)) as { default?: unknown };
    if (mod.default === undefined) throw new UsageError(`scenario ${full} has no default export`);
    return mod.default;
  } catch (error) {
    if (isUsageError(error)) throw error;
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' || e.code === 'ERR_MODULE_NOT_FOUND' ? 'no such file' : e.message;
    throw new UsageError(`cannot load scenario ${full}: ${reason.split('\n')[0]}`);
  }
}
