/**
 * The live dashboard page: one self-contained HTML document (uPlot inlined, no asset, no network beyond its own
 * event stream) that draws what `/events` sends — `start`, `second`, `step`, `end`, `failed` — with the report
 * pages' chart code (`CHART_CLIENT`). When the run ends it shows the final figures and the full HTML report in
 * the page, so the browser keeps it after the run's process has exited.
 */
import { CHART_CLIENT, chartAssets } from '../report/html-page.js';

/**
 * Runs in the browser. Everything it shows is in the DOM for tests too: `body[data-state]` (connecting, running,
 * finished, failed, disconnected), tiles `[data-key]` with the raw figure in `data-value`, `#live-timeline`'s
 * `data-points`, `#steps tr[data-offered]`, final figures `[data-final-key]` and `iframe#report`.
 */
const CLIENT = `
${CHART_CLIENT}
const $ = (id) => document.getElementById(id);
const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtMs = (v) => v == null || !isFinite(v) ? '—' : v < 1 ? int.format(v * 1000) + 'µs' : v < 10 ? v.toFixed(2) + 'ms' : v < 100 ? v.toFixed(1) + 'ms' : v < 1000 ? v.toFixed(0) + 'ms' : (v / 1000).toFixed(2) + 's';
const state = { kind: 'load', seconds: [], steps: [], slo: [] };
const timeline = { id: 'live-timeline', title: 'Throughput and latency per second', xLabel: 'seconds', yLabel: 'req/s',
  y2Label: 'latency ms', yFromZero: true,
  series: [{ label: 'req/s', scale: 'y' }, { label: 'p50 ms', scale: 'y2' }, { label: 'p90 ms', scale: 'y2' }, { label: 'p99 ms', scale: 'y2' }],
  data: [[], [], [], [], []] };
const throughput = { id: 'live-throughput', title: 'Throughput vs offered load (each step)', xLabel: 'offered req/s',
  yLabel: 'achieved req/s', yFromZero: true,
  series: [{ label: 'achieved req/s' }, { label: 'ideal (achieved = offered)', dash: [4, 4] },
    { label: 'failed step', color: '#dc2626', pointSize: 10 }],
  data: [[], [], [], []] };
let latency = null;
const plots = {};
const setTile = (key, value, text, warn) => {
  const el = document.querySelector('[data-key="' + key + '"]');
  el.dataset.value = value == null ? '' : String(value);
  el.querySelector('.value').textContent = text;
  el.classList.toggle('warn', !!warn);
};
const byRate = () => {
  const last = new Map();
  for (const s of state.steps) last.set(s.offeredRps, s);
  return [...last.values()].sort((a, b) => a.offeredRps - b.offeredRps);
};
let dirty = false;
const render = () => {
  dirty = false;
  const s = state.seconds;
  timeline.data = [s.map((p) => p.t), s.map((p) => p.rps), s.map((p) => p.p50Ms), s.map((p) => p.p90Ms), s.map((p) => p.p99Ms)];
  plots.timeline.setData(timeline.data);
  const last = s[s.length - 1];
  if (last) {
    setTile('rps', last.rps, num.format(last.rps));
    setTile('p50', last.p50Ms, fmtMs(last.p50Ms));
    setTile('p90', last.p90Ms, fmtMs(last.p90Ms));
    setTile('p99', last.p99Ms, fmtMs(last.p99Ms));
    setTile('errors', last.errors, int.format(last.errors) + '/s', last.errors > 0);
    const kinds = Object.entries(last.errorsByKind).sort((a, b) => b[1] - a[1]);
    const total = kinds.reduce((sum, [, n]) => sum + n, 0);
    setTile('errorsTotal', total, int.format(total), total > 0);
    setTile('cpu', last.cpuPct, last.cpuPct == null ? '—' : int.format(last.cpuPct) + '%');
    setTile('busiest', last.busiestThread, last.busiestThread == null ? '—' : int.format(last.busiestThread * 100) + '%');
    const bound = last.selfCheck != null && last.selfCheck.length > 0;
    setTile('selfCheck', last.selfCheck == null ? null : bound ? 'bound' : 'ok',
      last.selfCheck == null ? '—' : bound ? 'generator-bound' : 'ok', bound);
    $('self-check').textContent = bound ? '⚠ ' + last.selfCheck.join('; ') : '';
    $('now').textContent = (last.label ? last.label + ' · ' : '') + 'second ' + num.format(last.t);
    const rows = $('errors-by-kind');
    rows.textContent = '';
    for (const [kind, n] of kinds.length > 0 ? kinds : [['none', null]]) {
      const tr = rows.insertRow();
      tr.dataset.kind = kind;
      tr.insertCell().textContent = kind;
      tr.insertCell().textContent = n == null ? '—' : int.format(n);
    }
  }
  if (state.kind === 'limits') renderSteps();
};
const renderSteps = () => {
  const points = byRate();
  const offered = points.map((p) => p.offeredRps);
  const failed = (pick) => points.map((p) => p.pass ? null : pick(p));
  const best = state.steps.filter((p) => p.pass).reduce((m, p) => Math.max(m, p.offeredRps), -1);
  const mark = best >= 0 ? { value: best, label: 'best pass so far ' + int.format(best) + ' req/s' } : undefined;
  throughput.markX = mark;
  latency.markX = mark;
  plots.throughput.setData([offered, points.map((p) => p.achievedRps), offered, failed((p) => p.achievedRps)]);
  plots.latency.setData([offered, points.map((p) => p.p50Ms), points.map((p) => p.p99Ms),
    ...state.slo.map((l) => offered.map(() => l.limitMs)), failed((p) => p.p99Ms)]);
};
const schedule = () => { if (!dirty) { dirty = true; setTimeout(render, 50); } };
const addStepRow = (p) => {
  const tr = $('steps').insertRow();
  tr.dataset.offered = String(p.offeredRps);
  tr.dataset.pass = String(p.pass);
  tr.className = p.pass ? 'pass' : 'fail';
  for (const text of [p.phase, int.format(p.offeredRps), num.format(p.achievedRps), fmtMs(p.p50Ms), fmtMs(p.p99Ms),
    (p.errorRate * 100).toFixed(2) + '%', p.pass ? 'pass' : 'FAIL: ' + p.failures.join('; ')]) tr.insertCell().textContent = text;
};
const source = new EventSource('/events');
document.body.dataset.state = 'connecting';
source.addEventListener('start', (e) => {
  const start = JSON.parse(e.data);
  state.kind = start.kind;
  state.slo = start.sloLines;
  document.title = start.title;
  $('title').textContent = start.title;
  $('subtitle').textContent = start.subtitle;
  document.body.dataset.state = 'running';
  document.body.dataset.kind = start.kind;
  plots.timeline = drawChart(timeline, $(timeline.id));
  if (start.kind === 'limits') {
    $('limits').hidden = false;
    latency = { id: 'live-latency', title: 'Latency vs offered load (each step)', xLabel: 'offered req/s', yLabel: 'latency ms',
      yFromZero: true,
      series: [{ label: 'p50 ms', color: '#2563eb' }, { label: 'p99 ms', color: '#9333ea' },
        ...start.sloLines.map((l) => ({ label: 'SLO ' + l.label, color: '#dc2626', dash: [8, 4], pointSize: 0 })),
        { label: 'failed step', color: '#dc2626', pointSize: 10 }],
      data: [[], [], [], ...start.sloLines.map(() => []), []] };
    plots.throughput = drawChart(throughput, $(throughput.id));
    plots.latency = drawChart(latency, $(latency.id));
  }
});
source.addEventListener('second', (e) => { state.seconds.push(JSON.parse(e.data)); schedule(); });
source.addEventListener('step', (e) => { const step = JSON.parse(e.data); state.steps.push(step); addStepRow(step); schedule(); });
source.addEventListener('failed', (e) => {
  source.close();
  $('status').textContent = 'The run failed: ' + JSON.parse(e.data).message;
  document.body.dataset.state = 'failed';
});
source.addEventListener('end', (e) => {
  source.close();
  const final = JSON.parse(e.data);
  render();
  const figures = $('final-figures');
  for (const f of final.figures) {
    const tile = document.createElement('div');
    tile.className = 'tile';
    tile.dataset.finalKey = f.key;
    tile.dataset.value = f.value == null ? '' : String(f.value);
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = f.label;
    const value = document.createElement('span');
    value.className = 'value';
    value.textContent = f.text;
    tile.append(label, value);
    figures.appendChild(tile);
  }
  const frame = $('report');
  frame.addEventListener('load', () => {
    frame.style.height = (frame.contentDocument.documentElement.scrollHeight + 20) + 'px';
    document.body.dataset.state = 'finished';
  });
  $('final').hidden = false;
  frame.srcdoc = final.reportHtml;
  const blob = URL.createObjectURL(new Blob([final.reportHtml], { type: 'text/html' }));
  $('open-report').href = blob;
  $('save-report').href = blob;
  $('status').textContent = 'The run has ended: the final report is below. This page keeps it; the run’s process has exited.';
});
source.addEventListener('error', () => {
  if (document.body.dataset.state === 'running' || document.body.dataset.state === 'connecting') {
    $('status').textContent = 'Not connected to the run (it has ended or was stopped before this page got its final report).';
    document.body.dataset.state = 'disconnected';
    source.close();
  }
});
`;

