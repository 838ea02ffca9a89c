/**
 * The generator's self-check: was the load generator, not the target, the bottleneck? A thread whose event loop
 * was busy nearly all the time, a delayed event loop, or (open model) timers slipping behind schedule all mean
 * the figures describe the generator's ceiling rather than the target's.
 */
import type { GeneratorHealth } from './types.js';

/** Busy fraction of a thread's event loop above which it is saturated. */
const SATURATED_UTILIZATION = 0.95;
/** Event-loop delay p99 (ms) above which timings are distorted by the generator itself. */
const DELAYED_LOOP_MS = 50;
/** Open-model timer slip p99 (ms) above which the schedule was not kept. */
const SLIPPED_SCHEDULE_MS = 10;

/** The warning printed when the generator was the bottleneck. */
export const GENERATOR_BOUND_WARNING = 'result limited by the load generator, not the target';

/** Judges the generator's health from what its threads measured. */
export function assessGenerator(
  cpuPct: number,
  threadUtilization: number[],
  eventLoopDelayP99Ms: number,
  sendLagP99Ms: number | null,
): GeneratorHealth {
  const reasons: string[] = [];
  const busiest = Math.max(0, ...threadUtilization);
  if (busiest >= SATURATED_UTILIZATION)
    reasons.push(`a generator thread was busy ${Math.round(busiest * 100)}% of the time`);
  if (eventLoopDelayP99Ms >= DELAYED_LOOP_MS)
    reasons.push(`generator event-loop delay p99 ${eventLoopDelayP99Ms.toFixed(1)}ms`);
  if (sendLagP99Ms !== null && sendLagP99Ms >= SLIPPED_SCHEDULE_MS) {
    reasons.push(`sends slipped ${sendLagP99Ms.toFixed(1)}ms behind schedule (p99)`);
  }
  const bound = reasons.length > 0;
  return {
    cpuPct: Math.round(cpuPct * 10) / 10,
    threadUtilization: threadUtilization.map((u) => Math.round(u * 1000) / 1000),
    eventLoopDelayP99Ms: Math.round(eventLoopDelayP99Ms * 100) / 100,
    sendLagP99Ms: sendLagP99Ms === null ? null : Math.round(sendLagP99Ms * 100) / 100,
    bound,
    warnings: bound ? [`${GENERATOR_BOUND_WARNING} (${reasons.join('; ')})`] : [],
  };
}
