/**
 * `{{name.field}}` templates compiled once into static text plus slots, so building a request evaluates only
 * what varies. Slots encode their value as text, as the inside of a JSON string, or as a whole JSON value.
 */
import { UsageError } from '../../errors.js';

/** How a slot's value is written. */
export type SlotEncoding = 'text' | 'json-string' | 'json-value';

/** What a slot reads: variable `index`, the VU's state, or the VU's id; then `path` into the value. */
export interface Slot {
  source: 'var' | 'state' | 'vu';
  index: number;
  path: string[];
  encoding: SlotEncoding;
}

/** A compiled template: static strings and slots in order. */
export type TemplatePart = string | Slot;

/** Resolves slot values while one request is built. */
export interface SlotScope {
  value(slot: Slot): unknown;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$-]+)*)\s*\}\}/g;

/**
 * Compiles a template; `varIndex` maps variable names to their index.
 * @throws UsageError for a reference to an unknown variable.
 */
export function compileTemplate(
  text: string,
  varIndex: Map<string, number>,
  encoding: SlotEncoding,
  where: string,
): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(toSlot(match[1] as string, varIndex, encoding, where));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Compiles a `json` body: strings holding templates become slots, everything else static JSON text. */
export function compileJson(value: unknown, varIndex: Map<string, number>, where: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$-]+)*)\s*\}\}$/.exec(v);
      if (whole) parts.push(toSlot(whole[1] as string, varIndex, 'json-value', where));
      else if (v.includes('{{')) {
        parts.push('"');
        for (const p of compileTemplate(v, varIndex, 'json-string', where)) {
          parts.push(typeof p === 'string' ? JSON.stringify(p).slice(1, -1) : p);
        }
        parts.push('"');
      } else parts.push(JSON.stringify(v));
    } else if (Array.isArray(v)) {
      parts.push('[');
      v.forEach((item, i) => {
        if (i > 0) parts.push(',');
        walk(item);
      });
      parts.push(']');
    } else if (v !== null && typeof v === 'object') {
      parts.push('{');
      Object.entries(v).forEach(([key, item], i) => {
        parts.push(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
        walk(item);
      });
      parts.push('}');
    } else parts.push(JSON.stringify(v) ?? 'null');
  };
  walk(value);
  return mergeStatic(parts);
}

/** Whether a compiled template has no slots (so it can be rendered once). */
export function isStatic(parts: TemplatePart[]): parts is string[] {
  return parts.every((p) => typeof p === 'string');
}

/** Renders a compiled template with the current request's values. */
export function renderTemplate(parts: TemplatePart[], scope: SlotScope): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else out += encode(scope.value(part), part.encoding);
  }
  return out;
}

/** Joins adjacent static strings. */
export function mergeStatic(parts: TemplatePart[]): TemplatePart[] {
  const merged: TemplatePart[] = [];
  for (const part of parts) {
    const prev = merged[merged.length - 1];
    if (typeof part === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + part;
    else merged.push(part);
  }
  return merged;
}

function toSlot(ref: string, varIndex: Map<string, number>, encoding: SlotEncoding, where: string): Slot {
  const [root = '', ...path] = ref.split('.');
  if (root === 'state') return { source: 'state', index: -1, path, encoding };
  if (root === 'vu') return { source: 'vu', index: -1, path, encoding };
  const index = varIndex.get(root);
  if (index === undefined) throw new UsageError(`${where}: unknown variable "{{${ref}}}"`);
  return { source: 'var', index, path, encoding };
}

function encode(value: unknown, encoding: SlotEncoding): string {
  if (encoding === 'json-value') return JSON.stringify(value) ?? 'null';
  const text =
    value === undefined || value === null
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return encoding === 'json-string' ? JSON.stringify(text).slice(1, -1) : text;
}
