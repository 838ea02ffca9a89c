/**
 * A flame graph for the self-contained report pages: an icicle chart (callers on top, callees below, width =
 * share of the time) drawn with plain DOM in inline script — no asset, no network. Click a frame to zoom into it
 * (it fills the width, its callers stay above as full-width bars); click the top bar (or any caller) to zoom out.
 * Frames are coloured by package, your code in orange, so whose time it is reads at a glance.
 */

/** One frame of the call tree: shares of the profiled time in %. */
export interface FlameNode {
  name: string;
  /** Who the frame belongs to (`pg`, `(your code)`, `node (internals)`…): its colour and its tooltip. */
  package: string;
  selfPct: number;
  totalPct: number;
  children: FlameNode[];
}

/** A flame graph section of a page. */
export interface FlameSpec {
  id: string;
  title: string;
  /** The call tree; its root spans the whole width. */
  root: FlameNode;
}

/** Styles of the flame graph. */
export const FLAME_CSS = `.flame-chart{position:relative;width:100%;overflow:hidden;font:11px/17px system-ui,sans-serif}
.flame-node{position:absolute;height:17px;box-sizing:border-box;border:1px solid #fff;padding:0 3px;overflow:hidden;
white-space:nowrap;text-overflow:ellipsis;cursor:pointer;color:#111}
.flame-node:hover{filter:brightness(.9)} .flame-node.focus{outline:2px solid #111;outline-offset:-2px}
.flame-help,.flame-path{color:#555;margin:.3rem 0} .flame-legend{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.3rem 0}
.flame-legend span::before{content:"";display:inline-block;width:.8em;height:.8em;margin-right:.3em;
background:var(--c);vertical-align:-1px}`;

/**
 * Runs in the browser after `page` (the embedded page JSON) is parsed: draws `page.flame`, if any, into its section
 * (`#<id>` holding `.flame-legend`, `.flame-path` and `.flame-chart`). Each frame is a
 * `.flame-node` with `data-name`, `data-package` and `data-width` (% of the chart); the section's `data-focus`
 * names the zoomed frame.
 */
export const FLAME_CLIENT = `
if (page.flame) (() => {
  const spec = page.flame;
  const section = document.getElementById(spec.id);
  const chart = section.querySelector('.flame-chart');
  const ROW = 17;
  const FIXED = { '(your code)': '#fb923c', 'node (internals)': '#cbd5e1', '(garbage collector)': '#94a3b8',
    '(program)': '#a8a29e', '(native)': '#d6d3d1', '(wasm)': '#c084fc', '': '#e5e7eb' };
  // Packages take distinct hues by weight (a package's WebAssembly a darker shade of its JavaScript); V8's and
  // Node's own time greys; your code orange.
  const packages = new Map();
  const parents = new Map();
  const visit = (node) => {
    if (node !== spec.root) packages.set(node.package, (packages.get(node.package) || 0) + node.selfPct);
    for (const child of node.children) { parents.set(child, node); visit(child); }
  };
  visit(spec.root);
  const HUES = [210, 265, 160, 330, 190, 85, 240, 175, 295, 55];
  const WASM = ' (wasm)';
  const base = (pkg) => pkg.endsWith(WASM) ? pkg.slice(0, -WASM.length) : pkg;
  const hues = new Map();
  for (const [pkg] of [...packages].sort((a, b) => b[1] - a[1])) {
    if (!FIXED[pkg] && !hues.has(base(pkg))) hues.set(base(pkg), HUES[hues.size % HUES.length]);
  }
  const color = (pkg) =>
    FIXED[pkg] || 'hsl(' + hues.get(base(pkg)) + ',65%,' + (pkg.endsWith(WASM) ? 62 : 76) + '%)';
  const legend = section.querySelector('.flame-legend');
  for (const [pkg] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    const item = document.createElement('span');
    item.style.setProperty('--c', color(pkg));
    item.textContent = pkg;
    legend.appendChild(item);
  }
  const render = (focus) => {
    chart.textContent = '';
    const path = [];
    for (let n = focus; n; n = parents.get(n)) path.unshift(n);
    let rows = path.length;
    const place = (node, left, width, depth) => {
      const el = document.createElement('div');
      el.className = 'flame-node' + (node === focus ? ' focus' : '');
      el.style.left = left + '%';
      el.style.width = width + '%';
      el.style.top = depth * ROW + 'px';
      el.style.background = color(node.package);
      el.textContent = node.name;
      el.title = node.name + (node.package ? ' — ' + node.package : '') + '\\n' + node.totalPct + '% total, ' + node.selfPct + '% self';
      el.dataset.name = node.name;
      el.dataset.package = node.package;
      el.dataset.width = width.toFixed(1);
      el.addEventListener('click', () => render(node === focus && parents.has(node) ? parents.get(node) : node));
      chart.appendChild(el);
      rows = Math.max(rows, depth + 1);
    };
    const layout = (node, left, depth) => {
      let x = left;
      for (const child of node.children) {
        const width = Math.min((child.totalPct / focus.totalPct) * 100, 100 - x);
        if (width >= 0.15) { place(child, x, width, depth); layout(child, x, depth + 1); }
        x += width;
      }
    };
    path.forEach((node, depth) => place(node, 0, 100, depth));
    layout(focus, 0, path.length);
    chart.style.height = rows * ROW + 'px';
    section.querySelector('.flame-path').textContent = path.map((n) => n.name).join(' › ') + ' — ' + focus.totalPct + '% of the busy time';
    section.dataset.focus = focus.name;
  };
  render(spec.root);
})();
`;
