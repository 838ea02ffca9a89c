/**
 * Self-contained HTML reports: uPlot's JS and CSS inlined from node_modules (no network), the data embedded as
 * JSON, a few charts and key/value tables. Parts (load, limits) describe their page; this renders it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FLAME_CLIENT, FLAME_CSS, type FlameSpec } from './flame-graph.js';

/** One series of a chart: its label and which y scale it uses (`y` left, `y2` right). */
export interface SeriesSpec {
  label: string;
  scale?: 'y' | 'y2';
  color?: string;
  /** Dash pattern of the line (e.g. `[6, 4]` for a threshold). */
  dash?: number[];
  /** Point diameter in px: set it to show the points large and filled (a marked value); 0 hides them. */
  pointSize?: number;
}

/** A line chart: `data[0]` is x, then one array per series. */
export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Label of the right-hand axis when a series uses `y2`. */
  y2Label?: string;
  /** `nines`: x values are -log10(1 - p/100) and are labelled as percentiles. */
  xFormat?: 'number' | 'nines';
  series: SeriesSpec[];
  data: number[][];
  /** The left y axis starts at 0 (throughput, latency) instead of fitting the data. */
  yFromZero?: boolean;
  /** A vertical line at x = `value`, labelled (e.g. the capacity found). */
  markX?: { value: number; label: string };
}

/** A titled key/value table. */
export interface TableSpec {
  title: string;
  rows: [string, string][];
}

/** A report page. */
export interface ReportPage {
  title: string;
  subtitle?: string;
  /** Warnings shown prominently above everything else. */
  warnings?: string[];
  tables: TableSpec[];
  charts: ChartSpec[];
  /** A flame graph (icicle chart) below the charts. */
  flame?: FlameSpec;
  /** The full result, embedded for whoever opens the file (and for tests). */
  data?: unknown;
}

let uplotAssets: { js: string; css: string } | null = null;

