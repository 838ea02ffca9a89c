import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { background, withCancel } from '../../src/context/index.js';
import { classifyBottleneck, refineWithProfile } from '../../src/limits/classify-bottleneck.js';
import { analyseProfile, fetchCpuProfile } from '../../src/limits/cpu-profile.js';
import type { LimitsStep, TargetSignals } from '../../src/limits/index.js';
import { judgeStep } from '../../src/limits/judge-step.js';
import { parseMetricsSnapshot } from '../../src/limits/metrics-snapshot.js';
import { attributeStack, packageOfFile } from '../../src/limits/profile-packages.js';
import { ProfileTreeBuilder, TREE_MAX_DEPTH } from '../../src/limits/profile-tree.js';
import { parsePrometheusSamples } from '../../src/limits/prometheus-text.js';
import { functionLabel } from '../../src/limits/render/describe-profile.js';
import { summarise } from '../../src/limits/target-sampler.js';
import { PGLITE_LIKE, pprofOfStacks } from './helpers/pprof.js';
import { syntheticStep } from './helpers/synthetic-step.js';

function pprof(samples: [name: string, wallNs: number][], durationNs: number): Uint8Array {
  const strings = new StringTable();
  const names = [...new Set(samples.map(([name]) => name))];
  const fileId = strings.dedup('/app/server.js');
  const functions = names.map(
    (name, i) =>
      new PprofFunction({ id: i + 1, name: strings.dedup(name), filename: fileId, startLine: 10 + i }),
  );
  const locations = names.map(
    (_, i) => new Location({ id: i + 1, line: [new Line({ functionId: i + 1, line: 20 + i })] }),
  );
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('sample'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') }),
    ],
    sample: samples.map(
      ([name, wall]) => new Sample({ locationId: [names.indexOf(name) + 1], value: [1, wall] }),
    ),
    function: functions,
    location: locations,
    stringTable: strings,
    durationNanos: durationNs,
  });
  return gzipSync(profile.encode());
}

describe('analyseProfile', () => {
  it('ranks functions by self time and measures how busy the loop was', () => {
    const bytes = pprof(
      [
        ['JSON.stringify', 600],
        ['handler', 200],
        ['JSON.stringify', 100],
        ['(garbage collector)', 100],
      ],
      2000,
    );
    const summary = analyseProfile(bytes);
    expect(summary.topFunctions.map((f) => [f.name, f.selfPct])).toEqual([
      ['JSON.stringify', 70],
      ['handler', 20],
      ['(garbage collector)', 10],
    ]);
    expect(summary.topFunctions[0]).toMatchObject({ file: '/app/server.js', line: 20 });
    expect(summary.busyShare).toBeCloseTo(0.5);
  });
});

