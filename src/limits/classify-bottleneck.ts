/**
 * Names the resource that ran out first, from the signals at the step nearest the knee (the lowest failing rate,
 * where the bottleneck is saturated). Rules, in order: the generator saturated → generator; GC took ≥ 25% of
 * wall time → gc; the process used ≈ one core → cpu; (--db) statements queued on locks or I/O in the database →
 * database; requests waited for a pool connection through most of the step (in most scrapes, or its connections
 * busy ≥ 75% of it), the wait a large part of the request's time → pool; calls to one host took ≥ half the
 * request's time → dependency; the machine was ≥ 90% busy (≥ 80% with more threads runnable than cores, others
 * using as much as the process) while the process was not → host-cpu; (--db, local) the database's backends used
 * ≈ a core → database; the process used most of a core and requests queued behind its loop (lag) → cpu;
 * event-loop lag high while CPU is not saturated → event-loop; heap grew fast → memory; the target's own overload
 * protection refused enough requests to break the errors SLO on its own, or ≥ 5% of them → overload-protection
 * (none of the resources above ran out: it refused first); in-flight requests piled up while CPU stayed low and
 * the loop kept up → dependency; otherwise unknown. A resource verdict reached while the
 * protection refused that share says so in one more line (the protection guarded that resource).
 * Every verdict carries the figures behind it (docs/limits.md, _Why it stops there_).
 */
import { parseThreshold, thresholdHolds } from '../load/thresholds.js';
import type { ProfileSummary } from './cpu-profile.js';
import { DATABASE_WAIT_TYPES } from './database-sampler.js';
import type {
  BottleneckKind,
  DatabaseSignals,
  HostSignals,
  LimitsStep,
  OutboundSignals,
  PoolSignals,
  TargetSignals,
} from './types.js';

/** Thresholds of the rules above. */
export const BOTTLENECK_RULES = {
  gcShare: 0.25,
  cpuCores: 0.85,
  eventLoopLagMs: 50,
  heapGrowthBytes: 64 * 1024 * 1024,
  heapGrowthShare: 0.5,
  inFlightPileUp: 20,
  lowCpuCores: 0.6,
  /** The machine counts as saturated at this share of all its cores busy… */
  hostBusyShare: 0.9,
  /** …or at this share with more threads runnable than it has cores (they wait for one, the target's too). */
  hostQueuedBusyShare: 0.8,
  /** A pool limits when requests waited in this share of the step's scrapes… */
  poolWaitingShare: 0.5,
  /**
   * …or its connections were busy this share of the step (handed out/s × held ÷ max, from counters: every
   * acquisition, not a few instants — in front of an adaptive limit the queue comes and goes between scrapes)…
   */
  poolBusyShare: 0.75,
  /** …and the mean wait for a connection was at least this share of a request's time in the target. */
  poolWaitOfLatency: 0.25,
  /** The database limits when a statement ran at nearly every sample (mean running backends ≥ this)… */
  dbActive: 1,
  /** …and the running backends spent this share waiting on locks or I/O, */
  dbWaitShare: 0.5,
  /** …or its backends used this many cores (on this machine). */
  dbCpuCores: 0.85,
  /** A called host is the dependency when its calls took this share of the request's time in the target. */
  outboundShareOfRequest: 0.5,
  /**
   * Short of a saturated core, the loop still limits when the process used at least `lowCpuCores` and requests
   * queued behind it: event-loop lag p99 at least this (the SLO broke before the core filled).
   */
  loopQueueLagMs: 20,
  /**
   * The target's overload protection decided the step when its refusals alone broke the step's `errors` SLO, or
   * were at least this share of the requests it answered whatever the SLO (a loose `errors<10%` must not hide a
   * twentieth of the load turned away). Refusals also hold the latency: each 503 waits `SHED_DELAY` (100 ms), so
   * past 1% of requests they are the p99. A probe of the adaptive limit sheds well under 1% of a load it admits
   * (0.4–0.6% in the slots fixture's passing steps).
   */
  overloadShedShare: 0.05,
} as const;

