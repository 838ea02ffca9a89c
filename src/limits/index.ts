/**
 * headroom/limits — find a service's maximum sustainable throughput under an SLO, and show why it stops there.
 * See docs/limits.md.
 */

export {
  ExitCode,
  isUsageError,
  UsageError,
  type UsageErrorCode,
  type UsageErrorOptions,
} from '../errors.js';
export { MissingDependencyError } from '../optional-dependency.js';
export {
  BOTTLENECK_RULES,
  BUSY_LOOP_SHARE,
  type Classification,
  classifyBottleneck,
  HOT_FUNCTION_PCT,
  refineWithProfile,
  STARVED_LOOP_SHARE,
} from './classify-bottleneck.js';
export { analyseProfile, fetchCpuProfile, type ProfileSummary, saveProfile } from './cpu-profile.js';
export { describeOutcome, type OutcomeText } from './describe-outcome.js';
export { type FindLimitsDeps, findLimits } from './find-limits.js';
export { judgeStep, MIN_ACHIEVED_SHARE } from './judge-step.js';
export { type LoadStepRunnerOptions, loadStepRunner, toMeasurement } from './load-step-runner.js';
export { type MetricsSnapshot, parseMetricsSnapshot, scrapeMetrics } from './metrics-snapshot.js';
export {
  type Decision,
  decideOutcome,
  type SearchEnd,
  type SearchStop,
  type SearchVerdict,
  stopIn,
} from './outcome.js';
export { formatStepLine, formatSummary } from './render-terminal.js';
export { type SearchHooks, type SearchOutcome, type SearchPlan, searchCapacity } from './search.js';
export { DEFAULT_SLO, normalizeSlo } from './slo.js';
export { type StepBounds, samplesNeeded, stepLengthMs } from './step-length.js';
export type { StepMeasurement, StepRequest, StepRunner } from './step-runner.js';
export { startTargetSampler, summarise, type TargetSampler } from './target-sampler.js';
export type * from './types.js';
