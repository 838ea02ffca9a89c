/**
 * The service's configuration, read from the environment (12-factor) and validated with zod. A bad value stops
 * startup with one line naming the variable, e.g. `invalid PORT: expected an integer 0-65535, got "abc"`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseDuration } from '../units/duration.js';

/** Thrown by {@link loadConfig} for a bad environment value; the message is one line naming the variable. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected an integer ${min}-${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `expected an integer ${min}-${max}`)
        .max(max, `expected an integer ${min}-${max}`),
    );

const durationMs = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 10s, 2m' });
    return z.NEVER;
  }
});

const workers = z
  .string()
  .trim()
  .regex(/^(auto|[1-9]\d{0,3})$/, 'expected "auto" or a positive integer')
  .transform((value): number | 'auto' => (value === 'auto' ? 'auto' : Number(value)));

const ENV_SCHEMA = {
  APP_ENV: z.string().trim().min(1).default('development'),
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_PORT: int(0, 65535).default(9090),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_TOKEN: z.string().min(1).optional(),
  REQUEST_TIMEOUT: durationMs.default(10_000),
  MAX_INFLIGHT: int(0, 1_000_000).default(1000),
  ADAPTIVE_CONCURRENCY: z.enum(['on', 'off']).default('off'),
  ADAPTIVE_TOLERANCE: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, 'expected a number 1.1-10')
    .transform(Number)
    .pipe(z.number().min(1.1, 'expected a number 1.1-10').max(10, 'expected a number 1.1-10'))
    .default(1.25),
  ADAPTIVE_MIN_INFLIGHT: int(1, 1_000_000).default(4),
  SHED_DELAY: durationMs.default(100),
  MAX_EVENT_LOOP_DELAY: durationMs.default(500),
  BLOCK_WARN_MS: int(0, 3_600_000).default(200),
  BODY_LIMIT: int(1, 1 << 30).default(1_048_576),
  IMPLICIT_CONTEXT: z.enum(['on', 'off']).default('on'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  DRAIN_DELAY: durationMs.default(0),
  SHUTDOWN_TIMEOUT: durationMs.default(10_000),
  READY_TIMEOUT: durationMs.default(2000),
  WORKERS: workers.default(1),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://collector:4318' })
    .optional(),
} as const;

/** The validated configuration; every field has a default, so an empty environment is a valid one. */
export interface ServiceConfig {
  /** `APP_ENV` (development): `production` makes unsafe settings fatal instead of a warning. */
  appEnv: string;
  /** `PORT` (8080): the public port; 0 picks a free one. */
  port: number;
  /** `HOST` (0.0.0.0): the public interface. */
  host: string;
  /** `ADMIN_PORT` (9090): probes, metrics and debug endpoints; 0 picks a free one. */
  adminPort: number;
  /** `ADMIN_HOST` (127.0.0.1): keep the admin port off public interfaces. */
  adminHost: string;
  /** `ADMIN_TOKEN`: when set, `/debug/*` needs `Authorization: Bearer <token>`. */
  adminToken: string | undefined;
  /** `REQUEST_TIMEOUT` (10s): the longest deadline a request can get; caps `X-Request-Timeout`. */
  requestTimeoutMs: number;
  /** `MAX_INFLIGHT` (1000): the hard cap on requests admitted at once; beyond it 503 + Retry-After. 0 = no cap. */
  maxInflight: number;
  /** `ADAPTIVE_CONCURRENCY` (off): `on` learns the in-flight limit from latency, below `MAX_INFLIGHT`. */
  adaptiveConcurrency: boolean;
  /** `ADAPTIVE_TOLERANCE` (1.25): mean latency allowed over the no-load baseline before the adaptive limit shrinks. */
  adaptiveTolerance: number;
  /** `ADAPTIVE_MIN_INFLIGHT` (4): the adaptive limit's floor, and the concurrency its baseline probes run at. */
  adaptiveMinInflight: number;
  /** `SHED_DELAY` (100ms): a shed request's 503 is sent this long after it arrived (a tarpit). 0 = at once. */
  shedDelayMs: number;
  /** `MAX_EVENT_LOOP_DELAY` (500ms): mean event-loop delay above which requests are shed. 0 = no bound. */
  maxEventLoopDelayMs: number;
  /** `BLOCK_WARN_MS` (200): log a warning when the event loop is blocked longer than this. 0 = off. */
  blockWarnMs: number;
  /** `BODY_LIMIT` (1 MiB): the largest request body accepted; larger → 413. */
  bodyLimit: number;
  /**
   * `IMPLICIT_CONTEXT` (on): route handlers run with `req.ctx` as `current()` (AsyncLocalStorage). `off` saves its
   * cost where ALS runs on async hooks (Node 20, 22): handlers must then pass `req.ctx` explicitly, and the first
   * `current()` outside any `run` logs a warning naming this setting.
   */
  implicitContext: boolean;
  /** `LOG_LEVEL` (info). */
  logLevel: (typeof LOG_LEVELS)[number];
  /** `LOG_FORMAT` (json): `pretty` for humans. */
  logFormat: 'json' | 'pretty';
  /** `DRAIN_DELAY` (0s): after SIGTERM, how long to keep accepting while load balancers notice `/readyz`. */
  drainDelayMs: number;
  /** `SHUTDOWN_TIMEOUT` (10s): the grace period for in-flight requests; past it their ctx is cancelled. */
  shutdownTimeoutMs: number;
  /** `READY_TIMEOUT` (2s): the deadline given to each readiness check. */
  readyTimeoutMs: number;
  /** `WORKERS` (1): processes for {@link runService}; `auto` = CPUs allowed by the cgroup quota. */
  workers: number | 'auto';
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: when set, spans are sampled and exported over OTLP/HTTP. */
  otlpEndpoint: string | undefined;
}

