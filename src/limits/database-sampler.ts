/**
 * Watches a PostgreSQL database during one step (`--db postgres://…`): samples `pg_stat_activity` every
 * `intervalMs` (the client backends of that database: how many are active, what they wait on, which statements
 * run), reads `pg_stat_statements` at the step's ends when the extension is installed, and, when the database
 * runs on this machine, the CPU its backends used (`/proc/<pid>/stat`). Needs the `pg` package.
 */
import { importOptional } from '../optional-dependency.js';
import { processCpuTicks as cpuTicks, TICKS_PER_S } from './host-sampler.js';
import type { DatabaseSignals } from './types.js';

/** The part of a node-postgres Client the sampler uses. */
interface PgClient {
  connect(): Promise<unknown>;
  query<R>(text: string): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface ActivityRow {
  pid: number;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  query: string | null;
}

interface StatementRow {
  query: string;
  total_ms: number;
}

/** The wait types that mean the database itself is the hold-up (not the client, not a sleep). */
export const DATABASE_WAIT_TYPES = ['Lock', 'LWLock', 'BufferPin', 'IO'] as const;

const ACTIVITY = `SELECT pid, state, wait_event_type, wait_event, left(query, 200) AS query
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()`;

const STATEMENTS = `SELECT left(query, 200) AS query, total_exec_time AS total_ms
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** A running database sampler; `stop()` ends it and returns the step's figures (null if nothing was read). */
export interface DatabaseSampler {
  stop(): Promise<DatabaseSignals | null>;
}

/**
 * Connects to `url` and starts sampling. `local`: the database runs on this machine (its backends' CPU is read).
 * @throws MissingDependencyError without `pg`; the connection's error when it cannot connect.
 */
export async function startDatabaseSampler(
  url: string,
  local: boolean,
  intervalMs = 250,
): Promise<DatabaseSampler> {
  const pg = await importOptional<{ default: { Client: new (config: object) => PgClient } }>('pg');
  const client = new pg.default.Client({ connectionString: url, application_name: 'headroom limits' });
  client.on('error', () => {}); // a lost connection only thins the evidence
  await client.connect();
  const statementsAtStart = await readStatements(client);
  const samples: ActivityRow[][] = [];
  const cpuAtStart = new Map<number, number>();
  const sample = async () => {
    try {
      const { rows } = await client.query<ActivityRow>(ACTIVITY);
      samples.push(rows);
      if (local) {
        for (const row of rows) if (!cpuAtStart.has(row.pid)) cpuAtStart.set(row.pid, cpuTicks(row.pid) ?? 0);
      }
    } catch {
      // A missed sample only thins the evidence.
    }
  };
  const startedMs = performance.now();
  await sample();
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await sample();
      const statements = statementsAtStart ? await readStatements(client) : null;
      await client.end().catch(() => {});
      const wallS = Math.max((performance.now() - startedMs) / 1000, 1e-3);
      let cpuCores: number | null = null;
      if (local && cpuAtStart.size > 0) {
        let ticks = 0;
        for (const [pid, start] of cpuAtStart) ticks += Math.max(0, (cpuTicks(pid) ?? start) - start);
        cpuCores = Math.round((ticks / TICKS_PER_S / wallS) * 100) / 100;
      }
      const top = statementsAtStart && statements ? topStatements(statementsAtStart, statements) : null;
      return summariseActivity(samples, cpuCores, top);
    },
  };
}

/** The step's figures from its `pg_stat_activity` samples (and the statements' exec time, when known). */
export function summariseActivity(
  samples: readonly (readonly ActivityRow[])[],
  cpuCores: number | null,
  statements: { query: string; share: number }[] | null,
): DatabaseSignals | null {
  if (samples.length === 0) return null;
  const waits = new Map<string, number>();
  const queries = new Map<string, number>();
  let active = 0;
  let activeMax = 0;
  for (const rows of samples) {
    const running = rows.filter((r) => r.state === 'active');
    active += running.length;
    activeMax = Math.max(activeMax, running.length);
    for (const row of running) {
      const event = row.wait_event_type ? `${row.wait_event_type}:${row.wait_event ?? '?'}` : 'CPU';
      waits.set(event, (waits.get(event) ?? 0) + 1);
      const query = (row.query ?? '').replace(/\s+/g, ' ').trim();
      queries.set(query, (queries.get(query) ?? 0) + 1);
    }
  }
  const shares = (counts: Map<string, number>) =>
    [...counts]
      .map(([name, n]) => ({ name, share: Math.round((n / Math.max(active, 1)) * 1000) / 1000 }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 5);
  return {
    backends: samples.at(-1)?.length ?? 0,
    activeAvg: Math.round((active / samples.length) * 100) / 100,
    activeMax,
    waits: shares(waits).map(({ name, share }) => ({ event: name, share })),
    topQueries: statements ?? shares(queries).map(({ name, share }) => ({ query: name, share })),
    queriesFrom: statements ? 'pg_stat_statements' : 'pg_stat_activity',
    cpuCores,
  };
}

/** `pg_stat_statements`' exec time by statement, or null when the extension is not installed there. */
async function readStatements(client: PgClient): Promise<Map<string, number> | null> {
  try {
    const { rows } = await client.query<StatementRow>(STATEMENTS);
    const byQuery = new Map<string, number>();
    for (const row of rows) {
      const query = row.query.replace(/\s+/g, ' ').trim();
      byQuery.set(query, (byQuery.get(query) ?? 0) + Number(row.total_ms));
    }
    return byQuery;
  } catch {
    return null;
  }
}

/** The statements that took most of the step's exec time, with their share of it. */
function topStatements(
  before: Map<string, number>,
  after: Map<string, number>,
): { query: string; share: number }[] {
  const spent = [...after].map(([query, ms]) => ({ query, ms: ms - (before.get(query) ?? 0) }));
  const total = spent.reduce((sum, s) => sum + Math.max(0, s.ms), 0);
  if (total <= 0) return [];
  return spent
    .filter((s) => s.ms > 0)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((s) => ({ query: s.query, share: Math.round((s.ms / total) * 1000) / 1000 }));
}
