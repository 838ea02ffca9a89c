/**
 * `/livez` (the process answers), `/readyz` (dependency checks pass and not draining), `/healthz` (a summary).
 * Each readiness check runs with its own Context deadline; a check that overruns it counts as failed.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { background, type Context, withTimeout } from '../../context/index.js';

/** A readiness check: throw (or reject) when the dependency is not ready; honour `ctx` to stop on timeout. */
export type ReadinessCheck = (ctx: Context) => unknown;

/** One check's outcome in the `/readyz` body. */
export interface CheckResult {
  /** The check returned (resolved) within the timeout. */
  ok: boolean;
  /** How long it took, in ms. */
  ms: number;
  /** Why it failed: the thrown message, or `timed out after <n>ms`. */
  error?: string;
}

/** What the probes read from the service. */
export interface ProbeState {
  /** The service name (`/healthz`). */
  name: string;
  /** The service version (`/healthz`). */
  version: string;
  /** The readiness checks by name (`/readyz`). */
  checks: Record<string, ReadinessCheck>;
  /** `READY_TIMEOUT`: the deadline of each check, in ms. */
  timeoutMs: number;
  /** True once shutdown began: `/readyz` answers 503 from then on. */
  draining: () => boolean;
}

/**
 * Runs every check concurrently, each with its own Context deadline of `timeoutMs`; a check that overruns it
 * counts as failed even if it ignores its ctx.
 * @example await runChecks({ db: (ctx) => db.ping(ctx) }, 2000) // { db: { ok: true, ms: 1.2 } }
 */
export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const start = performance.now();
      const [ctx, cancel] = withTimeout(background(), timeoutMs);
      try {
        const timedOut = ctx.done.then(() => {
          throw new Error(`timed out after ${timeoutMs}ms`);
        });
        timedOut.catch(() => {});
        await Promise.race([(async () => check(ctx))(), timedOut]);
        return [name, { ok: true, ms: elapsed(start) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, { ok: false, ms: elapsed(start), error: message }];
      } finally {
        cancel();
      }
    }),
  );
  return Object.fromEntries(entries);
}

const elapsed = (start: number) => Math.round((performance.now() - start) * 1000) / 1000;

/** Registers `/livez`, `/readyz` and `/healthz` on the admin instance. */
export function registerProbes(admin: FastifyInstance, state: ProbeState): void {
  const started = Date.now();
  admin.get('/livez', async () => ({ status: 'ok' }));
  admin.get('/readyz', async (_req, reply) => {
    if (state.draining()) return reply.code(503).send({ status: 'draining', checks: {} });
    const checks = await runChecks(state.checks, state.timeoutMs);
    // Shutdown may have begun while the checks ran: say so rather than "not ready" with every check ok.
    if (state.draining()) return reply.code(503).send({ status: 'draining', checks });
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  admin.get('/healthz', async () => ({
    name: state.name,
    version: state.version,
    status: state.draining() ? 'draining' : 'ok',
    uptimeS: Math.round((Date.now() - started) / 100) / 10,
    host: hostname(),
    pid: process.pid,
    node: process.version,
  }));
}