/**
 * Reads and validates the configuration from `env`, then applies `overrides` (already typed, for tests and
 * embedding). Empty strings count as unset.
 * @throws ConfigError with one line naming the first bad variable.
 * @example loadConfig({ PORT: '0', LOG_LEVEL: 'warn' }).port // 0
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ServiceConfig> = {},
): ServiceConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(ENV_SCHEMA)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[name] = value;
  }
  const parsed = z.object(ENV_SCHEMA).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = input[name];
    throw new ConfigError(`invalid ${name}: ${issue?.message ?? 'bad value'}, got ${JSON.stringify(got)}`);
  }
  const e = parsed.data;
  const config: ServiceConfig = {
    appEnv: e.APP_ENV,
    port: e.PORT,
    host: e.HOST,
    adminPort: e.ADMIN_PORT,
    adminHost: e.ADMIN_HOST,
    adminToken: e.ADMIN_TOKEN,
    requestTimeoutMs: e.REQUEST_TIMEOUT,
    maxInflight: e.MAX_INFLIGHT,
    adaptiveConcurrency: e.ADAPTIVE_CONCURRENCY === 'on',
    adaptiveTolerance: e.ADAPTIVE_TOLERANCE,
    adaptiveMinInflight: e.ADAPTIVE_MIN_INFLIGHT,
    shedDelayMs: e.SHED_DELAY,
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY,
    blockWarnMs: e.BLOCK_WARN_MS,
    bodyLimit: e.BODY_LIMIT,
    implicitContext: e.IMPLICIT_CONTEXT === 'on',
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    drainDelayMs: e.DRAIN_DELAY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    readyTimeoutMs: e.READY_TIMEOUT,
    workers: e.WORKERS,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    ...overrides,
  };
  if (config.appEnv === 'production') assertSafeForProduction(config);
  return config;
}

/**
 * Whether `/debug/*` (CPU profiles, heap, log level) answers anyone who reaches the admin port: `ADMIN_HOST` is
 * not a loopback address and no `ADMIN_TOKEN` is set. `createService` warns about it outside production.
 */
export function adminDebugExposed(config: Pick<ServiceConfig, 'adminHost' | 'adminToken'>): boolean {
  return config.adminToken === undefined && !isLoopback(config.adminHost);
}

/** `localhost`, `127.0.0.0/8`, `::1` (bracketed or not) and IPv4-mapped loopback; any other name is not. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare.startsWith('::ffff:127.');
}

/** Placeholder secrets as shipped in example manifests (`change-me…`): a known token is no token. */
const PLACEHOLDER = /^change-?me/i;

/** Production refuses an open admin debug surface and a placeholder `ADMIN_TOKEN`. */
function assertSafeForProduction(config: ServiceConfig): void {
  if (config.adminToken !== undefined && PLACEHOLDER.test(config.adminToken)) {
    throw new ConfigError('invalid ADMIN_TOKEN: the placeholder from the example secret, set a random token');
  }
  if (adminDebugExposed(config)) {
    throw new ConfigError(
      `invalid ADMIN_HOST: ${JSON.stringify(config.adminHost)} is not loopback and ADMIN_TOKEN is unset ` +
        '(APP_ENV=production): set ADMIN_TOKEN or bind the admin port to 127.0.0.1',
    );
  }
}
