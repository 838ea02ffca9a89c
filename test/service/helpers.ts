/** Test helpers: a real service on ephemeral ports with its log lines captured. */
import type { FastifyPluginAsync } from 'fastify';
import { createService, type Service, type ServiceDefinition } from '../../src/service/index.js';

/** A parsed pino line. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

/** A started service, its URLs, and the JSON log lines it wrote so far. */
export interface TestService {
  service: Service;
  url: string;
  adminUrl: string;
  logs: LogLine[];
}

/** Starts a service on PORT=0 / ADMIN_PORT=0 with `env` on top, capturing logs. Close it with `service.close()`. */
export async function startService(
  routes: FastifyPluginAsync,
  env: Record<string, string> = {},
  extra: Partial<ServiceDefinition> = {},
): Promise<TestService> {
  const logs: LogLine[] = [];
  const service = createService({
    name: 'test-service',
    version: '1.2.3',
    routes,
    env: { PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', ...env },
    logDestination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    ...extra,
  });
  const { url, adminUrl } = await service.listen();
  return { service, url, adminUrl, logs };
}

/** The value of one Prometheus sample line (`name{labels} value`), or undefined when absent. */
export function sample(metricsText: string, prefix: string): number | undefined {
  const line = metricsText.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls `probe` every 20 ms until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `fetch` that reads the body, so the connection is free again: `{ status, headers, body }` (JSON when it parses). */
export async function get(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body };
}
