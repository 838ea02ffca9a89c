/**
 * Variable generators: sequences unique across threads, random integers, UUIDs, a choice among values, and rows
 * of data files picked at random, in order, or once per virtual user.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { DataRow, VarSpec } from './types.js';

/** Where this thread (or agent) sits among its peers: sequences stride by `count` from `index`. */
export interface ThreadSlot {
  index: number;
  count: number;
}

/** A compiled variable: `perVu` ones are resolved once per virtual user, the others per request. */
export interface VarGenerator {
  readonly name: string;
  readonly perVu: boolean;
  /** The next value (per request), or the value for virtual user `vuId` (per VU). */
  next(vuId: number): unknown;
}

/**
 * Compiles one variable spec for thread `slot` of agent `segment` (`tables` hold that agent's rows). Sequences
 * stay unique over every thread of every agent: agent K of N takes the numbers ≡ K (mod N).
 * @throws UsageError for an unknown spec or a data file that is not declared.
 */
export function compileVar(
  name: string,
  spec: VarSpec,
  tables: Map<string, DataRow[]>,
  slot: ThreadSlot,
  segment: ThreadSlot,
): VarGenerator {
  if (spec === 'uuid') return { name, perVu: false, next: () => randomUUID() };
  if ('seq' in spec) {
    const first = spec.seq + segment.index + segment.count * slot.index;
    const stride = segment.count * slot.count;
    let k = 0;
    return { name, perVu: false, next: () => first + stride * k++ };
  }
  if ('int' in spec) {
    const [min, max] = spec.int;
    const span = max - min + 1;
    return { name, perVu: false, next: () => min + Math.floor(Math.random() * span) };
  }
  if ('oneOf' in spec) {
    const values = spec.oneOf;
    return { name, perVu: false, next: () => values[Math.floor(Math.random() * values.length)] };
  }
  const rows = tables.get(spec.from);
  if (!rows)
    throw new UsageError(`variable "${name}" reads data file "${spec.from}", which "data" does not declare`);
  const pick = spec.pick ?? 'random';
  if (pick === 'vu') return { name, perVu: true, next: (vuId) => rows[vuId % rows.length] };
  if (pick === 'seq') {
    let k = 0;
    return { name, perVu: false, next: () => rows[(slot.index + slot.count * k++) % rows.length] };
  }
  return { name, perVu: false, next: () => rows[Math.floor(Math.random() * rows.length)] };
}
