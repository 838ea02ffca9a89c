/**
 * Sends `ResourceMetrics` to an OTLP/HTTP endpoint as protobuf (`application/x-protobuf`, what collectors take by
 * default), serialised by `@opentelemetry/otlp-transformer`. The data is cumulative, so a push that fails loses
 * nothing the next one does not carry: there are no retries, a push asked for while one is in flight replaces
 * any waiting one, and the first failure is reported once through `onWarning` (the run goes on).
 */
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { OtlpEndpoint } from './endpoint.js';

/** Pushes metrics to one endpoint. */
export class OtlpPusher {
  private inFlight: Promise<void> | null = null;
  private waiting: ResourceMetrics | null = null;
  private warned = false;

  /**
   * @param endpoint where to push (the URL is printed in the warning without its user info or query).
   * @param onWarning called once, with one line, when a push fails.
   * @param timeoutMs how long one push may take.
   */
  constructor(
    private readonly endpoint: OtlpEndpoint,
    private readonly onWarning: (line: string) => void,
    private readonly timeoutMs = 5000,
  ) {}

  /** Pushes `metrics` soon (now, or once the push in flight ends), without waiting. */
  push(metrics: ResourceMetrics): void {
    if (this.inFlight) {
      this.waiting = metrics;
      return;
    }
    this.inFlight = this.send(metrics).finally(() => {
      this.inFlight = null;
      const next = this.waiting;
      this.waiting = null;
      if (next) this.push(next);
    });
  }

  /** Pushes `metrics` after any push in flight, and waits for it (bounded by the timeout); never throws. */
  async flush(metrics: ResourceMetrics): Promise<void> {
    this.waiting = null;
    await this.inFlight;
    await this.send(metrics);
  }

  private async send(metrics: ResourceMetrics): Promise<void> {
    try {
      const body = ProtobufMetricsSerializer.serializeRequest(metrics);
      if (!body) throw new Error('the metrics could not be serialised');
      const response = await fetch(this.endpoint.url, {
        method: 'POST',
        headers: { ...this.endpoint.headers, 'content-type': 'application/x-protobuf' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      this.warn(error);
    }
  }

  private warn(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    this.onWarning(
      `otlp: cannot push metrics to ${printable(this.endpoint.url)}: ${reason} (the run goes on; further failures are not shown)`,
    );
  }
}

function printable(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