describe('package attribution', () => {
  it.each([
    ['/app/node_modules/pg/lib/connection.js', 'pg'],
    ['file:///app/node_modules/@electric-sql/pglite/dist/index.js', '@electric-sql/pglite'],
    ['/app/node_modules/.pnpm/pg@8.11.0/node_modules/pg/lib/x.js', 'pg'],
    ['C:\\app\\node_modules\\fastify\\lib\\route.js', 'fastify'],
    ['node:internal/timers', 'node (internals)'],
    ['/app/src/server.ts', '(your code)'],
    ['wasm://wasm/3e5f085e', null],
    ['', null],
  ])('%s → %s', (file, pkg) => {
    expect(packageOfFile(file)).toBe(pkg);
  });

  it('gives builtins and WebAssembly to the JavaScript that called them', () => {
    const frames = (names: [string, string][]) => names.map(([name, file]) => ({ name, file }));
    expect(
      attributeStack(
        frames([
          ['handler', '/app/src/server.ts'],
          ['query', '/app/node_modules/@electric-sql/pglite/dist/index.js'],
          ['js-to-wasm:i:i', ''],
          ['wasm-function[12]', 'wasm://wasm/3e5f085e'],
          ['JSON.parse', ''],
        ]),
      ),
    ).toEqual([
      '(your code)',
      '@electric-sql/pglite',
      '@electric-sql/pglite (wasm)',
      '@electric-sql/pglite (wasm)',
      '@electric-sql/pglite',
    ]);
    expect(attributeStack(frames([['wasm-function[0]', 'wasm://wasm/1']]))).toEqual(['(wasm)']);
    expect(
      attributeStack(
        frames([
          ['main', '/app/main.js'],
          ['wasm-function[0]', ''],
        ]),
      ),
    ).toEqual(['(your code)', '(wasm)']);
    expect(
      attributeStack(
        frames([
          ['Node.js', ''],
          ['Garbage Collection', ''],
          ['(program)', ''],
        ]),
      ),
    ).toEqual(['(native)', '(garbage collector)', '(program)']);
  });

  it('ranks packages by self time and lists your code among the top functions', () => {
    const summary = analyseProfile(pprofOfStacks(PGLITE_LIKE, 4000), 2);
    expect(summary.packages).toEqual([
      { name: '@electric-sql/pglite (wasm)', selfPct: 50 },
      { name: '(your code)', selfPct: 17 },
      { name: 'pg', selfPct: 10 },
      { name: '(garbage collector)', selfPct: 10 },
      { name: 'fastify', selfPct: 10 },
      { name: 'node (internals)', selfPct: 3 },
    ]);
    // The two hottest, then your code's hottest even below them.
    expect(summary.topFunctions.map((f) => [f.name, f.package, f.selfPct])).toEqual([
      ['wasm-function[12]', '@electric-sql/pglite (wasm)', 40],
      ['renderRow', '(your code)', 15],
      ['handler', '(your code)', 2],
    ]);
    const all = analyseProfile(pprofOfStacks(PGLITE_LIKE, 4000));
    const stringify = all.topFunctions.find((f) => f.name === 'JSON.stringify');
    expect(stringify?.package).toBe('pg');
    expect(stringify && functionLabel(stringify)).toBe('JSON.stringify (pg)');
    expect(all.busyShare).toBeCloseTo(0.25);
  });

  it('builds the call tree from the stacks, callers above callees, biggest first', () => {
    const tree = analyseProfile(pprofOfStacks(PGLITE_LIKE, 4000)).tree;
    expect(tree).toMatchObject({ name: 'all', totalPct: 100 });
    expect(tree?.children.map((n) => [n.name, n.package, n.totalPct])).toEqual([
      ['handler', '(your code)', 62],
      ['processTimers', 'node (internals)', 18],
      ['Node.js', '(native)', 10],
      ['route', 'fastify', 10],
    ]);
    const handler = tree?.children[0];
    expect(handler?.selfPct).toBe(2);
    expect(handler?.children.map((n) => [n.name, n.totalPct])).toEqual([
      ['query', 50],
      ['serialize', 10],
    ]);
    expect(handler?.children[0]?.children[0]).toMatchObject({
      name: 'js-to-wasm:i:i',
      package: '@electric-sql/pglite (wasm)',
      totalPct: 40,
    });
  });

  it('prunes the tree: tiny branches dropped, deep stacks cut', () => {
    const builder = new ProfileTreeBuilder();
    const frame = (name: string) => ({ name, file: '/app/a.js' });
    const deep = Array.from({ length: TREE_MAX_DEPTH + 12 }, (_, i) => frame(`f${i}`));
    builder.add(
      deep,
      deep.map(() => '(your code)'),
      996,
    );
    builder.add([frame('tiny')], ['(your code)'], 4);
    const tree = builder.build();
    expect(tree?.children.map((n) => n.name)).toEqual(['f0']);
    let depth = 0;
    let node = tree;
    while (node?.children[0]) {
      node = node.children[0];
      depth++;
    }
    expect(depth).toBe(TREE_MAX_DEPTH);
    expect(node).toMatchObject({ name: `f${TREE_MAX_DEPTH - 1}`, selfPct: 99.6, totalPct: 99.6 });
  });
});

