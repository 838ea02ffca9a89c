/**
 * The comparison as a benchstat-like table: old and new median ± interval, delta (or `~`), Holm-adjusted p, n,
 * verdict; then heap B/op with its process-to-process spread and p; then warnings and a one-line conclusion.
 */
import type { BenchComparison, CompareResult, SideSummary } from '../compare.js';
import { columns, formatNs, formatPct } from './format.js';

function sideText(s: SideSummary | null): string {
  if (!s) return '-';
  const half = Math.max(s.high - s.median, s.median - s.low);
  return `${formatNs(s.median)} ±${s.median > 0 ? ((half / s.median) * 100).toFixed(0) : '0'}%`;
}

function deltaText(b: BenchComparison): string {
  if (b.deltaPct === null) return '';
  if (b.time === 'same') return '~';
  if (b.time === 'underpowered') return `${formatPct(b.deltaPct)}?`;
  return formatPct(b.deltaPct);
}

const VERDICT: Record<BenchComparison['time'], string> = {
  same: '',
  faster: 'faster',
  slower: 'slower',
  regression: 'REGRESSION',
  underpowered: 'underpowered (< 5 samples a side)',
  missing: 'only on one side',
};

/** Renders the comparison for a terminal. */
export function renderCompare(result: CompareResult, oldLabel = 'old', newLabel = 'new'): string {
  const time: string[][] = [['ns/op', oldLabel, newLabel, 'delta', 'p (Holm)', 'n', 'verdict']];
  for (const b of result.benchmarks) {
    time.push([
      b.name,
      sideText(b.old),
      sideText(b.new),
      deltaText(b),
      b.test ? b.test.pAdjusted.toFixed(4) : '',
      b.old && b.new ? `${b.old.n}+${b.new.n}` : '',
      VERDICT[b.time],
    ]);
  }
  const heap: string[][] = [['B/op', oldLabel, newLabel, 'delta', 'spread', 'p (Holm)', 'verdict']];
  for (const b of result.benchmarks) {
    if (b.heap.verdict === 'missing') continue;
    const { old, new: now, deltaBytes, spreadBytes, test } = b.heap;
    heap.push([
      b.name,
      String(Math.round(old ?? 0)),
      String(Math.round(now ?? 0)),
      b.heap.verdict === 'same' ? '~' : `${deltaBytes! >= 0 ? '+' : ''}${Math.round(deltaBytes!)} B`,
      spreadBytes === null ? '' : `${Math.round(spreadBytes)} B`,
      test ? test.pAdjusted.toFixed(4) : '',
      b.heap.verdict === 'regression' ? 'REGRESSION' : b.heap.verdict === 'improvement' ? 'smaller' : '',
    ]);
  }
  const out = [columns(time), '', columns(heap), ''];
  if (!result.timingsGated) {
    out.push(
      `warning: environments differ (${result.environmentDifferences.join('; ')}): timings are shown but not gated; only B/op is.`,
    );
  }
  out.push(
    `Mann-Whitney U (two-sided), Holm-adjusted across ${result.benchmarks.filter((b) => b.test).length} benchmark(s); ` +
      `~ = not significant at alpha ${result.alpha}; regression = significant and slower by > ${result.thresholdPct}%, ` +
      'or B/op up by > max(2%, 64 B), every new process above every old one (with few processes, also by more ' +
      'than their spread) and ' +
      'significantly unless every batch allocated the same.',
  );
  const failed = result.benchmarks.filter((b) => b.failed);
  out.push(
    failed.length === 0
      ? 'ok: no confirmed regression'
      : `FAIL: ${failed.length} confirmed regression(s): ${failed.map((b) => b.name).join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}