/** A classification with its evidence, before the profile's top functions are added. */
export interface Classification {
  kind: BottleneckKind;
  evidence: string[];
}

/** Classifies the knee step; `reference` is the highest passing step (for context in the evidence). */
export function classifyBottleneck(knee: LimitsStep | null, reference: LimitsStep | null): Classification {
  if (!knee)
    return {
      kind: 'unknown',
      evidence: ['the SLO never broke (or its break was not confirmed): no knee was seen'],
    };
  const rate = `${Math.round(knee.offeredRps)} req/s`;
  const signals = knee.target;
  const host = knee.host ?? null;
  if (knee.generatorLimited) {
    const evidence = [
      `the load generator could not keep up at ${rate}: the limit measured is the generator's`,
      ...knee.generatorWarnings,
    ];
    // A saturated machine starves the generator too: the figures say whether that is why.
    if (host) evidence.push(`machine: ${describeHost(host, signals?.cpuCores ?? null)}`);
    return { kind: 'generator', evidence };
  }
  if (!signals) {
    const evidence = [
      'no target metrics: pass --admin <url> of a headroom-kit/service admin port to see why',
    ];
    if (host) evidence.push(`at ${rate}: ${describeHost(host, null)}`);
    return { kind: 'unknown', evidence };
  }
  const refused = refusals(knee, signals);
  const figures = describe(signals, rate, refused);
  if (host) figures.push(`machine: ${describeHost(host, signals.cpuCores)}`);
  if (signals.pool) figures.push(describePool(signals.pool));
  const db = knee.database ?? null;
  if (db) figures.push(describeDatabase(db));
  const slowest = signals.outbound?.[0];
  for (const call of signals.outbound ?? []) figures.push(describeOutbound(call));
  if (reference?.target) {
    figures.push(
      `at ${Math.round(reference.offeredRps)} req/s (passing): CPU ${reference.target.cpuCores.toFixed(2)} cores`,
    );
  }
  const rules = BOTTLENECK_RULES;
  const heapGrowth = signals.heapEndBytes - signals.heapStartBytes;
  const pileUp = signals.inFlightMax - signals.inFlightStart;
  const hostSaturated = host !== null && hostIsSaturated(host, signals.cpuCores);
  const heapGrew =
    heapGrowth >= rules.heapGrowthBytes &&
    heapGrowth >= rules.heapGrowthShare * Math.max(signals.heapStartBytes, 1);
  let kind: BottleneckKind = 'unknown';
  let verdict: string | null = null;
  if (signals.gcShare >= rules.gcShare) kind = 'gc';
  else if (signals.cpuCores >= rules.cpuCores) kind = 'cpu';
  else if (db && databaseWaits(db) >= rules.dbWaitShare && db.activeAvg >= rules.dbActive) {
    // Backends queued on locks or I/O: a bigger pool would only queue more of them.
    kind = 'database';
    verdict = databaseVerdict(db, `waited on locks or I/O ${pct(databaseWaits(db))} of the time`);
  } else if (signals.pool && poolLimits(signals.pool, serverLatencyMs(knee, signals))) {
    // Waiting for a connection is direct evidence from the request path; a busy machine may be why
    // connections are held long (a starved database), which the caveat says.
    kind = 'pool';
    verdict = poolVerdict(signals.pool, serverLatencyMs(knee, signals));
    if (hostSaturated)
      figures.push(
        'the machine was saturated too: connections may be held long because the database is short of CPU',
      );
  } else if (
    slowest &&
    signals.requestMsAvg &&
    // Past the saturated-core rule above: calls taking half a request's time are direct evidence, even when the
    // calls themselves keep the process busy (fetch at 350 req/s used 0.65 cores in one CI run).
    slowest.meanMs >= rules.outboundShareOfRequest * signals.requestMsAvg
  ) {
    kind = 'dependency';
    verdict = outboundVerdict(slowest, signals.requestMsAvg);
  } else if (host && hostSaturated) {
    kind = 'host-cpu';
    verdict = hostVerdict(host, signals.cpuCores, db?.cpuCores ?? null);
  } else if (db?.cpuCores != null && db.cpuCores >= rules.dbCpuCores && db.activeAvg >= rules.dbActive) {
    kind = 'database';
    verdict = databaseVerdict(db, `used ${db.cpuCores.toFixed(2)} cores running statements`);
  } else if (
    signals.cpuCores >= rules.lowCpuCores &&
    signals.eventLoopLagP99Ms >= rules.loopQueueLagMs &&
    !heapGrew
  ) {
    // Nothing beyond the process ran out (the rules above), and the loop is both busy and queueing: a loop that
    // computes most of the time lags because it computes, not because it blocks.
    kind = 'cpu';
    verdict = busyLoopVerdict(signals, host, db);
  } else if (signals.eventLoopLagP99Ms >= rules.eventLoopLagMs) kind = 'event-loop';
  else if (heapGrew) kind = 'memory';
  else if (refused?.material) {
    // Every resource rule above had room: the target refused before any of them ran out. A pile-up is capped
    // by the limit itself, so the rule below cannot tell the protection from a slow downstream.
    return {
      kind: 'overload-protection',
      evidence: [
        protectionVerdict(refused),
        behindTheLimit(knee, signals, host, db),
        refused.advice,
        ...figures,
      ],
    };
  } else if (
    pileUp >= rules.inFlightPileUp &&
    signals.cpuCores < rules.lowCpuCores &&
    // A lagging loop holds requests in flight itself: they wait for it, not for something downstream.
    signals.eventLoopLagP99Ms < rules.loopQueueLagMs
  )
    kind = 'dependency';
  if (refused?.material && kind !== 'unknown') figures.unshift(guardedLine(refused, kind));
  return { kind, evidence: [verdict ?? VERDICT[kind], ...figures] };
}

