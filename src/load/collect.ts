/**
 * `collectResults()`: the collector's side of `headroom load --push` — an HTTP endpoint that accepts the agents'
 * per-second pushes (`headroom.live/v1`, merged live by `LiveMerger`) and their final `headroom.load/v1` results
 * (POST, JSON) until the expected number of results arrived, the timeout passed or the context was cancelled.
 * A push or result of another run (see `assertOneRun`, `assertSameRun`) is refused with 409 and its one-line
 * reason; the same result pushed twice (a retried POST) is accepted once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from '../context/index.js';
import { isUsageError, UsageError } from '../errors.js';
import { asLivePush, LIVE_SCHEMA, LiveMerger, type LiveSecond, type LiveTotals } from './live.js';
import {
  asLoadResult,
  assertOneRun,
  assertSameRun,
  type SourcedIdentity,
  type SourcedResult,
} from './merge.js';
import type { LiveSummary } from './types.js';

/** Where and how long to collect. */
export interface CollectOptions {
  host: string;
  /** 0 picks a free port (see `onListening`). */
  port: number;
  /** Results to wait for: the run's segment count. */
  expect: number;
  timeoutMs: number;
  /** Ends the wait early (Ctrl-C); what arrived is returned. */
  ctx?: Context;
  /** Called once listening, with the URL agents push to. */
  onListening?: (url: string) => void;
  /** Called as each result is accepted. */
  onResult?: (source: string, received: number) => void;
  /** Called with each second of the run merged over the agents' pushes, once settled (see `LiveMerger`). */
  onSecond?: (second: LiveSecond, totals: LiveTotals) => void;
}

/** What arrived, and whether it was everything expected. */
export interface Collected {
  results: SourcedResult[];
  complete: boolean;
  /** The per-second pushes, merged (null when no agent pushed any). */
  live: LiveSummary | null;
}

/** How often seconds that not every agent reported are checked for settling. */
const SETTLE_CHECK_MS = 250;

/** Bodies larger than this are refused (a result with a per-second timeline for hours is a few MB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Listens for the agents' results.
 * @throws UsageError (code `unreachable`) when the address cannot be listened on.
 */
export async function collectResults(options: CollectOptions): Promise<Collected> {
  const results: SourcedResult[] = [];
  const live = new LiveMerger(options.expect, options.onSecond);
  /** The first push or result accepted: every later one must be of its run. */
  let anchor: SourcedIdentity | null = null;
  const assertOfRun = (x: SourcedIdentity) => {
    if (anchor) assertOneRun([anchor, x]);
    else anchor = x;
  };
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    };
    if (req.method !== 'POST')
      return reply(405, `POST a headroom.load/v1 result or a ${LIVE_SCHEMA} second (headroom load --push)`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reply(413, `a result is at most ${MAX_BODY_BYTES} bytes`);
      const from = req.socket.remoteAddress ?? 'an agent';
      try {
        const body = parseJson(Buffer.concat(chunks).toString('utf8'), from);
        if ((body as { schema?: unknown } | null)?.schema === LIVE_SCHEMA) {
          const push = asLivePush(body, from);
          assertOfRun({ source: sourceOf(push, from), result: push });
          live.add(push);
          return reply(202, 'second collected');
        }
        const result = asLoadResult(body, from);
        const source = sourceOf(result, from);
        if (results.some((r) => isSameResult(r.result, result))) return reply(200, 'already collected');
        assertOfRun({ source, result });
        assertSameRun([...results, { source, result }]);
        results.push({ source, result });
        reply(202, `collected ${results.length} of ${options.expect}`);
        options.onResult?.(source, results.length);
        if (results.length >= options.expect) finish();
      } catch (error) {
        if (!isUsageError(error)) throw error;
        reply(error.code === 'unreadable-file' ? 400 : 409, error.message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(`cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, {
          option: 'listen',
          code: 'unreachable',
        }),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  options.onListening?.(`http://${host}:${port}/`);
  const timer = setTimeout(finish, options.timeoutMs);
  const settling = setInterval(() => live.settleDue(), SETTLE_CHECK_MS);
  const signal = options.ctx?.signal;
  signal?.addEventListener('abort', finish, { once: true });
  if (signal?.aborted) finish();
  await done;
  clearTimeout(timer);
  clearInterval(settling);
  signal?.removeEventListener('abort', finish);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return { results, complete: results.length >= options.expect, live: live.finish() };
}

/** A push's or result's agent for messages: `segment 2/4 (10.0.0.7)`, or the address alone. */
function sourceOf(x: { segment?: { index: number; count: number } }, from: string): string {
  return x.segment ? `segment ${x.segment.index}/${x.segment.count} (${from})` : from;
}

function parseJson(text: string, from: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`the body from ${from} is not JSON`, { code: 'unreadable-file' });
  }
}

/** The same agent's result pushed again (a retried POST): same segment, start and counts. */
function isSameResult(a: SourcedResult['result'], b: SourcedResult['result']): boolean {
  return (
    a.segment?.index === b.segment?.index &&
    a.startedAt === b.startedAt &&
    a.requests.sent === b.requests.sent &&
    a.requests.completed === b.requests.completed
  );
}
