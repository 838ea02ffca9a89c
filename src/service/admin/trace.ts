/**
 * `/debug/trace?seconds=N`: a Chrome trace (JSON trace events) of the process for N seconds — what Perfetto and
 * chrome://tracing open; the analogue of Go's `/debug/pprof/trace` + `go tool trace`. Recorded in-process through
 * the inspector's `NodeTracing` domain (the events arrive as `NodeTracing.dataCollected`), so nothing is written to
 * disk: `node:trace_events` would write `node_trace.N.log` into the working directory, its path settable only by
 * a command-line flag.
 */
import { Session } from 'node:inspector';
import type { FastifyInstance } from 'fastify';

/** Categories recorded: the event loop and its phases, async resources, GC and V8, with JS CPU samples. */
const CATEGORIES = [
  'node',
  'node.async_hooks',
  'node.environment',
  'node.perf',
  'node.perf.usertiming',
  'node.perf.timerify',
  'node.promises.rejections',
  'node.fs.async',
  'node.dns.native',
  'node.net.native',
  'node.http',
  'v8',
  'disabled-by-default-v8.cpu_profiler',
];
const DEFAULT_SECONDS = 5;
/**
 * Node 24's inspector aborted the whole process once while sending `NodeTracing.dataCollected` (`Assertion failed:
 * status.ok()` in `serializeToJSON`, inspector_agent.cc:386; CI, not reproduced in ~40 tries). A debug endpoint
 * must not be able to kill the service, so the trace is recorded only on the Node lines it was checked on.
 */
const TRACE_SAFE = Number(process.versions.node.split('.')[0]) < 24;
const MAX_SECONDS = 60;

let busy = false;

/** Records the trace events of the next `seconds` seconds. */
async function record(seconds: number): Promise<unknown[]> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<void>((resolve, reject) =>
      session.post(method, params, (error) => (error ? reject(error) : resolve())),
    );
  const events: unknown[] = [];
  session.on('NodeTracing.dataCollected', (message) => {
    for (const event of message.params.value) events.push(event);
  });
  try {
    await post('NodeTracing.start', { traceConfig: { includedCategories: CATEGORIES } });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const complete = new Promise((resolve) => session.once('NodeTracing.tracingComplete', resolve));
    await post('NodeTracing.stop');
    await complete;
    return events;
  } finally {
    session.disconnect();
  }
}

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
    if (!TRACE_SAFE)
      return reply.code(501).send({
        error: `not on Node ${process.versions.node}: its inspector can abort the process while sending a trace`,
      });
    if (busy) return reply.code(409).send({ error: 'a trace is already being recorded' });
    busy = true;
    try {
      const traceEvents = await record(seconds);
      return reply
        .type('application/json')
        .header('content-disposition', 'attachment; filename="trace.json"')
        .send(JSON.stringify({ traceEvents, displayTimeUnit: 'ms' }));
    } catch (error) {
      // Another tracing agent owns the process (e.g. started with --trace-events-enabled).
      return reply.code(409).send({ error: `cannot record a trace: ${(error as Error).message}` });
    } finally {
      busy = false;
    }
  });
}
