/**
 * Terminal rendering of a search: one progress line per step (stderr, TTY or not) and the closing summary.
 * Pure formatting — the figures come from the result.
 */

import type { LimitsResult, LimitsStep } from '../types.js';
import { describeOutcome } from './describe-outcome.js';
import { functionLabel, packagesLine, splitFunctions } from './describe-profile.js';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** One line per step: phase, offered → achieved, latency, errors, verdict (and the target's CPU when known). */
export function formatStepLine(step: LimitsStep): string {
  // The profile step runs under the profiler's overhead: it is shown, not judged.
  const judged =
    step.phase === 'profile' ? 'profiled' : step.pass ? 'pass' : `FAIL (${step.failures.join('; ')})`;
  const cpu = step.target ? `  cpu ${step.target.cpuCores.toFixed(2)}` : '';
  const host = step.host ? `  host ${(step.host.busyShare * 100).toFixed(0)}%` : '';
  const pool = step.target?.pool?.waitingAvg ? `  pool wait ${step.target.pool.waitingAvg.toFixed(1)}` : '';
  return [
    `  ${step.phase.padEnd(9)}`,
    `${number.format(step.offeredRps).padStart(8)} req/s →${number.format(step.achievedRps).padStart(8)}`,
    `  p99 ${ms(step.p99Ms).padStart(8)}`,
    `  err ${(step.errorRate * 100).toFixed(1).padStart(5)}%`,
    `${cpu}${host}${pool}  ${judged}`,
  ].join('');
}

/**
 * The closing summary. Its first line is the verdict (`describeOutcome`'s headline), e.g. `max sustainable:
 * 12,400 req/s (+3.1%: fails at 12,780) at p99<50ms, errors<1%; bottleneck: CPU — 61% in JSON.stringify`; then
 * the outcome's detail, the evidence, the self time by package, the top functions (your code's first), the
 * profile, the notes and the search time.
 */
export function formatSummary(result: LimitsResult): string {
  const b = result.bottleneck;
  const top = b.topFunctions[0];
  const hot = top ? ` — ${top.selfPct}% in ${functionLabel(top)}` : '';
  const outcome = describeOutcome(result);
  const lines = [`${outcome.headline}; bottleneck: ${KIND_LABEL[b.kind]}${hot}`];
  if (outcome.detail) lines.push(`  ${outcome.detail}`);
  for (const line of b.evidence) lines.push(`  · ${line}`);
  if (b.packages?.length) lines.push(`self time by package: ${packagesLine(b.packages)}`);
  const { own, elsewhere } = splitFunctions(b.topFunctions);
  for (const [title, functions] of [
    ['top functions in your code:', own],
    [own.length > 0 ? 'elsewhere:' : 'top functions by self time:', elsewhere],
  ] as const) {
    if (functions.length === 0) continue;
    lines.push(title);
    for (const fn of functions) {
      const where = fn.file ? `  ${shortFile(fn.file)}:${fn.line}` : '';
      lines.push(`  ${`${fn.selfPct.toFixed(1)}%`.padStart(6)}  ${functionLabel(fn)}${where}`);
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
  'host-cpu': 'host CPU',
  pool: 'connection pool',
  database: 'the database',
  'event-loop': 'event loop',
  gc: 'GC',
  memory: 'memory',
  dependency: 'a dependency',
  'overload-protection': "the target's overload protection",
  generator: 'the load generator',
  unknown: 'unknown',
};

function ms(value: number): string {
  return value < 10 ? `${value.toFixed(2)}ms` : `${value.toFixed(1)}ms`;
}

function shortFile(file: string): string {
  return file.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
}
