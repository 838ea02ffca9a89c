/**
 * Imports flow one way between the parts of src/ (its top-level folders; files directly in src/ sit below every
 * part): no part imports the CLI, and the graph of parts has no cycle.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';

const src = path.resolve(new URL('../../src', import.meta.url).pathname);
/** Relative imports: static, type-only, re-exports and dynamic `import('./…')`. */
const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The part a file belongs to: its top-level folder under src/, or `(shared)` for files directly in src/. */
function partOf(file: string): string {
  const [first, ...rest] = path.relative(src, file).split(path.sep);
  return rest.length > 0 ? (first as string) : '(shared)';
}

/** Part → the parts it imports from (its own excluded), with one importing file per edge for the message. */
async function partGraph(): Promise<Map<string, Map<string, string>>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of await glob('**/*.ts', { cwd: src, absolute: true })) {
    const from = partOf(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const to = partOf(path.resolve(path.dirname(file), match[1] as string));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)?.set(to, path.relative(src, file));
    }
  }
  return graph;
}

/** One cycle of the graph as `a → b → a`, or null when it has none (depth-first search). */
function findCycle(graph: Map<string, Map<string, string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node].join(' → ');
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('imports between the parts of src/', () => {
  it('never go from an engine to the CLI', async () => {
    const graph = await partGraph();
    expect(graph.get('cli')?.has('load'), 'the scan sees the CLI import the load engine').toBe(true);
    const intoCli = [...graph]
      .filter(([from, targets]) => from !== 'cli' && targets.has('cli'))
      .map(([from, targets]) => `${from} (${targets.get('cli')})`);
    expect(intoCli).toEqual([]);
  });

  it('form no cycle', async () => {
    expect(findCycle(await partGraph())).toBeNull();
  });

  it('are found by the scan (a cycle made up here is reported)', () => {
    const graph = new Map([
      ['load', new Map([['report', 'load/a.ts']])],
      ['report', new Map([['load', 'report/b.ts']])],
    ]);
    expect(findCycle(graph)).toBe('load → report → load');
  });
});