/** What the target's overload protection refused during the knee step (null when it refused nothing). */
interface Refusals {
  shed: number;
  /** Share of the requests the target answered (or, without its histogram, of those offered). */
  share: number;
  /** Requests the share is of. */
  of: number;
  /** Reasons, most refusals first. */
  reasons: [string, number][];
  /** What refused most, in words: `its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on)`. */
  guard: string;
  /** What to do about it, for the most refusing reason. */
  advice: string;
  /** `limit 4–6 in flight`, or '' when the target does not export its limit. */
  limit: string;
  /** The share reached `overloadShedShare`: the protection decided the step. */
  material: boolean;
}

/** The refusals of the knee step, by reason, with the limit and what to do. */
function refusals(knee: LimitsStep, s: TargetSignals): Refusals | null {
  if (s.shed <= 0) return null;
  const of =
    s.shedShare != null && s.shedShare > 0
      ? Math.round(s.shed / s.shedShare)
      : Math.max(s.shed, Math.round(knee.offeredRps * knee.durationS));
  const share = s.shed / of;
  const reasons = Object.entries(s.shedByReason ?? {}).sort((a, b) => b[1] - a[1]);
  const top = reasons[0]?.[0] ?? '';
  const guard = GUARD[top] ?? {
    what: top ? `reason "${top}"` : 'its overload protection',
    advice: GENERIC_ADVICE,
  };
  const range = s.concurrencyLimit;
  const limit = !range
    ? ''
    : `limit ${range.min === range.max ? range.min : `${range.min}–${range.max}`} in flight (in flight max ${s.inFlightMax})`;
  return {
    shed: s.shed,
    share,
    of,
    reasons,
    guard: guard.what,
    advice: guard.advice,
    limit,
    material: share >= BOTTLENECK_RULES.overloadShedShare || refusalsBreakErrorSlo(knee, share),
  };
}

/** The refusals alone (as a share of the requests) break one of the step's `errors` SLOs. */
function refusalsBreakErrorSlo(knee: LimitsStep, share: number): boolean {
  return knee.slo.some((outcome) => {
    const threshold = parseThreshold(outcome.expr);
    return threshold.metric === 'errors' && !thresholdHolds(threshold, share * 100);
  });
}

const GENERIC_ADVICE =
  'the protection refused before any resource ran out: rerun with it off to see which would, or loosen it';

