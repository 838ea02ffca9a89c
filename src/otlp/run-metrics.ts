/**
 * The metrics of one `headroom load` or `headroom limits` run as OpenTelemetry data, cumulative from the run's
 * start: fed each second's progress (and each load's final result, which adds the responses drained after the
 * measured window), read as a `ResourceMetrics` for the OTLP exporter. Names and attributes: docs/load.md.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import {
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { addEncoded, type Histogram, mergingHistogram } from '../load/histogram.js';
import type { LoadProgress, LoadResult, Segment } from '../load/types.js';
import { toExponentialHistogram } from './exponential-histogram.js';
import { OTLP_ATTRIBUTE, OTLP_GAUGES, OTLP_METRIC, type OtlpGauge } from './names.js';

/** Which run the metrics belong to. */
export interface RunIdentity {
  /** Shared by every agent of a distributed run when they are given the same one. */
  runId: string;
  /** `--segment K/N`, or null. */
  segment: Segment | null;
  /** `load` or `limits`. */
  command: string;
  /** The target URL as given (its user info is left out). */
  target: string;
}

interface LastValue {
  value: number;
  attributes: Attributes;
}

/** Cumulative metrics of one run. */
export class RunMetrics {
  private readonly start = hrTime(Date.now());
  private readonly base: Attributes;
  private readonly resource: Resource;
  /** Totals of the loads that finished, and the per-second sums of the one running. */
  private readonly done = { requests: new Map<string, number>(), errors: new Map<string, number>() };
  private readonly running = { requests: new Map<string, number>(), errors: new Map<string, number>() };
  private readonly doneLatency = mergingHistogram();
  private readonly runningLatency = mergingHistogram();
  private readonly gauges = new Map<OtlpGauge, LastValue>();

  constructor(identity: RunIdentity) {
    this.base = { [OTLP_ATTRIBUTE.runId]: identity.runId };
    if (identity.segment)
      this.base[OTLP_ATTRIBUTE.segment] = `${identity.segment.index}/${identity.segment.count}`;
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override these.
    this.resource = resourceFromAttributes({
      'service.name': 'headroom',
      'headroom.command': identity.command,
      'headroom.target': withoutUserInfo(identity.target),
    }).merge(detectResources({ detectors: [envDetector] }));
  }

  /** Adds one second of a load. */
  progress(p: LoadProgress): void {
    for (const [name, n] of Object.entries(p.completedByName)) add(this.running.requests, name, n);
    for (const [kind, n] of Object.entries(p.errorsByKind)) add(this.running.errors, kind, n);
    addEncoded(this.runningLatency, p.latencyHistogram);
  }

  /** A load ended: its result's totals replace its per-second sums (they add what was drained after the window). */
  loadDone(result: LoadResult): void {
    for (const [name, counts] of Object.entries(result.requests.byName))
      add(this.done.requests, name, counts.completed);
    for (const [kind, n] of Object.entries(result.errorsByKind)) add(this.done.errors, kind, n);
    addEncoded(this.doneLatency, result.histograms.latency);
    this.running.requests.clear();
    this.running.errors.clear();
    this.runningLatency.reset();
  }

  /** Sets a gauge to `value` from now on (each push reports it, stamped with the push's time). */
  gauge(name: OtlpGauge, value: number, attributes: Attributes = {}): void {
    this.gauges.set(name, { value, attributes: { ...this.base, ...attributes } });
  }

  /** The metrics so far, stamped now. */
  collect(): ResourceMetrics {
    const now = hrTime(Date.now());
    const latency: Histogram = mergingHistogram();
    latency.add(this.doneLatency);
    latency.add(this.runningLatency);
    const metrics: MetricData[] = [
      this.counter(OTLP_METRIC.requests, '{request}', 'Responses received (any status).', now, 'requests'),
      this.counter(OTLP_METRIC.errors, '{error}', 'Failed requests, by error kind.', now, 'errors'),
      {
        descriptor: {
          name: OTLP_METRIC.latency,
          description: 'Latency of every response (open model: from the intended send time).',
          unit: 's',
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: [
          {
            startTime: this.start,
            endTime: now,
            attributes: this.base,
            value: toExponentialHistogram(latency),
          },
        ],
      },
    ];
    for (const [name, g] of this.gauges)
      metrics.push({
        descriptor: { name, ...OTLP_GAUGES[name], valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [{ startTime: this.start, endTime: now, attributes: g.attributes, value: g.value }],
      });
    return {
      resource: this.resource,
      scopeMetrics: [{ scope: { name: 'headroom-kit' }, metrics }],
    };
  }

  private counter(
    name: string,
    unit: string,
    description: string,
    now: HrTime,
    which: 'requests' | 'errors',
  ): MetricData {
    const totals = new Map(this.done[which]);
    for (const [key, n] of this.running[which]) add(totals, key, n);
    const key = which === 'requests' ? OTLP_ATTRIBUTE.requestName : OTLP_ATTRIBUTE.errorType;
    return {
      descriptor: { name, description, unit, valueType: ValueType.INT },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: [...totals].map(([k, value]) => ({
        startTime: this.start,
        endTime: now,
        attributes: { ...this.base, [key]: k },
        value,
      })),
    };
  }
}

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** Epoch ms as an OpenTelemetry HrTime ([seconds, nanoseconds]). */
function hrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}

function withoutUserInfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return url;
  }
}
