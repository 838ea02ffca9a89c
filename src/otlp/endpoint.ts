/**
 * Where OTLP metrics go, as the OpenTelemetry exporter specification says: the flag's URL (a bare origin gets
 * `/v1/metrics`), else `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` with
 * `/v1/metrics` appended; headers from `OTEL_EXPORTER_OTLP_METRICS_HEADERS` or `OTEL_EXPORTER_OTLP_HEADERS`.
 * No OpenTelemetry package is loaded here: this runs before every run, pushing or not.
 */
import { UsageError } from '../errors.js';

/** Where to push and with which headers (header values may be secrets: never print them). */
export interface OtlpEndpoint {
  url: string;
  headers: Record<string, string>;
}

const METRICS_PATH = 'v1/metrics';

/**
 * The metrics endpoint for `flag` (a URL, `false` for `--no-otlp`, undefined when not given) and `env`, or null
 * when nothing asks for a push.
 * @throws UsageError (option `otlp`) for a URL that is not http(s), naming the variable it came from.
 * @example otlpEndpoint('http://127.0.0.1:4318', {}) // { url: 'http://127.0.0.1:4318/v1/metrics', headers: {} }
 */
export function otlpEndpoint(flag: string | false | undefined, env: NodeJS.ProcessEnv): OtlpEndpoint | null {
  if (flag === false) return null;
  let url: string;
  if (flag !== undefined) {
    const parsed = parseUrl(flag, '');
    url = parsed.pathname === '/' ? appendPath(flag) : flag;
  } else if (env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    url = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
    parseUrl(url, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    parseUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    url = appendPath(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  } else return null;
  const headers = parseHeaders(
    env.OTEL_EXPORTER_OTLP_METRICS_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS ?? '',
  );
  return { url, headers };
}

/** `base` + `/v1/metrics` (one slash between). */
function appendPath(base: string): string {
  return base.endsWith('/') ? `${base}${METRICS_PATH}` : `${base}/${METRICS_PATH}`;
}

function parseUrl(value: string, variable: string): URL {
  const from = variable ? ` (from ${variable})` : '';
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UsageError(`invalid URL "${value}"${from}`, { option: 'otlp' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`expected an http:// or https:// URL (OTLP/HTTP), got "${value}"${from}`, {
      option: 'otlp',
    });
  return parsed;
}

/** `k1=v1,k2=v2` (values URL-encoded, as the specification says); entries without `=` are skipped. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of text.split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    try {
      headers[name] = decodeURIComponent(value);
    } catch {
      headers[name] = value;
    }
  }
  return headers;
}
