/**
 * `/debug/pprof/profile?seconds=N` (CPU) and `/debug/pprof/heap` (sampled allocations), gzip'd pprof protobuf
 * from @datadog/pprof — readable by `go tool pprof`, `pprof -http` and speedscope. Go's net/http/pprof, for Node.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { importOptional, MissingDependencyError } from '../../optional-dependency.js';

type Pprof = typeof import('@datadog/pprof');

const HEAP_INTERVAL_BYTES = 512 * 1024;
const HEAP_STACK_DEPTH = 64;
let heapStarted = false;

/** @datadog/pprof, an optional peer dependency: null when it is not installed (the routes then answer 501). */
async function loadPprof(): Promise<Pprof | null> {
  try {
    return await importOptional<Pprof>('@datadog/pprof');
  } catch (error) {
    if (error instanceof MissingDependencyError) return null;
    throw error;
  }
}

/**
 * Starts the sampling heap profiler once per process (cheap: one sample per 512 KiB allocated), when
 * @datadog/pprof is installed. The package is loaded here, when a service starts, not when headroom-kit/service is
 * imported: a heap profile can only show allocations sampled since the sampler started.
 */
export async function startHeapProfiler(): Promise<void> {
  if (heapStarted) return;
  const pprof = await loadPprof();
  if (!pprof || heapStarted) return;
  pprof.heap.start(HEAP_INTERVAL_BYTES, HEAP_STACK_DEPTH);
  heapStarted = true;
}

/** Answers 501 naming the package to install. */
function notInstalled(reply: FastifyReply) {
  return reply.code(501).send({ error: new MissingDependencyError('@datadog/pprof').message });
}

let cpuBusy = false;

/** Sends a gzip'd pprof profile as a download named `<name>.pb.gz`. */
function sendProfile(reply: FastifyReply, name: string, body: Buffer) {
  return reply
    .type('application/octet-stream')
    .header('content-disposition', `attachment; filename="${name}.pb.gz"`)
    .send(body);
}

/** Registers the pprof routes on `scope` (the admin server's debug plugin). */
export function registerPprofRoutes(scope: FastifyInstance): void {
  scope.get<{ Querystring: { seconds?: string } }>('/debug/pprof/profile', async (req, reply) => {
    const raw = req.query.seconds ?? '30';
    const seconds = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || seconds <= 0 || seconds > 300) {
      return reply.code(400).send({ error: `invalid seconds "${raw}": expected a number in (0, 300]` });
    }
    const pprof = await loadPprof();
    if (!pprof) return notInstalled(reply);
    if (cpuBusy) return reply.code(409).send({ error: 'a CPU profile is already being taken' });
    cpuBusy = true;
    try {
      const profile = await pprof.time.profile({ durationMillis: seconds * 1000 });
      return sendProfile(reply, 'cpu', await pprof.encode(profile));
    } finally {
      cpuBusy = false;
    }
  });

  scope.get('/debug/pprof/heap', async (_req, reply) => {
    const pprof = await loadPprof();
    if (!pprof) return notInstalled(reply);
    if (!heapStarted) return reply.code(503).send({ error: 'heap profiler not running' });
    return sendProfile(reply, 'heap', await pprof.encode(pprof.heap.profile()));
  });
}
