/**
 * headroom-kit/limits — find a service's maximum sustainable throughput under an SLO, and show why it stops there.
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
export { type FindLimitsDeps, findLimits } from './find-limits.js';
export { type LoadStepRunnerOptions, loadStepRunner } from './load-step-runner.js';
export type { Decision, SearchEnd, SearchStop, SearchVerdict } from './outcome.js';
export { describeOutcome, formatStepLine, formatSummary, type OutcomeText } from './render/index.js';
export { type SearchHooks, type SearchOutcome, type SearchPlan, searchCapacity } from './search.js';
export { DEFAULT_SLO, normalizeSlo } from './slo.js';
export type { StepMeasurement, StepRequest, StepRunner } from './step-runner.js';
export type * from './types.js';
