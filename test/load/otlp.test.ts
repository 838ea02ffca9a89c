/**
 * `--otlp`: the built CLI pushes a run's metrics to a real OTLP/HTTP receiver (protobuf, decoded here) while it
 * runs and at its end, and the final figures equal the JSON result's.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitsResult } from '../../src/limits/types.js';
import { addEncoded, mergingHistogram } from '../../src/load/histogram.js';
import { load } from '../../src/load/index.js';
import type { LoadProgress, LoadResult } from '../../src/load/types.js';
import { otlpEndpoint } from '../../src/otlp/endpoint.js';
import { bucketIndex, toExponentialHistogram } from '../../src/otlp/exponential-histogram.js';
import { OTLP_METRIC } from '../../src/otlp/names.js';
import {
  type Export,
  metric,
  type OtlpReceiver,
  otlpReceiver,
  type ReceivedMetric,
} from '../support/otlp-receiver.js';
import { CLI, closedPortUrl, httpServer, ROOT, type TestServer, writeScenario } from './helpers.js';

/** Runs the built CLI with extra environment variables (and no OTEL_* from the caller's). */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; exitedAt: number }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr, exitedAt: Date.now() }));
  });
}

/** Every metric the tests below received, by name (the dashboard test checks its queries against them). */
const received = new Map<string, ReceivedMetric>();
/** Every attribute key they carried, as a Prometheus label (`.` → `_`). */
const labels = new Set(['le']);
function remember(exports: Export[]): void {
  for (const e of exports)
    for (const m of e.metrics) {
      received.set(m.name, m);
      for (const p of m.points)
        for (const key of Object.keys(p.attributes)) labels.add(key.replace(/\./g, '_'));
    }
}

let target: TestServer;
let receiver: OtlpReceiver;
let served = 0;

beforeAll(async () => {
  // Every fifth response is a 500, so the errors counter has something to count.
  target = await httpServer((_req, res) => {
    served++;
    res.statusCode = served % 5 === 0 ? 500 : 200;
    res.end('ok');
  });
  receiver = await otlpReceiver();
});
afterAll(async () => {
  await target.close();
  await receiver.close();
});

