/**
 * `/debug/pprof/profile?seconds=N` (CPU) and `/debug/pprof/heap` (sampled allocations), gzip'd pprof protobuf
 * from @datadog/pprof — readable by `go tool pprof`, `pprof -http` and speedscope. Go's net/http/pprof, for Node.
 */
import { encode, heap, time } from '@datadog/pprof';
import type { FastifyInstance, FastifyReply } from 'fastify';

const HEAP_INTERVAL_BYTES = 512 * 1024;
const HEAP_STACK_DEPTH = 64;
let heapStarted = false;

/** Starts the sampling heap profiler once per process (cheap: one sample per 512 KiB allocated). */
export function startHeapProfiler(): void {
  if (heapStarted) return;
  heap.start(HEAP_INTERVAL_BYTES, HEAP_STACK_DEPTH);
  heapStarted = true;
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
    if (cpuBusy) return reply.code(409).send({ error: 'a CPU profile is already being taken' });
    cpuBusy = true;
    try {
      const profile = await time.profile({ durationMillis: seconds * 1000 });
      return sendProfile(reply, 'cpu', await encode(profile));
    } finally {
      cpuBusy = false;
    }
  });

  scope.get('/debug/pprof/heap', async (_req, reply) => {
    if (!heapStarted) return reply.code(503).send({ error: 'heap profiler not running' });
    return sendProfile(reply, 'heap', await encode(heap.profile()));
  });
}
