/**
 * `/debug/trace?seconds=N`: a Chrome trace (JSON trace events) of the process for N seconds — what Perfetto and
 * chrome://tracing open; the analogue of Go's `/debug/pprof/trace` + `go tool trace`. Recorded by
 * ./trace-recorder.ts (node:trace_events and Node's trace file writer, not the inspector: see there why).
 */
import type { FastifyInstance } from 'fastify';
import { recordTrace, TraceError } from './trace-recorder.js';

const DEFAULT_SECONDS = 5;
const MAX_SECONDS = 60;

let busy = false;

/** Registers `/debug/trace` on `scope` (the admin server's debug plugin). */
export function registerTraceRoute(scope: FastifyInstance): void {
  scope.get<{ Querystring: { seconds?: string } }>('/debug/trace', async (req, reply) => {
    const raw = req.query.seconds ?? String(DEFAULT_SECONDS);
    const seconds = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || seconds <= 0 || seconds > MAX_SECONDS) {
      return reply
        .code(400)
        .send({ error: `invalid seconds "${raw}": expected a number in (0, ${MAX_SECONDS}]` });
    }
    if (busy) return reply.code(409).send({ error: 'a trace is already being recorded' });
    busy = true;
    try {
      const trace = await recordTrace(seconds);
      return reply
        .type('application/json')
        .header('content-disposition', 'attachment; filename="trace.json"')
        .send(
          `{"traceEvents":[${trace.eventsJson}],"displayTimeUnit":"ms",` +
            `"otherData":{"droppedMalformedEvents":${trace.dropped}}}`,
        );
    } catch (error) {
      if (!(error instanceof TraceError)) throw error;
      return reply.code(error.status).send({ error: `cannot record a trace: ${error.message}` });
    } finally {
      busy = false;
    }
  });
}
