/**
 * The admin listener of a cluster primary (`WORKERS` > 1). Each worker runs its own admin server on a private
 * loopback port and reports its URL over IPC; the primary serves `ADMIN_PORT`: `/metrics` summed over the workers
 * (prom-client's AggregatorRegistry, asked over IPC), `/readyz` ready when every worker is, `/debug/vars` as
 * `{ workers: [...] }` (so is `/debug/loglevel`: a PUT sets every worker's level), the pprof and trace routes forwarded
 * to one worker (`?worker=<id>`, default the first; `?worker=<id>` picks one worker on every `/debug/*` route).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import { requireBearerToken } from './auth.js';

/** A worker whose admin server is listening. */
export interface WorkerAdmin {
  /** The cluster worker id (`?worker=<id>`). */
  id: number;
  pid: number;
  /** Its private admin base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
}

/** What the primary's admin server reads. */
export interface ClusterAdminOptions {
  name: string;
  version: string;
  /** The workers currently listening, in id order. */
  workers: () => WorkerAdmin[];
  /** True once the primary is stopping: `/readyz` answers 503 `draining`. */
  draining: () => boolean;
  /** `ADMIN_TOKEN`: guards `/debug/*` here; it is forwarded to the workers, which check it too. */
  adminToken: string | undefined;
}

/** One worker's answer to a forwarded request. */
interface Forwarded {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * Sends `req` (method, query, authorization, body) to `worker`'s admin server at `path`; a worker that cannot be
 * reached (exiting) answers 502.
 */
async function forward(req: FastifyRequest, worker: WorkerAdmin, path: string): Promise<Forwarded> {
  const query = new URL(req.url, 'http://admin').searchParams;
  query.delete('worker');
  const search = query.size > 0 ? `?${query}` : '';
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
  const body =
    req.method === 'GET' ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  try {
    const res = await fetch(`${worker.url}${path}${search}`, { method: req.method, headers, body });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  } catch (error) {
    const message = JSON.stringify({ error: `worker ${worker.id}: ${(error as Error).message}` });
    return {
      status: 502,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: Buffer.from(message),
    };
  }
}

/** Sends `req` to every worker: `{ workers: [{ worker, ...its JSON answer }] }` and the worst status. */
async function fanOut(req: FastifyRequest, workers: WorkerAdmin[], path: string) {
  const answers = await Promise.all(workers.map((w) => forward(req, w, path)));
  return {
    status: Math.max(200, ...answers.map((a) => a.status)),
    workers: workers.map((w, i) => ({ worker: w.id, ...parse(answers[i]?.body) })),
  };
}

/** A worker's JSON answer as an object (its text under `body` when it is not JSON). */
const parse = (body: Buffer | undefined): object => {
  try {
    return JSON.parse(String(body)) as object;
  } catch {
    return { body: String(body) };
  }
};

/** Relays one worker's answer as is. */
function relay(reply: FastifyReply, answer: Forwarded) {
  for (const name of ['content-type', 'content-disposition', 'www-authenticate']) {
    const value = answer.headers.get(name);
    if (value !== null) reply.header(name, value);
  }
  return reply.code(answer.status).send(answer.body);
}

/** Builds the primary's admin fastify instance (not listening yet). */
export function createClusterAdmin(options: ClusterAdminOptions): FastifyInstance {
  const admin = Fastify();
  const aggregator = new AggregatorRegistry();
  const started = Date.now();

  /** The worker `?worker=<id>` names (default the first), or undefined after answering 400. */
  const chosen = (req: FastifyRequest<{ Querystring: { worker?: string } }>, reply: FastifyReply) => {
    const workers = options.workers();
    const raw = req.query.worker;
    const worker = raw === undefined ? workers[0] : workers.find((w) => String(w.id) === raw);
    if (worker === undefined) {
      const ids = workers.map((w) => w.id).join(', ');
      void reply
        .code(400)
        .send({ error: `no worker ${JSON.stringify(raw ?? '')}: use ?worker=<id> (workers: ${ids})` });
    }
    return worker;
  };

  admin.get('/livez', async () => ({ status: 'ok' }));
  admin.get('/healthz', async () => ({
    name: options.name,
    version: options.version,
    status: options.draining() ? 'draining' : 'ok',
    uptimeS: Math.round((Date.now() - started) / 100) / 10,
    pid: process.pid,
    workers: options.workers().map(({ id, pid }) => ({ id, pid })),
  }));
  admin.get('/readyz', async (req, reply) => {
    if (options.draining()) return reply.code(503).send({ status: 'draining', workers: [] });
    const workers = options.workers();
    const { status, workers: answers } = await fanOut(req, workers, '/readyz');
    // Shutdown may have begun while the workers' checks ran.
    if (options.draining()) return reply.code(503).send({ status: 'draining', workers: answers });
    const ready = workers.length > 0 && status === 200;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', workers: answers });
  });
  admin.get('/metrics', async (_req, reply) => {
    const text = await aggregator.clusterMetrics();
    return reply.type(aggregator.contentType).send(text);
  });

  admin.register(async (debug) => {
    if (options.adminToken) requireBearerToken(debug, options.adminToken);
    // /debug/vars and /debug/loglevel: every worker, or the one `?worker=<id>` names; pprof, trace: one worker.
    const routes = [
      { method: ['GET'], url: '/debug/vars', all: true },
      { method: ['GET', 'PUT'], url: '/debug/loglevel', all: true },
      { method: ['GET'], url: '/debug/pprof/profile', all: false },
      { method: ['GET'], url: '/debug/pprof/heap', all: false },
      { method: ['GET'], url: '/debug/trace', all: false },
    ];
    for (const { method, url, all } of routes) {
      debug.route<{ Querystring: { worker?: string } }>({
        method,
        url,
        handler: async (req, reply) => {
          if (all && req.query.worker === undefined) {
            const { status, workers } = await fanOut(req, options.workers(), url);
            return reply.code(status).send({ workers });
          }
          const worker = chosen(req, reply);
          return worker && relay(reply, await forward(req, worker, url));
        },
      });
    }
  });
  return admin;
}
