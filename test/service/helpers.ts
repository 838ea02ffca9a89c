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
