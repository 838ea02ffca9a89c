/**
 * `findLimits` — the whole capacity search as one call: check the target answers, search the rate (see
 * `search.ts`), take a CPU profile at the knee, name the bottleneck, and return `headroom.limits/v1`.
 */
import { join } from 'node:path';
import { background, type Context, withDeadline } from '../context/index.js';
import { UsageError } from '../errors.js';
import { grpcRequest, isGrpcUrl } from '../load/grpc/grpc-call.js';
import { parseTarget, probeTarget } from '../load/target.js';
import { parseDuration } from '../units/duration.js';
import { classifyBottleneck, refineWithProfile } from './classify-bottleneck.js';
import { coolDown } from './cool-down.js';
import { analyseProfile, fetchCpuProfile, type ProfileSummary, saveProfile } from './cpu-profile.js';
import { startDatabaseSampler } from './database-sampler.js';
import { judgeStep } from './judge-step.js';
import { type ClosableStepRunner, loadStepRunner } from './load-step-runner.js';
import { scrapeMetrics } from './metrics-snapshot.js';
import { decideOutcome, type SearchStop, stopIn } from './outcome.js';
import { type SearchOutcome, type SearchPlan, searchCapacity } from './search.js';
import { normalizeSlo } from './slo.js';
import { samplesNeeded } from './step-length.js';
import type { StepRunner } from './step-runner.js';
import type { Bottleneck, LimitsOptions, LimitsRequest, LimitsResult, LimitsStep } from './types.js';

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
  // --max-time is a hard bound: the steps' context ends then, whatever they are doing.
  const [ctx, cancel] = withDeadline(options.ctx ?? background(), Date.now() + settings.maxTimeS * 1000);
  let owned: ClosableStepRunner | null = null;
  try {
    if (!deps.runner) {
      await checkTarget(options.url, options.request ?? {});
      if (admin) await assertAdmin(admin);
      if (options.db) await assertDatabase(options.db);
    }
    owned = deps.runner
      ? null
      : loadStepRunner({
          url: options.url,
          slo,
          request: options.request ?? {},
          admin,
          onProgress: options.onProgress,
          onLoadResult: options.onLoadResult,
          db: options.db ?? null,
        });
    const runner = deps.runner ?? (owned as StepRunner);
    const profileSeconds = options.profileSeconds ?? 3;
    const plan: SearchPlan = {
      stepMs: settings.stepS * 1000,
      cooldownMs: settings.cooldownS * 1000,
      maxTimeMs: Math.max(settings.maxTimeS * 1000 - (admin ? profileBudgetMs(profileSeconds) : 0), 0),
      maxRate: settings.maxRate,
      precision: settings.precision,
      samples: samplesNeeded(slo),
    };
    const search = await searchCapacity(runner, plan, {
      onStep: options.onStep,
      ctx,
      sleep: coolDown(admin, ctx),
    });
    const notes = [...search.notes];

    const knee = kneeStep(search);
    let classification = classifyBottleneck(knee, lastPassAt(search.steps, search.low));
    let profile: string | null = null;
    let profileStep: LimitsStep | null = null;
    let profileStop: SearchStop | null = null;
    let analysis: Pick<Bottleneck, 'topFunctions' | 'packages' | 'profileTree'> = {
      topFunctions: [],
      packages: [],
      profileTree: null,
    };
    if (admin && search.low !== null && search.outcome !== 'generator-bound') {
      const taken = ctx.err
        ? null
        : await profileAtKnee(runner, admin, search.low, profileSeconds, options, ctx);
      // Ctrl-C or the deadline before or during the profile: the search's band stands, but it was stopped.
      if (ctx.err) profileStop = stopIn('profile', ctx);
      if (taken) {
        profileStep = taken.step;
        if ('error' in taken) notes.push(`no profile: ${taken.error}`);
        else {
          profile = taken.path;
          const { topFunctions, packages, tree } = taken.summary;
          analysis = { topFunctions, packages, profileTree: tree };
          classification = refineWithProfile(classification, taken.summary, knee);
        }
      }
    }
    const decision = decideOutcome({ ...search, stop: search.stop ?? profileStop });
    return {
      schema: 'headroom.limits/v1',
      target: options.url,
      slo,
      outcome: decision.outcome,
      stoppedIn: decision.stoppedIn,
      capacity: decision.capacity,
      steps: search.steps,
      profileStep,
      bottleneck: { ...classification, ...analysis },
      profile,
      searchS: Math.round(performance.now() - started) / 1000,
      settings,
      notes,
    };
  } finally {
    cancel();
    await owned?.close();
  }
}