/** Each `reason` of `http_requests_shed_total` (headroom-kit/service's `ShedReason`): who refused, what to do. */
const GUARD: Record<string, { what: string; advice: string }> = {
  concurrency: {
    what: 'its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on)',
    advice:
      'the limit refused before any resource ran out: rerun with ADAPTIVE_CONCURRENCY=off to see which would, or raise ADAPTIVE_TOLERANCE (default 1.25: the mean latency allowed over the no-load baseline before the limit shrinks)',
  },
  inflight: {
    what: 'its in-flight cap (MAX_INFLIGHT)',
    advice:
      'the cap refused before any resource ran out: raise MAX_INFLIGHT (0 = no cap) to see which would run out',
  },
  event_loop_delay: {
    what: 'its event-loop delay guard (MAX_EVENT_LOOP_DELAY)',
    advice:
      'the guard refused before the loop lagged long: raise MAX_EVENT_LOOP_DELAY (0 = no bound) to see which resource would run out',
  },
};

/** `refused 1,125 of 3,000 requests (37.5%)`. */
function refusedText(r: Refusals): string {
  return `refused ${count(r.shed)} of ${count(r.of)} requests (${pct1(r.share)})`;
}

/** `its adaptive concurrency limit (ADAPTIVE_CONCURRENCY=on), limit 4–6 in flight (in flight max 6); by reason: concurrency 1,125`. */
function guardText(r: Refusals): string {
  const reasons = r.reasons.map(([reason, n]) => `${reason || 'unlabelled'} ${count(n)}`).join(', ');
  return `${r.guard}${r.limit ? `, ${r.limit}` : ''}${reasons ? `; by reason: ${reasons}` : ''}`;
}

function protectionVerdict(r: Refusals): string {
  return `overload protection: the target ${refusedText(r)} with 503 + Retry-After before any resource behind it ran out — ${guardText(r)}`;
}

/** The resources behind the limit, nearest to its rule's threshold first: what would have run out next. */
function behindTheLimit(
  knee: LimitsStep,
  s: TargetSignals,
  host: HostSignals | null,
  db: DatabaseSignals | null,
): string {
  const rules = BOTTLENECK_RULES;
  const near: { fill: number; text: string }[] = [
    {
      fill: s.cpuCores / rules.cpuCores,
      text: `CPU ${s.cpuCores.toFixed(2)} cores (saturated at ${rules.cpuCores})`,
    },
    {
      fill: s.eventLoopLagP99Ms / rules.eventLoopLagMs,
      text: `event-loop lag p99 ${s.eventLoopLagP99Ms.toFixed(1)} ms (limits at ${rules.eventLoopLagMs} ms)`,
    },
  ];
  if (s.pool) {
    const size = s.pool.max === null ? '' : ` of ${s.pool.max}`;
    const busy = poolBusyShare(s.pool);
    const busyText =
      busy === null
        ? ''
        : `, busy ${pct(Math.min(1, busy))} of the step (limits at ${pct(rules.poolBusyShare)})`;
    near.push({
      fill: Math.max(s.pool.waitingShare / rules.poolWaitingShare, (busy ?? 0) / rules.poolBusyShare),
      text: `pool "${s.pool.name}" ${s.pool.inUseAvg.toFixed(1)}${size} in use, waiting in ${pct(s.pool.waitingShare)} of scrapes (limits at ${pct(rules.poolWaitingShare)})${busyText}`,
    });
  }
  const slowest = s.outbound?.[0];
  const requestMs = serverLatencyMs(knee, s).ms;
  if (slowest && requestMs > 0) {
    const share = slowest.meanMs / requestMs;
    near.push({
      fill: share / rules.outboundShareOfRequest,
      text: `calls to ${slowest.host} ${pct(Math.min(1, share))} of a request's time (limits at ${pct(rules.outboundShareOfRequest)})`,
    });
  }
  if (db) {
    const waits = databaseWaits(db);
    const cpu = db.cpuCores === null ? '' : `, backends ${db.cpuCores.toFixed(2)} cores`;
    near.push({
      fill: Math.max(waits / rules.dbWaitShare, (db.cpuCores ?? 0) / rules.dbCpuCores),
      text: `database ${db.activeAvg.toFixed(1)} statements running, ${pct(waits)} of their time on locks or I/O (limits at ${pct(rules.dbWaitShare)})${cpu}`,
    });
  }
  if (host) {
    near.push({
      fill: host.busyShare / rules.hostBusyShare,
      text: `machine ${pct(host.busyShare)} busy (saturated at ${pct(rules.hostBusyShare)})`,
    });
  }
  near.sort((a, b) => b.fill - a.fill);
  return `behind the limit, nearest first: ${near.map((n) => n.text).join('; ')}`;
}

