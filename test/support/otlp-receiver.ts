/**
 * A local OTLP/HTTP metrics receiver for tests: a real node:http server that takes `POST /v1/metrics` protobuf
 * bodies and decodes them with the OTLP metrics definitions (the subset headroom sends, field numbers as in
 * opentelemetry-proto's metrics/v1, common/v1 and resource/v1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; }
}
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; ExponentialHistogram exponential_histogram = 10; }
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
}
message ExponentialHistogramDataPoint {
  repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
  Buckets positive = 8; Buckets negative = 9;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
  optional double min = 12; optional double max = 13;
}
`;

const Request = protobuf.parse(OTLP_PROTO).root.lookupType('otlp.ExportMetricsServiceRequest');

/** A data point, decoded: attributes as a flat record, the value a number or an exponential histogram. */
export interface Point {
  attributes: Record<string, string | number | boolean>;
  timeMs: number;
  value?: number;
  histogram?: {
    count: number;
    sum: number;
    scale: number;
    zeroCount: number;
    offset: number;
    bucketCounts: number[];
    min: number;
    max: number;
  };
}

/** One metric of one export request. */
export interface ReceivedMetric {
  name: string;
  unit: string;
  kind: 'gauge' | 'sum' | 'exponentialHistogram';
  monotonic: boolean;
  temporality: number;
  points: Point[];
}

/** One export request, decoded. */
export interface Export {
  path: string;
  contentType: string;
  resource: Record<string, string | number | boolean>;
  metrics: ReceivedMetric[];
  receivedAt: number;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  exports: Export[];
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function attributes(list: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of (list as Json[] | undefined) ?? []) {
    const v = kv.value as Json;
    out[kv.key as string] = (v.stringValue ?? v.boolValue ?? Number(v.intValue ?? v.doubleValue)) as
      | string
      | number
      | boolean;
  }
  return out;
}

function decode(body: Buffer, path: string, contentType: string): Export {
  const message = Request.toObject(Request.decode(body), {
    longs: Number,
    defaults: true,
    oneofs: true,
  }) as Json;
  const rm = (message.resourceMetrics as Json[])[0] as Json;
  const metrics: ReceivedMetric[] = [];
  for (const scope of rm.scopeMetrics as Json[])
    for (const m of scope.metrics as Json[]) {
      const kind = m.data as ReceivedMetric['kind'];
      const data = m[kind] as Json;
      const points = (data.dataPoints as Json[]).map((p): Point => {
        const point: Point = {
          attributes: attributes(p.attributes),
          timeMs: Number(p.timeUnixNano) / 1e6,
        };
        if (kind === 'exponentialHistogram') {
          const positive = p.positive as Json;
          point.histogram = {
            count: Number(p.count),
            sum: Number(p.sum),
            scale: Number(p.scale),
            zeroCount: Number(p.zeroCount),
            offset: Number(positive.offset),
            bucketCounts: (positive.bucketCounts as unknown[]).map(Number),
            min: Number(p.min),
            max: Number(p.max),
          };
        } else point.value = Number(p.asInt ?? p.asDouble);
        return point;
      });
      metrics.push({
        name: m.name as string,
        unit: m.unit as string,
        kind,
        monotonic: Boolean(data.isMonotonic),
        temporality: Number(data.aggregationTemporality ?? 0),
        points,
      });
    }
  return {
    path,
    contentType,
    resource: attributes((rm.resource as Json).attributes),
    metrics,
    receivedAt: Date.now(),
  };
}

/** Starts a receiver on 127.0.0.1 (ephemeral port) that answers every POST with 200 and keeps what it decoded. */
export async function otlpReceiver(): Promise<OtlpReceiver> {
  const exports: Export[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      exports.push(decode(Buffer.concat(chunks), req.url ?? '', req.headers['content-type'] ?? ''));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The named metric of an export (throws when it is missing). */
export function metric(e: Export, name: string): ReceivedMetric {
  const m = e.metrics.find((x) => x.name === name);
  if (!m) throw new Error(`no ${name} in ${e.metrics.map((x) => x.name).join(', ')}`);
  return m;
}
