/** Number formatting shared by the bench renderers. */

/** ns/op for people: `1.96µs`, `812ns`, `3.41ms`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const units: [number, string][] = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
  ];
  for (const [scale, unit] of units) if (Math.abs(ns) >= scale) return `${trim(ns / scale)}${unit}`;
  return `${trim(ns)}ns`;
}

/** Three significant figures without exponent: `1.96`, `19.6`, `196`. */
function trim(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** Go's `prettyPrint` for ns/op: about four significant figures, right-aligned by the caller. */
export function goNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0 || abs >= 999.95) return value.toFixed(0);
  if (abs >= 99.995) return value.toFixed(1);
  if (abs >= 9.9995) return value.toFixed(2);
  if (abs >= 0.99995) return value.toFixed(3);
  return value.toFixed(4);
}

/** ops/s: `510.6k`, `2.31M`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(1);
}

/** Signed percentage: `+12.5%`, `-3.0%`. */
export function formatPct(pct: number): string {
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%`;
}

/** Left-aligned columns separated by two spaces. */
export function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