/** A resource rule fired while the protection refused a material share: it guarded that resource. */
function guardedLine(r: Refusals, kind: BottleneckKind): string {
  return `overload protection guarded the ${GUARDED[kind] ?? kind}: the target ${refusedText(r)} — ${guardText(r)}`;
}

const GUARDED: Partial<Record<BottleneckKind, string>> = {
  cpu: 'CPU',
  'host-cpu': "machine's CPU",
  'event-loop': 'event loop',
  gc: 'heap (GC)',
  memory: 'heap',
  pool: 'connection pool',
  database: 'database',
  dependency: 'dependency',
};

/**
 * The loop limited short of a full core: its CPU and lag, and what else was measured and had room — the machine,
 * the busiest pool, the database.
 */
function busyLoopVerdict(
  signals: TargetSignals,
  host: HostSignals | null,
  db: DatabaseSignals | null,
): string {
  const room = [
    host ? `the machine (${pct(host.busyShare)} busy)` : null,
    signals.pool
      ? `pool "${signals.pool.name}" (${signals.pool.inUseAvg.toFixed(1)}${signals.pool.max === null ? '' : ` of ${signals.pool.max}`} in use on average)`
      : null,
    db ? `the database (${db.activeAvg.toFixed(1)} statements running on average)` : null,
  ].filter((part) => part !== null);
  const rest = room.length === 0 ? '' : `; ${room.join(', ')} had room`;
  return `CPU: the event loop limits before its core is full — ${signals.cpuCores.toFixed(2)} cores, and requests queued behind it (event-loop lag p99 ${signals.eventLoopLagP99Ms.toFixed(1)} ms)${rest}: make requests cheaper (the functions below) or run more processes`;
}

/**
 * The latency a request spent in the target: its own mean (`http_request_duration_seconds`) when exported, else
 * the median from the actual send, else the step's median. The SLO latency counts from the intended send, so it
 * also holds the time requests queued in the generator, which a pool wait is not part of.
 */
function serverLatencyMs(knee: LimitsStep, signals: TargetSignals): { ms: number; what: string } {
  if (signals.requestMsAvg != null) return { ms: signals.requestMsAvg, what: 'mean time in the target' };
  if (knee.latencyFromSendMs) return { ms: knee.latencyFromSendMs.p50, what: 'p50 latency from the send' };
  return { ms: knee.p50Ms, what: 'p50 latency' };
}

/**
 * The share of the step the pool's connections were busy: connections in use on average by Little's law (handed
 * out per second × mean hold) over its max; null without a max or a hold time.
 */
export function poolBusyShare(pool: PoolSignals): number | null {
  if (pool.max === null || pool.max <= 0 || pool.heldMsAvg === null) return null;
  return (pool.acquiredPerS * pool.heldMsAvg) / 1000 / pool.max;
}

/**
 * Requests waited for a connection through most of the step — seen waiting in most scrapes, or the connections
 * busy nearly all the step —, and the wait was a large part of the latency.
 */
export function poolLimits(pool: PoolSignals, latency: { ms: number }): boolean {
  const rules = BOTTLENECK_RULES;
  const waitedInScrapes = pool.waitingShare >= rules.poolWaitingShare && pool.waitingAvg > 0;
  // Busy alone is no queue: it counts only with the wait histogram, which says how long requests waited.
  const busy = pool.waitMsAvg !== null && (poolBusyShare(pool) ?? 0) >= rules.poolBusyShare;
  if (!waitedInScrapes && !busy) return false;
  // Without the wait histogram, waiting through most of the step is the whole evidence.
  return pool.waitMsAvg === null || pool.waitMsAvg >= rules.poolWaitOfLatency * latency.ms;
}

