/**
 * Per-request logging at the cost of a string concatenation: the request's logger and its access line. Both are
 * what pino would produce (same fields, same order), without pino's per-request work — `child()` re-serialises
 * the bindings and rebuilds the formatters for every request, and a line with an object walks it through the
 * serialisers and redaction. The access line's fields are fixed (method, route, status, ms: no secret can be
 * among them), so it is written as one pre-assembled JSON string to the logger's destination.
 */
import { type Logger, pino } from 'pino';

const { chindingsSym, streamSym } = pino.symbols;

/** pino's numeric level of `info`, the access line's level. */
const INFO = 30;

/** A logger's internals, keyed by the symbols pino exports (`pino.symbols`). */
type Internals = Record<symbol, unknown>;

/** What pino writes lines to. */
interface Destination {
  write(line: string): unknown;
}

/**
 * A logger whose lines carry `reqId` (and `traceId` when the request is traced): like `root.child({ reqId,
 * traceId })`, it inherits everything from `root` (level, destination, redaction; a level change on `root` shows),
 * with the ids appended to its bindings. `reqId` must be JSON-safe as is (request ids are, see request-id.ts) and
 * `traceId` is hex.
 */
export function requestLogger(root: Logger, reqId: string, traceId: string | undefined): Logger {
  const log = Object.create(root) as Logger;
  const ids = traceId === undefined ? `,"reqId":"${reqId}"` : `,"reqId":"${reqId}","traceId":"${traceId}"`;
  (log as unknown as Internals)[chindingsSym] =
    ((root as unknown as Internals)[chindingsSym] as string) + ids;
  return log;
}

/** Writes access lines `{…bindings, method, route, status, ms, msg: "request"}` at info. */
export class AccessLog {
  /** `,"method":…,"route":…` by route, then method (both bounded: route templates and HTTP methods). */
  readonly #fixed = new Map<string, Map<string, string>>();

  /** Writes the access line of one request through `log` (a request logger or the root), if info is enabled. */
  write(log: Logger, method: string, route: string, status: number, ms: number): void {
    if (log.levelVal > INFO) return;
    const internals = log as unknown as Internals;
    const line = `{"level":${INFO},"time":${Date.now()}${internals[chindingsSym] as string}${this.#fields(method, route)},"status":${status},"ms":${Math.round(ms * 1000) / 1000},"msg":"request"}\n`;
    (internals[streamSym] as Destination).write(line);
  }

  /** The method and route fields, serialised once per pair. */
  #fields(method: string, route: string): string {
    let byMethod = this.#fixed.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#fixed.set(route, byMethod);
    }
    let fields = byMethod.get(method);
    if (fields === undefined) {
      fields = `,"method":${JSON.stringify(method)},"route":${JSON.stringify(route)}`;
      byMethod.set(method, fields);
    }
    return fields;
  }
}
