/**
 * Go's benchmark output format, one line per sample, so `benchstat` and github-action-benchmark read it unchanged:
 * `BenchmarkWork/loop-2   25540   1958 ns/op   0 B/op`, after `goos:`/`goarch:`/`cpu:`/`pkg:` header lines.
 */
import type { BenchmarkResult, BenchReport } from '../types.js';
import { goNumber } from './format.js';

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

/**
 * A benchmark name as Go would print it: `Benchmark` + the name with its first letter upper-cased, whitespace
 * replaced by `_` and non-printable characters escaped (Go's `testing` rewrite), then `-<CPU count>`.
 * @example goName('json stringify', 2) // 'BenchmarkJson_stringify-2'
 */
export function goName(name: string, cpus: number): string {
  const rewritten = [...name]
    .map((ch) => {
      if (/\s/.test(ch)) return '_';
      const code = ch.codePointAt(0)!;
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    })
    .join('');
  return `Benchmark${rewritten.charAt(0).toUpperCase()}${rewritten.slice(1)}-${cpus}`;
}

function lines(result: BenchmarkResult, cpus: number): string[] {
  const name = goName(result.name, cpus);
  const bytes =
    result.heapBytesPerOp === null ? '' : `\t${String(Math.round(result.heapBytesPerOp)).padStart(8)} B/op`;
  return result.samples.map(
    (ns, i) =>
      `${name}\t${String(result.iterations[i] ?? 0).padStart(10)}\t${goNumber(ns).padStart(12)} ns/op${bytes}`,
  );
}

/** The whole report in Go's format (headers, then every sample line, grouped by file as Go groups by package). */
export function renderGoFormat(report: BenchReport): string {
  const [goos, arch] = report.environment.os.split(' ');
  const out = [`goos: ${goos}`, `goarch: ${GOARCH[arch ?? ''] ?? arch}`, `cpu: ${report.environment.cpu}`];
  let file = '';
  for (const result of report.benchmarks) {
    if (result.file !== file) {
      file = result.file;
      out.push(`pkg: ${file}`);
    }
    out.push(...lines(result, report.environment.cpus));
  }
  for (const failure of report.failures) {
    out.push(`--- FAIL: ${goName(failure.name, report.environment.cpus)}`, `    ${failure.error}`);
  }
  return `${out.join('\n')}\n`;
}