describe('headroom load --otlp', () => {
  it('pushes counters and an exponential histogram while running; the last push equals the JSON result', async () => {
    receiver.exports.length = 0;
    const runId = 'run-otlp-test';
    const scenario = writeScenario({
      requests: [
        { name: 'list', weight: 2, path: '/list' },
        { name: 'item', path: '/item' },
      ],
    });
    const out = await run(
      [
        'load',
        target.url,
        '--scenario',
        scenario,
        '-c',
        '4',
        '-t',
        '2',
        '-d',
        '2s',
        '--segment',
        '0/1',
        '--otlp',
        receiver.url,
        '--json',
      ],
      { HEADROOM_RUN_ID: runId, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' },
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain(`pushing metrics to ${receiver.url}/v1/metrics (headroom.run.id ${runId})`);
    const result = JSON.parse(out.stdout) as LoadResult;
    expect(result.requests.errors).toBeGreaterThan(0);

    const exports = receiver.exports;
    // A push each second of the run, then the final one; the first arrived well before the process ended.
    expect(exports.length).toBeGreaterThanOrEqual(3);
    expect(out.exitedAt - (exports[0] as Export).receivedAt).toBeGreaterThan(500);
    for (const e of exports) {
      expect(e.path).toBe('/v1/metrics');
      expect(e.contentType).toBe('application/x-protobuf');
    }
    remember(exports);
    const last = exports[exports.length - 1] as Export;
    expect(last.resource['service.name']).toBe('headroom');
    expect(last.resource['headroom.command']).toBe('load');
    expect(last.resource['deployment.environment']).toBe('test');

    const requests = metric(last, OTLP_METRIC.requests);
    expect(requests).toMatchObject({ kind: 'sum', monotonic: true, temporality: 2, unit: '{request}' });
    expect(Object.keys(result.requests.byName).sort()).toEqual(['item', 'list']);
    const byName = Object.fromEntries(
      requests.points.map((p) => [p.attributes['headroom.request.name'], p.value]),
    );
    expect(byName).toEqual({
      list: result.requests.byName.list?.completed,
      item: result.requests.byName.item?.completed,
    });
    for (const p of requests.points)
      expect(p.attributes).toMatchObject({ 'headroom.run.id': runId, 'headroom.segment': '0/1' });
    expect((byName.list ?? 0) + (byName.item ?? 0)).toBe(result.requests.completed);

    const errors = metric(last, OTLP_METRIC.errors);
    expect(errors.kind).toBe('sum');
    const errorsByType = Object.fromEntries(errors.points.map((p) => [p.attributes['error.type'], p.value]));
    expect(errorsByType).toEqual(result.errorsByKind);
    expect(errorsByType['http-5xx']).toBeGreaterThan(0);

    const latency = metric(last, OTLP_METRIC.latency);
    expect(latency).toMatchObject({ kind: 'exponentialHistogram', unit: 's', temporality: 2 });
    const point = latency.points[0];
    const h = point?.histogram;
    expect(point?.attributes).toEqual({ 'headroom.run.id': runId, 'headroom.segment': '0/1' });
    expect(h?.count).toBe(result.requests.completed);
    expect(h?.bucketCounts.reduce((a, b) => a + b, 0)).toBe(result.requests.completed);
    expect(h?.min).toBeCloseTo(result.latencyMs.min / 1000, 6);
    expect(h?.max).toBeCloseTo(result.latencyMs.max / 1000, 6);
    // The mean from the buckets' middles stays within the HDR resolution of the result's mean.
    expect(((h?.sum ?? 0) / (h?.count ?? 1)) * 1000).toBeCloseTo(result.latencyMs.mean, 1);

    // Cumulative: the counts never go down from one push to the next.
    const counts = exports.map((e) => metric(e, OTLP_METRIC.latency).points[0]?.histogram?.count ?? 0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeGreaterThan(0);
  });

  it('pushes nothing with --no-otlp, whatever OTEL_EXPORTER_OTLP_ENDPOINT says', async () => {
    receiver.exports.length = 0;
    const out = await run(['load', target.url, '-c', '2', '-t', '1', '-d', '1s', '--no-otlp'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).not.toContain('pushing metrics');
    expect(receiver.exports).toEqual([]);
  });

  it('exits 2 with one line for an --otlp URL that is not http(s)', async () => {
    const out = await run(['load', target.url, '-d', '1s', '--otlp', 'ftp://collector:4318']);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([
      'headroom: --otlp: expected an http:// or https:// URL (OTLP/HTTP), got "ftp://collector:4318"',
    ]);
  });

  it('completes the run with one warning when the receiver is down', async () => {
    const down = (await closedPortUrl()).replace(/\/$/, '');
    const out = await run(['load', target.url, '-c', '2', '-t', '1', '-d', '2s', '--no-progress', '--json'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: down,
    });
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as LoadResult).requests.completed).toBeGreaterThan(0);
    const warnings = out.stderr.split('\n').filter((l) => l.includes('cannot push metrics'));
    expect(warnings).toEqual([
      `headroom: otlp: cannot push metrics to ${down}/v1/metrics: ECONNREFUSED (the run goes on; further failures are not shown)`,
    ]);
  });
});

describe('headroom limits --otlp', () => {
  it('adds the step rate, the step verdict and the capacity (pushed to OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)', async () => {
    receiver.exports.length = 0;
    // The search ends after two failing steps, each followed by a pause of twice the cool-down (1 s by default).
    const args = ['limits', target.url, '--slo', 'p99<1us', '--step', '1s', '--cooldown', '100ms', '--json'];
    const out = await run(args, {
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/custom/metrics`,
    });
    expect(out.code, out.stderr).toBe(1);
    const result = JSON.parse(out.stdout) as LimitsResult;
    const step = result.steps[result.steps.length - 1];
    expect(step?.pass).toBe(false);
    remember(receiver.exports);
    const last = receiver.exports[receiver.exports.length - 1] as Export;
    expect(last.path).toBe('/custom/metrics');
    expect(last.resource['headroom.command']).toBe('limits');
    expect(metric(last, OTLP_METRIC.stepRate).points).toEqual([
      expect.objectContaining({
        value: step?.offeredRps,
        attributes: expect.objectContaining({ 'headroom.limits.phase': step?.phase }),
      }),
    ]);
    expect(metric(last, OTLP_METRIC.stepVerdict).points.map((p) => p.value)).toEqual([0]);
    expect(metric(last, OTLP_METRIC.capacity).points).toEqual([
      expect.objectContaining({
        value: 0,
        attributes: expect.objectContaining({ 'headroom.limits.outcome': 'no-rate-meets-slo' }),
      }),
    ]);
    const requests = metric(last, OTLP_METRIC.requests).points[0]?.value ?? 0;
    expect(requests).toBeGreaterThan(0);
    expect(metric(last, OTLP_METRIC.latency).points[0]?.histogram?.count).toBe(requests);
  });
});

describe('load progress (what the push is fed)', () => {
  it("carries each second's responses by name, errors by kind and latency histogram, adding up to the result", async () => {
    const scenario = writeScenario({
      requests: [
        { name: 'list', weight: 2, path: '/list' },
        { name: 'item', path: '/item' },
      ],
    });
    const seconds: LoadProgress[] = [];
    const result = await load({
      url: target.url,
      scenario,
      connections: 4,
      threads: 2,
      duration: '2s',
      onProgress: (p) => seconds.push(p),
    });
    expect(seconds.length).toBe(2);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    for (const p of seconds) {
      expect(sum(Object.values(p.completedByName))).toBe(p.completed);
      expect(sum(Object.values(p.errorsByKind))).toBe(p.errors);
      const h = mergingHistogram();
      addEncoded(h, p.latencyHistogram);
      expect(h.totalCount).toBe(p.completed);
    }
    // The seconds cover the measured window; the result adds what was drained after it (at most what was in flight).
    for (const name of ['list', 'item']) {
      const perSecond = sum(seconds.map((p) => p.completedByName[name] ?? 0));
      const total = result.requests.byName[name]?.completed ?? 0;
      expect(perSecond).toBeGreaterThan(0);
      expect(total - perSecond).toBeGreaterThanOrEqual(0);
      expect(total - perSecond).toBeLessThanOrEqual(4);
    }
    const errors = sum(seconds.map((p) => p.errorsByKind['http-5xx'] ?? 0));
    expect(errors).toBeGreaterThan(0);
    expect((result.errorsByKind['http-5xx'] ?? 0) - errors).toBeLessThanOrEqual(4);
  });
});

describe('OTLP pieces', () => {
  it('resolves the endpoint as the OpenTelemetry specification says', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-scope=1',
    };
    expect(otlpEndpoint(undefined, {})).toBeNull();
    expect(otlpEndpoint(false, env)).toBeNull();
    expect(otlpEndpoint(undefined, env)).toEqual({
      url: 'http://otel:4318/v1/metrics',
      headers: { authorization: 'Bearer abc', 'x-scope': '1' },
    });
    expect(
      otlpEndpoint(undefined, { ...env, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://m:1/x' })?.url,
    ).toBe('http://m:1/x');
    expect(otlpEndpoint('http://flag:4318', env)?.url).toBe('http://flag:4318/v1/metrics');
    expect(otlpEndpoint('http://flag:4318/otlp/v1/metrics', env)?.url).toBe(
      'http://flag:4318/otlp/v1/metrics',
    );
    expect(() => otlpEndpoint(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('puts each HDR bucket into the exponential bucket that holds its value, counts exact', () => {
    const h = mergingHistogram();
    const us = [1, 7, 100, 1000, 1024, 65_536, 250_000, 3_000_000];
    us.forEach((v, i) => {
      h.recordValueWithCount(v, i + 1);
    });
    const e = toExponentialHistogram(h);
    expect(e.count).toBe(h.totalCount);
    expect(e.positive.bucketCounts.length).toBeLessThanOrEqual(160);
    const base = 2 ** (2 ** -e.scale);
    const js = h as unknown as hdr.JsHistogram;
    us.forEach((v, i) => {
      const seconds = js.medianEquivalentValue(v) / 1e6;
      const index = bucketIndex(seconds, e.scale);
      expect(base ** index).toBeLessThan(seconds);
      expect(base ** (index + 1)).toBeGreaterThanOrEqual(seconds * (1 - 1e-12));
      expect(e.positive.bucketCounts[index - e.positive.offset]).toBeGreaterThanOrEqual(i + 1);
    });
    // Six decades of range do not fit 160 buckets at scale 8: the scale drops until they do.
    expect(e.scale).toBeLessThan(8);
    expect(bucketIndex(1e-3, 8)).toBe(Math.ceil(Math.log2(1e-3) * 256) - 1);
    // A narrow distribution keeps the finest scale.
    const narrow = mergingHistogram();
    narrow.recordValueWithCount(1000, 5);
    narrow.recordValueWithCount(1100, 5);
    expect(toExponentialHistogram(narrow)).toMatchObject({ scale: 8, count: 10 });
  });
});

/**
 * A metric's name in Prometheus once received over OTLP (Prometheus' default translation,
 * UnderscoreEscapingWithSuffixes): `.` → `_`, the unit as a suffix (`s` → `_seconds`, `{x}/s` → `_per_second`,
 * `{x}` → none), `_total` for a monotonic sum.
 */
function prometheusName(m: ReceivedMetric): string {
  const [main = '', per] = m.unit.split('/');
  const units: Record<string, string> = { s: 'seconds' };
  const suffix = [
    units[main] ?? (main.startsWith('{') ? '' : main),
    per ? `per_${per === 's' ? 'second' : per}` : '',
  ].filter(Boolean);
  const base = [m.name.replace(/\./g, '_'), ...suffix].join('_');
  return m.kind === 'sum' && m.monotonic ? `${base}_total` : base;
}

describe('the load runs Grafana dashboard (deploy/k8s/base/grafana)', () => {
  it('queries only metrics and labels that headroom pushes, with a panel for each figure', () => {
    expect(received.size, 'the tests above ran first').toBeGreaterThanOrEqual(6);
    const file = path.join(ROOT, 'deploy/k8s/base/grafana/headroom-load-runs-dashboard.json');
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
      uid: string;
      templating: { list: { name: string; query: string }[] };
      panels: { title: string; gridPos: object; targets: { expr: string }[] }[];
    };
    const names = new Map([...received.values()].map((m) => [prometheusName(m), m]));
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.filter((v) => v.name === 'run').map((v) => v.query),
    ];
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/([a-zA-Z_:][\w:]*)\s*[{,)]/g)].map((m) => m[1] ?? '')),
    );
    const metricsUsed = [...used].filter((n) => n.startsWith('headroom_') && !labels.has(n));
    expect(metricsUsed.sort()).toEqual([...names.keys()].sort());
    // Labels in `by (…)` and in matchers are attributes headroom sets.
    const labelsUsed = exprs.flatMap((e) => [
      ...[...e.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((l) => l.trim())),
      ...[...e.matchAll(/(\w+)=~?"/g)].map((m) => m[1] ?? ''),
    ]);
    for (const label of labelsUsed) expect(labels, label).toContain(label);
    // The latency panel reads the exponential histogram as a native histogram (no _bucket series).
    expect(names.get('headroom_load_latency_seconds')?.kind).toBe('exponentialHistogram');
    expect(exprs.join('\n')).not.toContain('_bucket');
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    for (const topic of [/Request rate/, /Errors/, /Latency/, /agent/, /step rate/, /verdict/, /capacity/])
      expect(titles).toMatch(topic);
    for (const p of dashboard.panels) expect(p.targets.length).toBeGreaterThan(0);
  });
});
