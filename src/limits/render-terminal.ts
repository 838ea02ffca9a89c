/**
 * Terminal rendering of a search: one progress line per step (stderr, TTY or not) and the closing summary.
 * Pure formatting — the figures come from the result.
 */
import { describeOutcome } from './describe-outcome.js';
import type { LimitsResult, LimitsStep } from './types.js';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** One line per step: phase, offered → achieved, latency, errors, verdict (and the target's CPU when known). */
export function formatStepLine(step: LimitsStep): string {
  // The profile step runs under the profiler's overhead: it is shown, not judged.
  const judged =
    step.phase === 'profile' ? 'profiled' : step.pass ? 'pass' : `FAIL (${step.failures.join('; ')})`;
  const cpu = step.target ? `  cpu ${step.target.cpuCores.toFixed(2)}` : '';
  return [
    `  ${step.phase.padEnd(9)}`,
    `${number.format(step.offeredRps).padStart(8)} req/s →${number.format(step.achievedRps).padStart(8)}`,
    `  p99 ${ms(step.p99Ms).padStart(8)}`,
    `  err ${(step.errorRate * 100).toFixed(1).padStart(5)}%`,
    `${cpu}  ${judged}`,
  ].join('');
}

/**
 * The closing summary. Its first line is the verdict (`describeOutcome`'s headline), e.g. `max sustainable:
 * 12,400 req/s (+3.1%: fails at 12,780) at p99<50ms, errors<1%; bottleneck: CPU — 61% in JSON.stringify`; then
 * the outcome's detail, the evidence, the top functions, the profile, the notes and the search time.
 */
export function formatSummary(result: LimitsResult): string {
  const b = result.bottleneck;
  const top = b.topFunctions[0];
  const hot = top ? ` — ${top.selfPct}% in ${top.name}` : '';
  const outcome = describeOutcome(result);
  const lines = [`${outcome.headline}; bottleneck: ${KIND_LABEL[b.kind]}${hot}`];
  if (outcome.detail) lines.push(`  ${outcome.detail}`);
  for (const line of b.evidence) lines.push(`  · ${line}`);
  if (b.topFunctions.length > 0) {
    lines.push('top functions by self time:');
    for (const fn of b.topFunctions.slice(0, 5)) {
      lines.push(
        `  ${`${fn.selfPct.toFixed(1)}%`.padStart(6)}  ${fn.name}  ${shortFile(fn.file)}:${fn.line}`,
      );
    }
  }
  if (result.profile)
    lines.push(`profile: ${result.profile}  (view: go tool pprof -http=: ${result.profile})`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  lines.push(`search: ${result.steps.length} steps in ${result.searchS.toFixed(1)}s`);
  return `${lines.join('\n')}\n`;
}

const KIND_LABEL: Record<LimitsResult['bottleneck']['kind'], string> = {
  cpu: 'CPU',
  'event-loop': 'event loop',
  gc: 'GC',
  memory: 'memory',
  dependency: 'a dependency',
  generator: 'the load generator',
  unknown: 'unknown',
};

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)}ms` : `${value.toFixed(1)}ms`;
}

function shortFile(file: string): string {
  return file.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
}