/** uPlot's minified JS and CSS, read once from node_modules (inlined in every page: no network). */
export function chartAssets(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');
    uplotAssets = {
      js: readFileSync(path.join(dir, 'uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(path.join(dir, 'uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

/**
 * Runs in the browser (after uPlot): `drawChart(chart, el)` draws one `ChartSpec` into `el` and returns the uPlot
 * instance, whose data a live page replaces with `setData`. `el.dataset.points` counts the x values drawn; the
 * `markX` line (read from `chart` at every draw, so it may change) sets `el.dataset.marked`.
 */
export const CHART_CLIENT = `
const COLORS = ${JSON.stringify(COLORS)};
const nines = (v) => { const p = 100 * (1 - Math.pow(10, -v)); return (p >= 99.99 ? p.toFixed(3) : p >= 99 ? p.toFixed(1) : p.toFixed(0)) + '%'; };
const markX = (chart, el) => (u) => {
  const mark = chart.markX;
  if (!mark) return;
  const x = u.valToPos(mark.value, 'x', true);
  if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
  const ctx = u.ctx, dpr = devicePixelRatio;
  ctx.save();
  ctx.strokeStyle = '#111'; ctx.lineWidth = 1.5 * dpr; ctx.setLineDash([6 * dpr, 4 * dpr]);
  ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
  // uPlot leaves its axes' alignment in the context: the label is laid out from its left end.
  ctx.font = (12 * dpr) + 'px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic';
  const w = ctx.measureText(mark.label).width;
  const left = x + w + 6 * dpr > u.bbox.left + u.bbox.width ? x - w - 6 * dpr : x + 6 * dpr;
  ctx.fillStyle = 'rgba(255,255,255,.85)'; ctx.fillRect(left - 2 * dpr, u.bbox.top + 2 * dpr, w + 4 * dpr, 16 * dpr);
  ctx.fillStyle = '#111'; ctx.fillText(mark.label, left, u.bbox.top + 14 * dpr);
  ctx.restore();
  el.dataset.marked = mark.label;
};
function drawChart(chart, el) {
  const hasY2 = chart.series.some((s) => s.scale === 'y2');
  const points = (s, stroke) => s.pointSize === undefined ? { show: chart.data[0].length < 40 } : { show: s.pointSize > 0, size: s.pointSize, fill: stroke };
  const opts = {
    width: Math.min(1000, el.clientWidth || 900), height: 320, title: chart.title,
    scales: { x: { time: false }, ...(chart.yFromZero ? { y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } } : {}) },
    series: [{ label: chart.xLabel, value: chart.xFormat === 'nines' ? (u, v) => v == null ? '' : nines(v) : undefined },
      ...chart.series.map((s, i) => { const stroke = s.color || COLORS[i % COLORS.length]; return { label: s.label, scale: s.scale || 'y', stroke, width: 2, dash: s.dash, points: points(s, stroke) }; })],
    axes: [
      { label: chart.xLabel, values: chart.xFormat === 'nines' ? (u, vals) => vals.map(nines) : undefined },
      { label: chart.yLabel, scale: 'y' },
      ...(hasY2 ? [{ label: chart.y2Label || '', scale: 'y2', side: 1, grid: { show: false } }] : []),
    ],
    hooks: { draw: [(u) => { el.dataset.yMin = String(u.scales.y.min); el.dataset.points = String(u.data[0].length); }, markX(chart, el)] },
  };
  el.dataset.points = String(chart.data[0].length);
  return new uPlot(opts, chart.data, el);
}
`;

// Runs in the browser: draws every chart of the embedded page with uPlot.
const CLIENT = `
const page = JSON.parse(document.getElementById('report-page').textContent);
${CHART_CLIENT}
for (const chart of page.charts) drawChart(chart, document.getElementById(chart.id));
${FLAME_CLIENT}
document.body.dataset.rendered = 'true';
`;

/** The flame graph's section; `FLAME_CLIENT` draws into it. */
function flameSection(spec: FlameSpec): string {
  return `<section class="flame" id="${escapeHtml(spec.id)}"><h2>${escapeHtml(spec.title)}</h2>
<p class="flame-help">Width = share of the busy time; callers above their callees. Click a frame to zoom in, the top
bar to reset.</p><div class="flame-legend"></div><div class="flame-path"></div><div class="flame-chart"></div></section>`;
}

/** Renders a report page as one self-contained HTML document. */
export function renderHtmlPage(page: ReportPage): string {
  const { js, css } = chartAssets();
  const tables = page.tables
    .map(
      (t) =>
        `<section><h2>${escapeHtml(t.title)}</h2><table>${t.rows
          .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
          .join('')}</table></section>`,
    )
    .join('\n');
  const warnings = (page.warnings ?? []).map((w) => `<p class="warning">⚠ ${escapeHtml(w)}</p>`).join('\n');
  const charts = page.charts.map((c) => `<div class="chart" id="${escapeHtml(c.id)}"></div>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:1040px;color:#111}
h1{font-size:1.5rem;margin-bottom:.2rem} .subtitle{color:#555;margin-top:0}
.warning{background:#fef3c7;border-left:4px solid #d97706;padding:.5rem 1rem}
.tables{display:flex;flex-wrap:wrap;gap:2rem} table{border-collapse:collapse}
th{text-align:left;font-weight:500;color:#555;padding:2px 1rem 2px 0} td{font-variant-numeric:tabular-nums}
.chart{margin:2rem 0}
${FLAME_CSS}</style></head>
<body>
<h1>${escapeHtml(page.title)}</h1>
${page.subtitle ? `<p class="subtitle">${escapeHtml(page.subtitle)}</p>` : ''}
${warnings}
<div class="tables">${tables}</div>
${charts}
${page.flame ? flameSection(page.flame) : ''}
<script type="application/json" id="report-page">${scriptJson({ charts: page.charts, flame: page.flame ?? null })}</script>
<script type="application/json" id="report-data">${scriptJson(page.data ?? null)}</script>
<script>${js}</script>
<script>${CLIENT}</script>
</body></html>
`;
}
