/**
 * `--otlp URL` / `--no-otlp` on `load` and `limits`: validates the endpoint before the run (exit 2 on a bad URL)
 * and, when a push is asked for (the flag, or `OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT`), loads the OTLP pieces
 * and returns the run's push; null otherwise (nothing loaded, nothing added to the run).
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { LoadProgress } from '../load/types.js';
import { otlpEndpoint } from '../otlp/endpoint.js';
import type { OtlpPusher, RunIdentity, RunMetrics } from '../otlp/index.js';

/** The flags `addOtlpOption` adds (`false` for `--no-otlp`). */
export interface OtlpFlags {
  otlp?: string | false;
}

/** Adds `--otlp <url>` and `--no-otlp`. */
export function addOtlpOption(command: Command): void {
  command
    .option(
      '--otlp <url>',
      'push metrics over OTLP/HTTP while running, e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT)',
    )
    .option('--no-otlp', 'no OTLP push, even with OTEL_EXPORTER_OTLP_ENDPOINT set');
}

/** A run's OTLP push: its metrics (for gauges), each second, and the final flush. */
export interface OtlpRun {
  metrics: RunMetrics;
  /** Records one second of load and pushes (without waiting). */
  progress(progress: LoadProgress): void;
  /** Pushes the final figures and waits for it (bounded); never throws. */
  flush(): Promise<void>;
}

/**
 * Starts the push for a run, or returns null when none is asked for. Prints one line naming the endpoint and
 * the run id (`HEADROOM_RUN_ID`, or a new UUID) on stderr; a failing push prints one warning there.
 * @throws UsageError (option `otlp`) for a URL that is not http(s).
 */
export async function startOtlp(
  flags: OtlpFlags,
  identity: Omit<RunIdentity, 'runId'>,
): Promise<OtlpRun | null> {
  const endpoint = otlpEndpoint(flags.otlp, process.env);
  if (!endpoint) return null;
  const otlp = await import('../otlp/index.js');
  const runId = process.env.HEADROOM_RUN_ID || randomUUID();
  const metrics = new otlp.RunMetrics({ ...identity, runId });
  const pusher: OtlpPusher = new otlp.OtlpPusher(endpoint, (line) =>
    process.stderr.write(`headroom: ${line}\n`),
  );
  const url = new URL(endpoint.url);
  process.stderr.write(
    `headroom: pushing metrics to ${url.origin}${url.pathname} (headroom.run.id ${runId})\n`,
  );
  return {
    metrics,
    progress(progress) {
      metrics.progress(progress);
      pusher.push(metrics.collect());
    },
    flush: () => pusher.flush(metrics.collect()),
  };
}
