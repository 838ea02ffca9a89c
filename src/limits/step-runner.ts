/**
 * The seam between the search and the world: a step runner offers one rate for a bounded time and reports what
 * happened. The real runner wraps `load()` (open model); tests inject a simulated server.
 */
import type { Context } from '../context/index.js';
import type { LimitsStep, StepPhase } from './types.js';

/** What the search asks of one step. */
export interface StepRequest {
  phase: StepPhase;
  /** Offered requests per second (open model). */
  rate: number;
  /** Measured length of the step, ms. */
  durationMs: number;
  /** Ends the step early. */
  ctx?: Context;
  /** Called once when the load is flowing (the measured window has run a second), e.g. to start a profile. */
  onFlowing?: () => void;
}

/** What a step measured; the search judges it (pass/failures) and adds the phase. */
export type StepMeasurement = Omit<LimitsStep, 'phase' | 'pass' | 'failures' | 'generatorLimited'>;

/** Runs one open-model step: `(rate, duration, ctx) → measurement`. */
export type StepRunner = (request: StepRequest) => Promise<StepMeasurement>;