const TILES: [key: string, label: string][] = [
  ['rps', 'req/s'],
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['errors', 'errors'],
  ['errorsTotal', 'errors in all'],
  ['cpu', 'generator CPU'],
  ['busiest', 'busiest thread'],
  ['selfCheck', 'self-check'],
];

let built: string | null = null;

/** The dashboard page (the same for every run: the run describes itself in its `start` event). */
export function renderDashboardPage(): string {
  if (built) return built;
  const { js, css } = chartAssets();
  const tiles = TILES.map(
    ([key, label]) =>
      `<div class="tile" data-key="${key}"><span class="label">${label}</span><span class="value">—</span></div>`,
  ).join('');
  built = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>headroom — live</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:1040px;color:#111;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} .subtitle,#now{color:#555;margin-top:0}
#status{background:#eff6ff;border-left:4px solid #2563eb;padding:.5rem 1rem}
body[data-state=failed] #status,body[data-state=disconnected] #status{background:#fef3c7;border-color:#d97706}
.tiles{display:flex;flex-wrap:wrap;gap:.5rem 1rem;margin:1rem 0}
.tile{border:1px solid #e5e7eb;border-radius:6px;padding:.4rem .8rem;min-width:6.5rem}
.tile .label{display:block;color:#555;font-size:12px} .tile .value{font-size:1.3rem;font-variant-numeric:tabular-nums}
.tile.warn{border-color:#d97706;background:#fef3c7}
.warning:not(:empty){background:#fef3c7;border-left:4px solid #d97706;padding:.5rem 1rem}
table{border-collapse:collapse} th{text-align:left;font-weight:500;color:#555;padding:2px 1rem 2px 0}
td{font-variant-numeric:tabular-nums;padding:2px 1rem 2px 0} tr.fail td{color:#b91c1c}
.chart{margin:1.5rem 0} iframe{width:100%;border:1px solid #e5e7eb;min-height:400px}
</style></head>
<body>
<h1 id="title">headroom — live</h1>
<p class="subtitle" id="subtitle"></p>
<p id="status">Live: figures arrive once a second.</p>
<p id="now"></p>
<div class="tiles">${tiles}</div>
<p id="self-check" class="warning"></p>
<div class="chart" id="live-timeline"></div>
<section><h2>Errors by kind (since the start)</h2><table><tbody id="errors-by-kind"></tbody></table></section>
<section id="limits" hidden><h2>Steps</h2>
<table><thead><tr><th>phase</th><th>offered req/s</th><th>achieved req/s</th><th>p50</th><th>p99</th><th>errors</th>
<th>verdict</th></tr></thead><tbody id="steps"></tbody></table>
<div class="chart" id="live-throughput"></div><div class="chart" id="live-latency"></div></section>
<section id="final" hidden><h2>Final result</h2><div class="tiles" id="final-figures"></div>
<p><a id="open-report" target="_blank">Open the report in a new tab</a> ·
<a id="save-report" download="headroom-report.html">Save the report</a></p>
<iframe id="report" title="final report"></iframe></section>
<script>${js}</script>
<script>${CLIENT}</script>
</body></html>
`;
  return built;
}
