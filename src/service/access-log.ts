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

/**
 * `ms` rounded to µs, as JSON would write `Math.round(ms * 1000) / 1000` (`12`, `0.5`, `1.25`), from integers:
 * V8 turns a small integer into text much faster than a fraction.
 */
export function milliseconds(ms: number): string {
  const us = Math.round(ms * 1000);
  if (!(us >= 0 && us < 2 ** 31)) return String(us / 1000); // negative, huge or NaN: the general path
  const whole = (us / 1000) | 0;
  let frac = us - whole * 1000;
  if (frac === 0) return `${whole}`;
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  return `${whole}.${String(frac).padStart(digits, '0')}`;
}

/** Writes access lines `{…bindings, method, route, status, ms, msg: "request"}` at info. */
export class AccessLog {
  /** `,"method":…,"route":…` by route, then method (both bounded: route templates and HTTP methods). */
  readonly #fixed = new Map<string, Map<string, string>>();
  /** The millisecond {@link AccessLog.#head} was serialised for, and its text. */
  #headTime = 0;
  #headText = '';

  /** Writes the access line of one request through `log` (a request logger or the root), if info is enabled. */
  write(log: Logger, method: string, route: string, status: number, ms: number): void {
    if (log.levelVal > INFO) return;
    const internals = log as unknown as Internals;
    const line = `${this.#head()}${internals[chindingsSym] as string}${this.#fields(method, route)},"status":${status},"ms":${milliseconds(ms)},"msg":"request"}\n`;
    (internals[streamSym] as Destination).write(line);
  }

  /** `{"level":30,"time":<now>`, serialised once per millisecond. */
  #head(): string {
    const now = Date.now();
    if (now !== this.#headTime) {
      this.#headTime = now;
      this.#headText = `{"level":${INFO},"time":${now}`;
    }
    return this.#headText;
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
