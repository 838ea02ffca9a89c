/**
 * `findLimits` — the whole capacity search as one call: check the target answers, search the rate (see
 * `search.ts`), take a CPU profile at the knee, name the bottleneck, and return `headroom.limits/v1`.
 */
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error.js';
import { parseDuration } from '../units/duration.js';
import { classifyBottleneck, refineWithProfile } from './classify-bottleneck.js';
import { analyseProfile, fetchCpuProfile, type ProfileSummary, saveProfile } from './cpu-profile.js';
import { judgeStep } from './judge-step.js';
import { loadStepRunner } from './load-step-runner.js';
import { scrapeMetrics } from './metrics-snapshot.js';
import { type SearchOutcome, type SearchPlan, searchCapacity } from './search.js';
import { normalizeSlo } from './slo.js';
import { samplesNeeded } from './step-length.js';
import type { StepRunner } from './step-runner.js';
import type { Bottleneck, Capacity, LimitsOptions, LimitsResult, LimitsStep, TopFunction } from './types.js';

/** Seams for tests: a simulated step runner instead of real load. */
export interface FindLimitsDeps {
  runner?: StepRunner;
}

/**
 * Finds the maximum rate the target sustains within its SLOs, and why it stops there.
 * @throws UsageError for bad options or an unreachable target/admin URL (the CLI exits 2).
 * @example
 * const result = await findLimits({ url: 'http://127.0.0.1:8080/', admin: 'http://127.0.0.1:9090', slo: ['p99<50ms'] });
 * result.capacity?.rps // e.g. 12400
 */
export async function findLimits(options: LimitsOptions, deps: FindLimitsDeps = {}): Promise<LimitsResult> {
  const started = performance.now();
  const settings = resolveSettings(options);
  const slo = normalizeSlo(options.slo);
  const admin = options.admin ?? null;
  const notes: string[] = [];
  if (!deps.runner) {
    await assertReachable(options.url);
    if (admin) await assertAdmin(admin);
  }
  const runner =
    deps.runner ?? loadStepRunner({ url: options.url, slo, request: options.request ?? {}, admin });
  const profileSeconds = options.profileSeconds ?? 3;
  const profileReserveMs = admin ? (profileSeconds + 2) * 1000 : 0;
  const plan: SearchPlan = {
    stepMs: settings.stepS * 1000,
    cooldownMs: settings.cooldownS * 1000,
    maxTimeMs: Math.max(settings.maxTimeS * 1000 - profileReserveMs, 0),
    maxRate: settings.maxRate,
    precision: settings.precision,
    samples: samplesNeeded(slo),
  };
  const search = await searchCapacity(runner, plan, { onStep: options.onStep, ctx: options.ctx });
  notes.push(...search.notes);

  const knee = kneeStep(search);
  const reference = lastPassAt(search.steps, search.low);
  let classification = classifyBottleneck(knee, reference);
  let profile: string | null = null;
  let top: TopFunction[] = [];
  const steps = [...search.steps];
  if (admin && search.low !== null && search.outcome !== 'generator-bound' && !options.ctx?.err) {
    const taken = await profileAtKnee(runner, admin, search.low, profileSeconds, options);
    steps.push(taken.step);
    if ('error' in taken) notes.push(`no profile: ${taken.error}`);
    else {
      profile = taken.path;
      top = taken.summary.topFunctions;
      classification = refineWithProfile(classification, taken.summary, knee);
    }
  }
  const bottleneck: Bottleneck = { ...classification, topFunctions: top };
  return {
    schema: 'headroom.limits/v1',
    target: options.url,
    slo,
    outcome: search.outcome,
    capacity: capacityOf(search),
    steps,
    bottleneck,
    profile,
    searchS: Math.round(performance.now() - started) / 1000,
    settings,
    notes,
  };
}

function resolveSettings(options: LimitsOptions): LimitsResult['settings'] {
  const seconds = (value: LimitsOptions['step'], fallback: string, flag: string) => {
    try {
      return parseDuration(value ?? fallback) / 1000;
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  };
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError(`invalid URL "${options.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid URL "${options.url}": use http:// or https://`);
  }
  const precision = options.precision ?? 0.05;
  if (!(precision > 0 && precision < 1))
    throw new UsageError('--precision must be between 0 and 1 (e.g. 0.05)');
  const maxRate = options.maxRate ?? null;
  if (maxRate !== null && !(maxRate >= 1)) throw new UsageError('--max-rate must be a number ≥ 1');
  const stepS = seconds(options.step, '2s', '--step');
  if (stepS < 0.2) throw new UsageError('--step must be at least 200ms');
  const maxTimeS = seconds(options.maxTime, '90s', '--max-time');
  if (maxTimeS < stepS) throw new UsageError('--max-time must be longer than --step');
  if (options.profileSeconds !== undefined && !(options.profileSeconds >= 1)) {
    throw new UsageError('--profile-seconds must be at least 1');
  }
  return { stepS, cooldownS: seconds(options.cooldown, '500ms', '--cooldown'), precision, maxTimeS, maxRate };
}

/** One GET to the target: any HTTP answer is fine, no answer is a usage error. */
async function assertReachable(url: string): Promise<void> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
  } catch (error) {
    throw new UsageError(`cannot reach ${url}: ${describeFetchError(error)}`);
  }
}

async function assertAdmin(admin: string): Promise<void> {
  try {
    await scrapeMetrics(admin, 5000);
  } catch (error) {
    throw new UsageError(`cannot read metrics from --admin ${admin}: ${describeFetchError(error)}`);
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** The failing step nearest the knee: the last failing step at the lowest failing rate. */
function kneeStep(search: SearchOutcome): LimitsStep | null {
  if (search.high === null) return null;
  return search.steps.findLast((s) => !s.pass && s.offeredRps === search.high) ?? null;
}

function lastPassAt(steps: readonly LimitsStep[], rate: number | null): LimitsStep | null {
  return rate === null ? null : (steps.findLast((s) => s.pass && s.offeredRps === rate) ?? null);
}

function capacityOf(search: SearchOutcome): Capacity | null {
  if (search.low === null) return null;
  if (search.outcome === 'no-rate-meets-slo' || search.outcome === 'generator-bound') return null;
  return { rps: search.low, low: search.low, high: search.high };
}

/** A profile step: its measurement, plus the saved profile or why there is none. */
type ProfileStep = { step: LimitsStep } & ({ path: string; summary: ProfileSummary } | { error: string });

/** Loads the target at the capacity rate while a CPU profile is taken; saves and ranks it. */
async function profileAtKnee(
  runner: StepRunner,
  admin: string,
  rate: number,
  seconds: number,
  options: LimitsOptions,
): Promise<ProfileStep> {
  const headers = options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : undefined;
  const measuring = runner({ phase: 'profile', rate, durationMs: (seconds + 1) * 1000, ctx: options.ctx });
  // Start profiling once the load is flowing, so the profile covers loaded time only.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const profiling = fetchCpuProfile(admin, seconds, headers).then(
    (bytes) => ({ bytes }),
    (error: Error) => ({ error: error.message }),
  );
  const step = judgeStep('profile', await measuring);
  options.onStep?.(step);
  const fetched = await profiling;
  if ('error' in fetched) return { step, error: fetched.error };
  try {
    const path = options.profileOut ?? join('.headroom', `limits-${timestamp()}-cpu.pb.gz`);
    await saveProfile(path, fetched.bytes);
    return { step, path, summary: analyseProfile(fetched.bytes) };
  } catch (error) {
    return { step, error: (error as Error).message };
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}
