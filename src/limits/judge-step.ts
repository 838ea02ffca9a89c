/**
 * The pass rule of a step: every SLO holds and the target kept up (achieved ≥ 98% of offered); each broken rule
 * becomes one phrase of `failures`. When the generator flagged itself, a pass still stands (open-model latency
 * is measured from the intended send time, so the generator's slip only makes it worse), but a failure is
 * blamed on the target only if the generator sent the load and the failure survives taking the generator's
 * slip out: errors, completions short of what was sent, or a latency SLO broken even from the actual send.
 */
import { parseThreshold, thresholdHolds } from '../load/thresholds.js';
import type { StepMeasurement } from './step-runner.js';
import type { LimitsStep, StepPhase } from './types.js';

/** Achieved throughput must reach this share of the offered rate. */
export const MIN_ACHIEVED_SHARE = 0.98;

/** Judges a measurement: adds `pass` and the reasons it failed. */
export function judgeStep(phase: StepPhase, measured: StepMeasurement): LimitsStep {
  const failures: string[] = [];
  for (const outcome of measured.slo) {
    if (!outcome.ok) failures.push(`${outcome.expr} broken (actual ${round(outcome.actual)})`);
  }
  if (measured.achievedRps < MIN_ACHIEVED_SHARE * measured.offeredRps) {
    failures.push(`achieved ${Math.round(measured.achievedRps)} of ${Math.round(measured.offeredRps)} req/s`);
  }
  const pass = failures.length === 0;
  const generatorLimited = !pass && measured.generatorBound && !targetAtFault(measured);
  if (generatorLimited) {
    failures.push(measured.generatorWarnings[0] ?? 'result limited by the load generator, not the target');
  }
  return { phase, ...measured, pass, failures, generatorLimited };
}

/** Whether a failing step's failure is the target's own even after discounting the generator. */
function targetAtFault(measured: StepMeasurement): boolean {
  if (measured.sentRps < MIN_ACHIEVED_SHARE * measured.offeredRps) return false;
  if (measured.achievedRps < MIN_ACHIEVED_SHARE * measured.sentRps) return true;
  return measured.slo.some((outcome) => {
    if (outcome.ok) return false;
    const threshold = parseThreshold(outcome.expr);
    if (threshold.metric === 'errors' || threshold.metric === 'rps') return true;
    if (!threshold.op.startsWith('<')) return false;
    // The same statistic from the actual send; without it, the worst case: the whole p99 slip taken off.
    const fromSend =
      measured.latencyFromSendMs?.[threshold.metric] ??
      outcome.actual - (measured.sendLagP99Ms ?? Number.POSITIVE_INFINITY);
    return !thresholdHolds(threshold, fromSend);
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
