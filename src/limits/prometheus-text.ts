/**
 * The sample lines of Prometheus' text exposition format (version 0.0.4): `name{label="v",…} value [timestamp]`.
 * Only what the bottleneck analysis needs — each sample's name and value, in order; `# HELP`/`# TYPE` lines and
 * labels are skipped (a histogram's `_sum`, `_count` and `_bucket` lines are samples like any other).
 */

/** One sample line: its series name and value (labels dropped). */
export interface PrometheusSample {
  name: string;
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
    const rest = line.charCodeAt(name.length) === 0x7b /* { */ ? afterLabels(line, name.length) : name.length;
    if (rest < 0) continue;
    const value = parseValue(
      line
        .slice(rest)
        .trim()
        .split(/[ \t]+/)[0] ?? '',
    );
    if (value !== null) samples.push({ name, value });
  }
  return samples;
}

/** The index just past the label set opening at `open` (quoted values may hold `}` and `\"`); -1 if unclosed. */
function afterLabels(line: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
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
