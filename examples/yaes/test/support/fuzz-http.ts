/**
 * Sends fuzz cases: structured ones through node:http, raw ones as bytes on a fresh TCP
 * socket, reading every status line that comes back. Bounded concurrency keeps the run fast and the server
 * un-shed.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { FuzzRequest } from './fuzz-cases.js';

/** The outcome of one case: the statuses answered (raw pipelined requests may get several), or a transport error. */
export interface FuzzOutcome {
  statuses: number[];
  /** ECONNRESET, a raw socket that stayed silent past the timeout… (not a 5xx, but reported). */
  error?: string;
}

/**
 * Sends `req` to `base` on a connection of its own (a keep-alive socket the server closed after an earlier case
 * would blame the next one for the reset); resolves with its status, or the transport error.
 */
export function sendRequest(base: URL, req: FuzzRequest): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) };
    const outgoing = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ statuses: [res.statusCode ?? 0] }));
        res.on('error', (error) => resolve({ statuses: [res.statusCode ?? 0], error: error.message }));
      },
    );
    outgoing.on('error', (error) =>
      resolve({ statuses: [], error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    outgoing.end(req.body);
  });
}

/**
 * Writes `bytes` on a new connection, half-closes it and collects every `HTTP/1.x NNN` status line until the
 * server closes or `timeoutMs` passes.
 */
export function sendRaw(base: URL, bytes: Buffer, timeoutMs: number): Promise<FuzzOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: base.hostname, port: Number(base.port) });
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `no close after ${timeoutMs} ms`;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
      resolve(error === undefined ? { statuses } : { statuses, error });
    });
    socket.end(bytes);
  });
}

/** Runs `tasks` with at most `concurrency` in flight; results in task order. */
export async function runBounded<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}