function poolVerdict(pool: PoolSignals, latency: { ms: number; what: string }): string {
  const size = pool.max === null ? '' : ` (max ${pool.max})`;
  const wait =
    pool.waitMsAvg === null
      ? ''
      : `, ${ms(pool.waitMsAvg)} mean wait against a ${ms(latency.ms)} ${latency.what}`;
  const serve =
    pool.heldMsAvg !== null && pool.heldMsAvg > 0 && pool.max !== null
      ? `; each connection is held ${ms(pool.heldMsAvg)}, so ${pool.max} connections serve about ${Math.round((pool.max * 1000) / pool.heldMsAvg)} acquisitions/s — raise its max (if the database has room) or hold connections for less time`
      : '';
  const busy = poolBusyShare(pool);
  const busyText = busy === null ? '' : `, connections busy ${pct(Math.min(1, busy))} of the step`;
  return `pool: requests waited for a connection of pool "${pool.name}"${size} — ${pool.waitingAvg.toFixed(1)} waiting on average, in ${pct(pool.waitingShare)} of the scrapes${busyText}${wait}${serve}`;
}

/** Share of the running backends' samples spent waiting on locks or I/O. */
function databaseWaits(db: DatabaseSignals): number {
  return db.waits
    .filter((w) => DATABASE_WAIT_TYPES.some((type) => w.event.startsWith(`${type}:`)))
    .reduce((sum, w) => sum + w.share, 0);
}

function databaseVerdict(db: DatabaseSignals, why: string): string {
  const top = db.topQueries[0];
  const query = top
    ? `; busiest statement (${pct(top.share)} of ${db.queriesFrom === 'pg_stat_statements' ? 'exec time' : 'running samples'}): ${top.query}`
    : '';
  return `database: ${db.activeAvg.toFixed(1)} statements running on average, and its backends ${why} — top waits ${describeWaits(db)}${query}`;
}

function describeWaits(db: DatabaseSignals): string {
  return db.waits.map((w) => `${w.event} ${pct(w.share)}`).join(', ') || 'none';
}

/** `database: 3.9 running (max 4) of 12 backends, backends CPU 0.40 cores; waits Lock:advisory 80%, CPU 20%`. */
function describeDatabase(db: DatabaseSignals): string {
  const cpu = db.cpuCores === null ? '' : `, backends CPU ${db.cpuCores.toFixed(2)} cores`;
  return `database: ${db.activeAvg.toFixed(1)} statements running avg (max ${db.activeMax}) of ${db.backends} backends${cpu}; waits ${describeWaits(db)}`;
}

/**
 * All cores busy, or most of them with threads queueing for a core while the others (the generator included)
 * used at least as much as the target — else the target is the one filling the machine.
 */
function hostIsSaturated(host: HostSignals, targetCores: number): boolean {
  const rules = BOTTLENECK_RULES;
  return (
    host.busyShare >= rules.hostBusyShare ||
    (host.busyShare >= rules.hostQueuedBusyShare &&
      host.runQueueAvg > host.cores &&
      host.busyCores - targetCores >= targetCores)
  );
}

function hostVerdict(host: HostSignals, targetCores: number, databaseCores: number | null): string {
  const others = Math.max(0, host.busyCores - targetCores - host.generatorCores);
  const db = databaseCores === null ? '' : `; the database's backends ${databaseCores.toFixed(2)} of them`;
  const most =
    host.generatorCores >= others
      ? `the load generator itself took ${host.generatorCores.toFixed(2)} cores: run it on another machine`
      : `other processes took ${others.toFixed(2)} cores${whoElse(host, others, db)}: give them their own machine, or measure on a quiet one`;
  const queued =
    host.busyShare < BOTTLENECK_RULES.hostBusyShare
      ? ` and ${host.runQueueAvg.toFixed(1)} threads runnable on average (more than its cores: they waited for one)`
      : '';
  return `host CPU: the machine was saturated, not the process — ${pct(host.busyShare)} of ${host.cores} cores busy${queued} while the target used ${targetCores.toFixed(2)} cores; ${most}`;
}