describe('fetchCpuProfile', () => {
  it('gives up as soon as its context is cancelled (Ctrl-C does not wait for a 30 s profile)', async () => {
    const server = createServer(() => {}); // takes the request and never answers, as a profile being taken
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const [ctx, cancel] = withCancel(background());
    setTimeout(cancel, 200);
    const started = performance.now();
    await expect(fetchCpuProfile(`http://127.0.0.1:${port}`, 30, undefined, ctx)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(5000);
    server.closeAllConnections();
    server.close();
  });
});

describe('parsePrometheusSamples', () => {
  it('reads names and values past quoted labels, escapes, special values and timestamps', () => {
    const text = [
      '# HELP a_total help with } and "quotes"',
      'a_total{path="/x}y",msg="say \\"hi\\" {"} 3 1700000000000',
      'b_bucket{le="+Inf"} +Inf',
      'c -Inf',
      'd NaN',
      'e 1.5e3',
      'f{unclosed="x 4',
      'g not-a-number',
      '   h   7   ',
    ].join('\n');
    const samples = parsePrometheusSamples(text);
    expect(samples.map((s) => s.name)).toEqual(['a_total', 'b_bucket', 'c', 'd', 'e', 'h']);
    expect(samples.map((s) => s.value)).toEqual([
      3,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      1500,
      7,
    ]);
  });
});

describe('parseMetricsSnapshot', () => {
  it('reads prom-client default metrics and the service gauges, with or without a prefix', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'app_' });
    new Gauge({ name: 'http_requests_in_flight', help: 'in flight', registers: [registry] }).set(7);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const snapshot = parseMetricsSnapshot(await registry.metrics(), 1234);
    expect(snapshot.atMs).toBe(1234);
    expect(snapshot.cpuSeconds).toBeGreaterThan(0);
    expect(snapshot.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(snapshot.eventLoopLagP99Seconds).not.toBeNull();
    expect(snapshot.inFlight).toBe(7);
    expect(snapshot.shedTotal).toBeNull();
  });

  it('adds up GC time over every kind of a labelled histogram (the parser alone drops those sums)', () => {
    const text = [
      '# HELP app_nodejs_gc_duration_seconds Garbage collection duration by kind.',
      '# TYPE app_nodejs_gc_duration_seconds histogram',
      'app_nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 10',
      'app_nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} 12',
      'app_nodejs_gc_duration_seconds_sum{kind="minor"} 0.25',
      'app_nodejs_gc_duration_seconds_count{kind="minor"} 12',
      'app_nodejs_gc_duration_seconds_bucket{le="0.001",kind="major"} 0',
      'app_nodejs_gc_duration_seconds_bucket{le="+Inf",kind="major"} 2',
      'app_nodejs_gc_duration_seconds_sum{kind="major"} 0.5',
      'app_nodejs_gc_duration_seconds_count{kind="major"} 2',
      '# HELP http_requests_in_flight in flight',
      '# TYPE http_requests_in_flight gauge',
      'http_requests_in_flight 3',
      '',
    ].join('\n');
    const snapshot = parseMetricsSnapshot(text, 0);
    expect(snapshot.gcSeconds).toBeCloseTo(0.75);
    expect(snapshot.inFlight).toBe(3);
    expect(snapshot.cpuSeconds).toBeNull();
  });

  it('turns a step of snapshots into per-step signals', () => {
    const at = (atMs: number, cpuSeconds: number, gcSeconds: number, inFlight: number, lag: number) => ({
      atMs,
      cpuSeconds,
      eventLoopLagP99Seconds: lag,
      gcSeconds,
      heapUsedBytes: 10_000_000 + atMs,
      inFlight,
      shedTotal: 3,
      requestSeconds: null,
      requests: null,
      shedByReason: {},
      concurrencyLimit: null,
      unavailableSeconds: null,
      unavailable: null,
      pools: {},
      outbound: {},
    });
    const signals = summarise([
      at(0, 10, 1, 0, 0.5),
      at(1000, 10.5, 1.1, 40, 0.02),
      at(2000, 11.9, 1.2, 5, 0.03),
    ]);
    expect(signals?.cpuCores).toBeCloseTo(0.95);
    expect(signals?.gcShare).toBeCloseTo(0.1);
    // The baseline scrape's lag covers the time before the step: not counted.
    expect(signals?.eventLoopLagP99Ms).toBeCloseTo(30);
    expect(signals).toMatchObject({ inFlightStart: 0, inFlightMax: 40, inFlightEnd: 5, shed: 0, scrapes: 3 });
    expect(summarise([at(0, 1, 1, 0, 0)])).toBeNull();
  });
});

function step(target: Partial<TargetSignals> | null, extra: Partial<LimitsStep> = {}): LimitsStep {
  return syntheticStep({
    offeredRps: 1000,
    achievedRps: 900,
    p50Ms: 5,
    sentRps: 1000,
    target:
      target === null
        ? null
        : {
            cpuCores: 0.2,
            eventLoopLagP99Ms: 5,
            gcShare: 0.01,
            heapStartBytes: 50e6,
            heapEndBytes: 51e6,
            inFlightStart: 0,
            inFlightEnd: 0,
            inFlightMax: 2,
            shed: 0,
            scrapes: 5,
            ...target,
          },
    ...extra,
  });
}