function resolveSettings(options: LimitsOptions): LimitsResult['settings'] {
  const seconds = (value: LimitsOptions['step'], fallback: string, option: string) => {
    try {
      return parseDuration(value ?? fallback) / 1000;
    } catch (error) {
      throw new UsageError((error as Error).message, { option });
    }
  };
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError(`invalid URL "${options.url}"`, { option: 'url' });
  }
  if (!['http:', 'https:', 'grpc:', 'grpcs:'].includes(url.protocol)) {
    throw new UsageError(`invalid URL "${options.url}": use http://, https:// or grpc://`, { option: 'url' });
  }
  const precision = options.precision ?? 0.05;
  if (!(precision > 0 && precision < 1))
    throw new UsageError('must be between 0 and 1 (e.g. 0.05)', { option: 'precision' });
  const maxRate = options.maxRate ?? null;
  if (maxRate !== null && !(maxRate >= 1))
    throw new UsageError('must be a number ≥ 1', { option: 'maxRate' });
  const stepS = seconds(options.step, '2s', 'step');
  if (stepS < 0.2) throw new UsageError('must be at least 200ms', { option: 'step' });
  const maxTimeS = seconds(options.maxTime, '90s', 'maxTime');
  if (maxTimeS < stepS) throw new UsageError('must be longer than the step', { option: 'maxTime' });
  if (options.profileSeconds !== undefined && !(options.profileSeconds >= 1)) {
    throw new UsageError('must be at least 1', { option: 'profileSeconds' });
  }
  return { stepS, cooldownS: seconds(options.cooldown, '500ms', 'cooldown'), precision, maxTimeS, maxRate };
}

/**
 * Checks, before the search, that the target answers; for a gRPC target also that its proto (or reflection), method
 * and message resolve, so a mistake there is one line before any load rather than a failed first step.
 * @throws UsageError
 */
async function checkTarget(url: string, request: LimitsRequest): Promise<void> {
  const insecure = request.insecure ?? false;
  if (!isGrpcUrl(url)) return probeTarget(parseTarget(url), insecure, 5000);
  if (request.scenario)
    throw new UsageError('scenarios are for http(s) targets, not grpc://', { option: 'scenario' });
  const resolved = await grpcRequest(url, {
    proto: request.proto,
    importPaths: request.importPaths,
    reflect: request.reflect,
    call: request.call,
    message: request.body,
    metadata: { ...request.headers, ...request.metadata },
    insecure,
    timeoutMs: 5000,
  });
  await probeTarget({ ...parseTarget(resolved.url), url }, insecure, 5000);
}

async function assertAdmin(admin: string): Promise<void> {
  try {
    await scrapeMetrics(admin, 5000);
  } catch (error) {
    throw new UsageError(`cannot read metrics from ${admin}: ${describeFetchError(error)}`, {
      option: 'admin',
      code: 'unreachable',
    });
  }
}

/** Checks `--db` is a postgres:// URL the sampler can connect to. @throws UsageError */
async function assertDatabase(db: string): Promise<void> {
  let protocol: string;
  try {
    protocol = new URL(db).protocol;
  } catch {
    throw new UsageError('invalid URL: use postgres://user@host:5432/database', { option: 'db' });
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new UsageError('must be a postgres:// URL', { option: 'db' });
  try {
    const sampler = await startDatabaseSampler(db, false);
    await sampler.stop();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // The message names host and port at most; the URL (and its password) is never repeated.
    throw new UsageError(`cannot sample the database: ${describeFetchError(error)}`, {
      option: 'db',
      code: 'unreachable',
    });
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

/** The profile starts once the load has flowed this long, and the load outlasts it by half a second. */
const PROFILE_LEAD_S = 1;

/** The load step that runs while a `seconds`-long profile is taken. */
function profileStepMs(seconds: number): number {
  return (seconds + PROFILE_LEAD_S + 0.5) * 1000;
}

/** The time kept for the profile out of `--max-time`: its step, the generator's start-up and the download. */
function profileBudgetMs(seconds: number): number {
  return profileStepMs(seconds) + 3000;
}

/** A profile step: its measurement (null when cut short), plus the saved profile or why there is none. */
type ProfileStep = { step: LimitsStep | null } & (
  | { path: string; summary: ProfileSummary }
  | { error: string }
);

/** Loads the target at the capacity rate while a CPU profile is taken; saves and ranks it. */
async function profileAtKnee(
  runner: StepRunner,
  admin: string,
  rate: number,
  seconds: number,
  options: LimitsOptions,
  ctx: Context,
): Promise<ProfileStep> {
  if (ctx.deadline !== undefined && ctx.deadline - Date.now() < profileStepMs(seconds) + 1500) {
    return { step: null, error: '--max-time left no room for it' };
  }
  const headers = options.adminToken ? { authorization: `Bearer ${options.adminToken}` } : undefined;
  // Profile loaded time only: start once the load has flowed for a second.
  const profiling: { pending?: Promise<{ bytes: Uint8Array } | { error: string }> } = {};
  const measured = await runner({
    phase: 'profile',
    rate,
    durationMs: profileStepMs(seconds),
    ctx,
    onFlowing: () => {
      profiling.pending = fetchCpuProfile(admin, seconds, headers, ctx).then(
        (bytes) => ({ bytes }),
        (error: Error) => ({ error: error.message }),
      );
    },
  });
  const step = ctx.err ? null : judgeStep('profile', measured);
  if (step) options.onStep?.(step);
  if (!profiling.pending) return { step, error: 'the load stopped before the profile could start' };
  const fetched = await profiling.pending;
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
