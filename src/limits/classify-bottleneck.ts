/**
 * Names the resource that ran out first, from the target's signals at the step nearest the knee (the lowest
 * failing rate, where the bottleneck is saturated). Rules, in order: the generator saturated → generator; GC
 * took ≥ 25% of wall time → gc; the process used ≈ one core → cpu; event-loop lag high while CPU is not
 * saturated → event-loop; heap grew fast → memory; in-flight requests piled up while CPU stayed low →
 * dependency; otherwise unknown. Every verdict carries the figures behind it.
 */
import type { ProfileSummary } from './cpu-profile.js';
import type { BottleneckKind, LimitsStep, TargetSignals } from './types.js';

/** Thresholds of the rules above. */
export const BOTTLENECK_RULES = {
  gcShare: 0.25,
  cpuCores: 0.85,
  eventLoopLagMs: 50,
  heapGrowthBytes: 64 * 1024 * 1024,
  heapGrowthShare: 0.5,
  inFlightPileUp: 20,
  lowCpuCores: 0.6,
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
  if (knee.generatorLimited) {
    return {
      kind: 'generator',
      evidence: [
        `the load generator could not keep up at ${rate}: the limit measured is the generator's`,
        ...knee.generatorWarnings,
      ],
    };
  }
  const signals = knee.target;
  if (!signals) {
    return {
      kind: 'unknown',
      evidence: ['no target metrics: pass --admin <url> of a headroom-kit/service admin port to see why'],
    };
  }
  const figures = describe(signals, rate);
  if (reference?.target) {
    figures.push(
      `at ${Math.round(reference.offeredRps)} req/s (passing): CPU ${reference.target.cpuCores.toFixed(2)} cores`,
    );
  }
  const rules = BOTTLENECK_RULES;
  const heapGrowth = signals.heapEndBytes - signals.heapStartBytes;
  const pileUp = signals.inFlightMax - signals.inFlightStart;
  let kind: BottleneckKind = 'unknown';
  if (signals.gcShare >= rules.gcShare) kind = 'gc';
  else if (signals.cpuCores >= rules.cpuCores) kind = 'cpu';
  else if (signals.eventLoopLagP99Ms >= rules.eventLoopLagMs) kind = 'event-loop';
  else if (
    heapGrowth >= rules.heapGrowthBytes &&
    heapGrowth >= rules.heapGrowthShare * Math.max(signals.heapStartBytes, 1)
  )
    kind = 'memory';
  else if (pileUp >= rules.inFlightPileUp && signals.cpuCores < rules.lowCpuCores) kind = 'dependency';
  return { kind, evidence: [VERDICT[kind], ...figures] };
}

const VERDICT: Record<BottleneckKind, string> = {
  cpu: 'CPU: the process used about one core — the event loop is busy computing',
  'event-loop': 'event loop: it stalled while the CPU was not saturated (synchronous I/O or blocking calls)',
  gc: 'GC: garbage collection took a large share of wall time (allocation pressure)',
  memory: 'memory: the heap grew fast during the step',
  dependency:
    'dependency: requests piled up in flight while the CPU stayed low (waiting on something downstream)',
  generator: 'the load generator',
  unknown: 'no resource stood out in the target’s metrics',
};

function describe(s: TargetSignals, rate: string): string[] {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const lines = [
    `at ${rate}: CPU ${s.cpuCores.toFixed(2)} cores, GC ${(s.gcShare * 100).toFixed(1)}% of wall time, event-loop lag p99 ${s.eventLoopLagP99Ms.toFixed(1)} ms`,
    `heap ${mb(s.heapStartBytes)} → ${mb(s.heapEndBytes)}, in flight ${s.inFlightStart} → max ${s.inFlightMax}`,
  ];
  if (s.shed > 0) lines.push(`overload protection shed ${s.shed} requests`);
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