describe('classifyBottleneck', () => {
  it.each([
    [{ cpuCores: 0.98 }, 'cpu'],
    [{ cpuCores: 1.1, gcShare: 0.35 }, 'gc'],
    [{ cpuCores: 0.3, eventLoopLagP99Ms: 400 }, 'event-loop'],
    [{ heapStartBytes: 50e6, heapEndBytes: 200e6 }, 'memory'],
    [{ cpuCores: 0.1, inFlightMax: 250 }, 'dependency'],
    [{}, 'unknown'],
  ] as const)('%o → %s, with the figures as evidence', (signals, kind) => {
    const verdict = classifyBottleneck(step(signals), null);
    expect(verdict.kind).toBe(kind);
    expect(verdict.evidence.join('\n')).toMatch(/at 1000 req\/s: CPU [\d.]+ cores/);
  });

  it('names the generator when it, not the target, failed the knee step', () => {
    const verdict = classifyBottleneck(
      step(null, { generatorLimited: true, generatorWarnings: ['sends slipped'] }),
      null,
    );
    expect(verdict.kind).toBe('generator');
    expect(verdict.evidence).toContain('sends slipped');
  });

  it('claims nothing without metrics or without a break', () => {
    expect(classifyBottleneck(step(null), null).kind).toBe('unknown');
    expect(classifyBottleneck(null, null).evidence[0]).toMatch(/never broke/);
  });

  it('turns a stalled loop into cpu when the profile shows it computing in one function', () => {
    const knee = step({ cpuCores: 0.4, eventLoopLagP99Ms: 120 });
    const stalled = classifyBottleneck(knee, null);
    expect(stalled.kind).toBe('event-loop');
    const hot = {
      name: 'renderReport',
      file: '/app/report.ts',
      line: 3,
      selfPct: 75,
      package: '(your code)',
    };
    const refined = refineWithProfile(stalled, { topFunctions: [hot], busyShare: 0.5 }, knee);
    expect(refined.kind).toBe('cpu');
    expect(refined.evidence.join('\n')).toMatch(/75% of its busy time is in renderReport/);
    // Blocked (busy in the profile, no hot JavaScript function): a real event-loop stall.
    const blocked = refineWithProfile(
      stalled,
      { topFunctions: [{ ...hot, selfPct: 10 }], busyShare: 0.7 },
      knee,
    );
    expect(blocked.kind).toBe('event-loop');
    // Lagging yet mostly idle: the process was waiting for a CPU, not blocked.
    const starved = refineWithProfile(
      stalled,
      { topFunctions: [{ ...hot, selfPct: 10 }], busyShare: 0.15 },
      knee,
    );
    expect(starved.kind).toBe('cpu');
    expect(starved.evidence[0]).toMatch(/starved of it .* lagged 120 ms \(p99\) yet was busy only 15%/);
    // A busy loop with no dominant function is still computing; a minor function is not named as the cause.
    const busy = refineWithProfile(stalled, { topFunctions: [{ ...hot, selfPct: 4 }], busyShare: 0.9 }, knee);
    expect(busy.kind).toBe('cpu');
    expect(busy.evidence[0]).toMatch(
      /^CPU: the profile shows the event loop computing, yet the process got only 0\.40 cores/,
    );
  });
});

describe('judgeStep', () => {
  const measured = (extra: Partial<LimitsStep> = {}) => {
    const { phase, pass, failures, generatorLimited, ...m } = step(null, {
      achievedRps: 1000,
      slo: [{ expr: 'p99<100ms', ok: false, actual: 300 }],
      ...extra,
    });
    return m;
  };
  const latency = (p99: number) => ({ min: 1, mean: 5, p50: 5, p75: 6, p90: 8, p99, p999: p99, max: p99 });

  it('fails a step on each broken SLO and on achieved < 98% of offered', () => {
    const judged = judgeStep('bisect', measured({ achievedRps: 950 }));
    expect(judged.pass).toBe(false);
    expect(judged.failures).toEqual(['p99<100ms broken (actual 300)', 'achieved 950 of 1000 req/s']);
    expect(judged.generatorLimited).toBe(false);
    const ok = judgeStep('bisect', measured({ slo: [{ expr: 'p99<100ms', ok: true, actual: 40 }] }));
    expect(ok).toMatchObject({ pass: true, failures: [] });
  });

  it('blames a flagged generator when the SLO holds from the actual send, the target otherwise', () => {
    const flagged = { generatorBound: true, generatorWarnings: ['sends slipped 250ms behind schedule'] };
    const slipped = judgeStep('bisect', measured({ ...flagged, latencyFromSendMs: latency(40) }));
    expect(slipped.generatorLimited).toBe(true);
    expect(slipped.failures).toContain('sends slipped 250ms behind schedule');
    const slow = judgeStep('bisect', measured({ ...flagged, latencyFromSendMs: latency(180) }));
    expect(slow.generatorLimited).toBe(false);
    // Without the actual-send latency, the whole p99 slip is taken off.
    expect(judgeStep('bisect', measured({ ...flagged, sendLagP99Ms: 250 })).generatorLimited).toBe(true);
    expect(judgeStep('bisect', measured({ ...flagged, sendLagP99Ms: 20 })).generatorLimited).toBe(false);
    // A generator that did not even send the load is the limit, whatever the latency.
    const unsent = measured({ ...flagged, sentRps: 900, achievedRps: 900, latencyFromSendMs: latency(180) });
    expect(judgeStep('bisect', unsent).generatorLimited).toBe(true);
  });
});