/**
 * ` (node ×4 0.90, postgres ×12 0.30, elsewhere 0.20 cores; the database's backends 0.22 of them)`: who the
 * others were. `elsewhere`: processes past the three largest, ones that ended during the step (not seen at its
 * end), and the difference between the machine's and the target's own clocks.
 */
function whoElse(host: HostSignals, others: number, extra = ''): string {
  const groups = host.others.map(
    (g) => `${g.name}${g.processes > 1 ? ` ×${g.processes}` : ''} ${g.cores.toFixed(2)}`,
  );
  if (groups.length === 0) return extra ? ` (${extra.slice(2)})` : '';
  const rest = others - host.others.reduce((sum, g) => sum + g.cores, 0);
  if (rest >= 0.05) groups.push(`elsewhere ${rest.toFixed(2)}`);
  return ` (${groups.join(', ')} cores${extra})`;
}

/**
 * `97% busy of 2 cores (target 0.52, generator 0.61, others 0.81 cores (postgres ×11 0.60, node 0.20 cores)),
 * run queue 3.2 (max 6), steal 0%`.
 */
function describeHost(host: HostSignals, targetCores: number | null): string {
  const parts =
    targetCores === null
      ? `generator ${host.generatorCores.toFixed(2)}, everything else ${Math.max(0, host.busyCores - host.generatorCores).toFixed(2)} cores`
      : `target ${targetCores.toFixed(2)}, generator ${host.generatorCores.toFixed(2)}, ${describeOthers(host, targetCores)}`;
  return `${pct(host.busyShare)} busy of ${host.cores} cores (${parts}), run queue ${host.runQueueAvg.toFixed(1)} (max ${host.runQueueMax}), steal ${pct(host.stealShare)}`;
}

function describeOthers(host: HostSignals, targetCores: number): string {
  const others = Math.max(0, host.busyCores - targetCores - host.generatorCores);
  return `others ${others.toFixed(2)} cores${whoElse(host, others)}`;
}

function describePool(pool: PoolSignals): string {
  const size = pool.max === null ? '' : ` (max ${pool.max})`;
  const wait = pool.waitMsAvg === null ? '' : `, waited ${ms(pool.waitMsAvg)} per connection`;
  const held = pool.heldMsAvg === null ? '' : `, held ${ms(pool.heldMsAvg)}`;
  return `pool "${pool.name}"${size}: in use ${pool.inUseAvg.toFixed(1)} avg (max ${pool.inUseMax}), waiting ${pool.waitingAvg.toFixed(1)} avg (max ${pool.waitingMax}, in ${pct(pool.waitingShare)} of scrapes)${wait}${held}, ${Math.round(pool.acquiredPerS)} handed out/s`;
}

function outboundVerdict(call: OutboundSignals, requestMs: number): string {
  return `dependency: calls to ${call.host} took ${ms(call.meanMs)} on average, ${pct(Math.min(1, call.meanMs / requestMs))} of the ${ms(requestMs)} a request spent in the target (${Math.round(call.callsPerS)} calls/s, ${call.inFlightAvg.toFixed(1)} in flight on average)`;
}

