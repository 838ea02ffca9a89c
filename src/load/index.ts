/**
 * `headroom-kit/load`: an HTTP load generator — closed and open (coordinated-omission-free) models, HDR latency,
 * worker threads, scenarios, thresholds and a self-check of the generator itself.
 * @example
 * import { load } from 'headroom-kit/load';
 * const result = await load({ url: 'http://127.0.0.1:8080/', rate: 1000, duration: '10s' });
 */

export {
  ExitCode,
  isUsageError,
  UsageError,
  type UsageErrorCode,
  type UsageErrorOptions,
} from '../errors.js';
export { MissingDependencyError } from '../optional-dependency.js';
export { type Collected, type CollectOptions, collectResults } from './collect.js';
export { LIVE_SCHEMA, LiveMerger, type LivePush, type LiveSecond, type LiveTotals } from './live.js';
export { type LoadSession, type LoadWindow, load, openLoadSession } from './load.js';
export {
  asLoadResult,
  assertOneRun,
  assertSameRun,
  mergeResults,
  type SourcedIdentity,
  type SourcedResult,
} from './merge.js';
export { type LivePusher, livePusher, parsePushUrl, pushResult } from './push.js';
export {
  type LiveViewOptions,
  renderCollectLiveView,
  renderCollectProgress,
  renderLiveView,
  renderProgress,
  renderSummary,
} from './render/index.js';
export type {
  DataRow,
  Scenario,
  ScenarioRequest,
  VarSpec,
  VirtualUser,
  VuFetchInit,
} from './scenario/index.js';
export { GENERATOR_BOUND_WARNING } from './self-check.js';
export {
  errorRatePct,
  evaluateThresholds,
  parseThreshold,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOp,
  thresholdActual,
  thresholdHolds,
} from './thresholds.js';
export type * from './types.js';
