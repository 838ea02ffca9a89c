/**
 * A compact call tree of a CPU profile for the HTML report's flame graph: frames merged by function, file and
 * package along each sample's stack, as shares of the non-idle time. Small enough to embed in the JSON: nodes
 * under `TREE_MIN_PCT` are dropped (their time stays in their parent's total) and stacks deeper than
 * `TREE_MAX_DEPTH` are cut there (the cut frame's self time holds what was below it).
 */
import type { Frame } from './profile-packages.js';
import type { ProfileNode } from './types.js';

/** Nodes below this share of the non-idle time (%) are left out. */
export const TREE_MIN_PCT = 0.5;
/** Frames deeper than this are folded into the frame at this depth. */
export const TREE_MAX_DEPTH = 48;

interface Growing {
  name: string;
  package: string;
  self: number;
  total: number;
  children: Map<string, Growing>;
}

/** Accumulates stacks (root first) into a call tree; `build` prunes it into percentages. */
export class ProfileTreeBuilder {
  private readonly root: Growing = { name: 'all', package: '', self: 0, total: 0, children: new Map() };

  /** Adds one sample: its frames root first, each frame's package, and its value. */
  add(frames: readonly Frame[], packages: readonly string[], value: number): void {
    let node = this.root;
    node.total += value;
    const depth = Math.min(frames.length, TREE_MAX_DEPTH);
    for (let i = 0; i < depth; i++) {
      const frame = frames[i] as Frame;
      const pkg = packages[i] as string;
      const key = `${frame.name}\u0000${frame.file}\u0000${pkg}`;
      let child = node.children.get(key);
      if (!child) {
        child = { name: frame.name, package: pkg, self: 0, total: 0, children: new Map() };
        node.children.set(key, child);
      }
      child.total += value;
      node = child;
    }
    node.self += value;
  }

  /** The pruned tree, or null when no time was added. */
  build(): ProfileNode | null {
    const total = this.root.total;
    if (total <= 0) return null;
    const pct = (value: number) => Math.round((value / total) * 1000) / 10;
    const convert = (node: Growing): ProfileNode => ({
      name: node.name,
      package: node.package,
      selfPct: pct(node.self),
      totalPct: pct(node.total),
      children: [...node.children.values()]
        .filter((child) => (child.total / total) * 100 >= TREE_MIN_PCT)
        .sort((a, b) => b.total - a.total)
        .map(convert),
    });
    return convert(this.root);
  }
}