function describeOutbound(call: OutboundSignals): string {
  return `calls to ${call.host}: ${Math.round(call.callsPerS)}/s, ${ms(call.meanMs)} mean, ${call.inFlightAvg.toFixed(1)} in flight avg`;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

/** `37.5%`: shares of refusals near the 5% threshold read to a tenth. */
function pct1(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
function count(n: number): string {
  return counts.format(n);
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

const VERDICT: Record<BottleneckKind, string> = {
  cpu: 'CPU: the process used about one core — the event loop is busy computing',
  'host-cpu': 'host CPU: the machine was saturated, not the process',
  database: 'database: statements queued in the database',
  pool: 'pool: requests waited for a database connection',
  'event-loop': 'event loop: it stalled while the CPU was not saturated (synchronous I/O or blocking calls)',
  gc: 'GC: garbage collection took a large share of wall time (allocation pressure)',
  memory: 'memory: the heap grew fast during the step',
  dependency:
    'dependency: requests piled up in flight while the CPU stayed low (waiting on something downstream)',
  'overload-protection': 'overload protection: the target refused requests before any resource ran out',
  generator: 'the load generator',
  unknown: 'no resource stood out in the target’s metrics',
};

function describe(s: TargetSignals, rate: string, refused: Refusals | null): string[] {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const lines = [
    `at ${rate}: CPU ${s.cpuCores.toFixed(2)} cores, GC ${(s.gcShare * 100).toFixed(1)}% of wall time, event-loop lag p99 ${s.eventLoopLagP99Ms.toFixed(1)} ms`,
    `heap ${mb(s.heapStartBytes)} → ${mb(s.heapEndBytes)}, in flight ${s.inFlightStart} → max ${s.inFlightMax}`,
  ];
  // A material share is told by the verdict, or by the line naming the resource it guarded.
  if (refused && !refused.material)
    lines.push(`overload protection ${refusedText(refused)} — ${guardText(refused)}`);
  return lines;
}

/** A loop busy this share of the profile counts as computing all the time. */
export const BUSY_LOOP_SHARE = 0.8;
/** One JavaScript function holding this share of the self time means the loop is computing, not blocked. */
export const HOT_FUNCTION_PCT = 30;
/** A lagging loop busy less than this share of the profile was not blocked (blocking shows as busy): starved. */
export const STARVED_LOOP_SHARE = 0.5;

/**
 * Second look with the knee profile, when the metrics did not show a saturated core:
 * - the profile shows the event loop computing (busy nearly all the time, or one JavaScript function holding
 *   ≥ 30% of the self time): the process was CPU-bound on a machine that gave it less than a core;
 * - the metrics said event-loop lag, but the loop was busy less than half the profile: it was not blocked
 *   (a blocking call shows as busy), it was waiting for a CPU — other processes or a cgroup quota took it.
 * Either way a cpu bottleneck, not a blocked loop, and the evidence says the capacity is the machine's share.
 */
export function refineWithProfile(
  classification: Classification,
  profile: Pick<ProfileSummary, 'topFunctions' | 'busyShare'>,
  knee: LimitsStep | null,
): Classification {
  if (!knee?.target) return classification;
  const busy =
    profile.busyShare === null
      ? []
      : [`profile: the event loop was busy ${(profile.busyShare * 100).toFixed(0)}% of the time`];
  const hot = profile.topFunctions.find((f) => !f.name.startsWith('(') && /\.[cm]?[jt]s$/.test(f.file));
  const computing =
    (profile.busyShare !== null && profile.busyShare >= BUSY_LOOP_SHARE) ||
    (hot !== undefined && hot.selfPct >= HOT_FUNCTION_PCT);
  const starved =
    !computing &&
    classification.kind === 'event-loop' &&
    profile.busyShare !== null &&
    profile.busyShare < STARVED_LOOP_SHARE;
  if (starved) {
    return {
      kind: 'cpu',
      evidence: [
        `CPU: the process was starved of it — its event loop lagged ${knee.target.eventLoopLagP99Ms.toFixed(0)} ms (p99) yet was busy only ${((profile.busyShare ?? 0) * 100).toFixed(0)}% of the profile, on ${knee.target.cpuCores.toFixed(2)} cores: other processes or a CPU quota took the machine, so this capacity is the share it got`,
        ...classification.evidence.slice(1),
        ...busy,
      ],
    };
  }
  if (!computing || !['event-loop', 'unknown'].includes(classification.kind)) {
    return { ...classification, evidence: [...classification.evidence, ...busy] };
  }
  const where =
    hot && hot.selfPct >= HOT_FUNCTION_PCT ? `; ${hot.selfPct}% of its busy time is in ${hot.name}` : '';
  return {
    kind: 'cpu',
    evidence: [
      `CPU: the profile shows the event loop computing${where}, yet the process got only ${knee.target.cpuCores.toFixed(2)} cores — the machine's CPU is shared (other processes or a quota)`,
      ...classification.evidence.slice(1),
      ...busy,
    ],
  };
}
