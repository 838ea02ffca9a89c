/**
 * The sample lines of Prometheus' text exposition format (version 0.0.4): `name{label="v",…} value [timestamp]`.
 * Only what the bottleneck analysis needs — each sample's name, labels and value, in order; `# HELP`/`# TYPE`
 * lines are skipped (a histogram's `_sum`, `_count` and `_bucket` lines are samples like any other).
 */

/** One sample line: its series name, labels and value. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** Reads every sample line of `text`, in order; lines that are not samples (comments, blanks, garbage) are skipped. */
export function parsePrometheusSamples(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) continue;
    const labels: Record<string, string> = {};
    const rest =
      line.charCodeAt(name.length) === 0x7b /* { */ ? readLabels(line, name.length, labels) : name.length;
    if (rest < 0) continue;
    const value = parseValue(
      line
        .slice(rest)
        .trim()
        .split(/[ \t]+/)[0] ?? '',
    );
    if (value !== null) samples.push({ name, labels, value });
  }
  return samples;
}

/**
 * Reads the label set opening at `open` into `labels` (quoted values may hold `}`, `\"`, `\\` and `\n`);
 * returns the index just past it, or -1 if it is unclosed.
 */
function readLabels(line: string, open: number, labels: Record<string, string>): number {
  let quoted = false;
  let key = '';
  let value = '';
  let start = open + 1;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') {
        const next = line[++i];
        value += next === 'n' ? '\n' : (next ?? '');
      } else if (c === '"') {
        quoted = false;
        labels[key] = value;
      } else value += c;
    } else if (c === '"') {
      quoted = true;
      key = line.slice(start, i).replace(/[=,\s]/g, '');
      value = '';
    } else if (c === ',') start = i + 1;
    else if (c === '}') return i + 1;
  }
  return -1;
}

/** A sample value: a float, `+Inf`, `-Inf` or `NaN`; null when it is none of those. */
function parseValue(token: string): number | null {
  if (token === '+Inf' || token === 'Inf') return Number.POSITIVE_INFINITY;
  if (token === '-Inf') return Number.NEGATIVE_INFINITY;
  if (token === 'NaN') return Number.NaN;
  if (token === '') return null;
  const value = Number(token);
  return Number.isNaN(value) ? null : value;
}
