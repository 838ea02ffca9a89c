/**
 * An agent's side of `headroom collect`: `livePusher()` streams its seconds while the run goes on (fire and
 * forget), `pushResult()` POSTs its `headroom.load/v1` result as JSON at the end, retried while the collector
 * cannot be reached (it may still be starting), not when it refuses.
 */
import http from 'node:http';
import https from 'node:https';
import { UsageError } from '../errors.js';
import { toLivePush } from './live.js';
import type { LoadResult, LoadSecond } from './types.js';

/** Seconds queued while the collector is slow; beyond this the oldest are dropped. */
const LIVE_QUEUE = 30;
/** A per-second push taking longer than this is given up (the run does not wait for it). */
const LIVE_TIMEOUT_MS = 2000;

const ATTEMPTS = 5;
const RETRY_DELAY_MS = 1000;

/**
 * Checks a collector URL before any work.
 * @throws UsageError (option `push`) unless it is an http(s) URL.
 */
export function parsePushUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid URL "${url}"`, { option: 'push' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UsageError(`expected an http:// or https:// URL, got "${url}"`, { option: 'push' });
  return parsed;
}

/**
 * POSTs a result to a collector (`headroom collect`).
 * @throws UsageError (code `unwritable-file`, as an output that could not be written) when the collector refuses
 * the result (its one-line reason) or cannot be reached after a few attempts.
 * @example await pushResult('http://collector:47000/', result);
 */
export async function pushResult(url: string, result: LoadResult, timeoutMs = 10_000): Promise<void> {
  const body = JSON.stringify(result);
  let reason = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = (await response.text()).trim();
      if (response.ok) return;
      throw new UsageError(`the collector at ${url} refused the result: ${text || response.status}`, {
        code: 'unwritable-file',
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const cause = (error as Error & { cause?: { code?: string } }).cause;
      reason = cause?.code ?? (error as Error).message;
    }
    if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
  }
  throw new UsageError(`cannot push the result to ${url}: ${reason}`, { code: 'unwritable-file' });
}

/** Streams an agent's seconds to a collector (`livePusher`). */
export interface LivePusher {
  /** Queues one second; returns at once and never throws. */
  push(second: LoadSecond): void;
  /** Waits at most `waitMs` for the queued seconds to go out, then drops the rest and stops. */
  close(waitMs: number): Promise<void>;
}

/**
 * Pushes each second to the collector at `url` while the run goes on: one POST at a time from a bounded queue
 * (the oldest seconds dropped when full), never awaited by the load. A collector that cannot be reached, answers
 * slowly or refuses is reported once through `onTrouble` and does not fail the run; after a refusal (another
 * run) no more seconds are sent.
 * @example const live = livePusher(url, (m) => process.stderr.write(`${m}\n`)); load({ …, onProgress: (p) => live.push(p.second) });
 */
export function livePusher(url: string, onTrouble: (message: string) => void): LivePusher {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  // node:http rather than fetch: fetch loads undici on its first call, a pause inside the measured window.
  const agent = new client.Agent({ keepAlive: true, maxSockets: 1 });
  const queue: LoadSecond[] = [];
  let sending: Promise<void> | null = null;
  let stopped = false;
  let warned = false;
  let inFlight: http.ClientRequest | null = null;
  const trouble = (message: string) => {
    if (warned) return;
    warned = true;
    onTrouble(message);
  };
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = client.request(
        target,
        {
          method: 'POST',
          agent,
          timeout: LIVE_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
          res.on('error', reject);
        },
      );
      inFlight = req;
      req.on('timeout', () => req.destroy(new Error(`no answer in ${LIVE_TIMEOUT_MS}ms`)));
      req.on('error', reject);
      req.end(body);
    });
  const sendOne = async (second: LoadSecond) => {
    try {
      const { status, text } = await post(JSON.stringify(toLivePush(second)));
      if (status < 200 || status >= 300) {
        stopped = true;
        queue.length = 0;
        trouble(`the collector at ${url} refused a live second: ${text || status} (no more are sent)`);
      }
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      trouble(
        `cannot push live seconds to ${url} (${reason}): the run goes on, its result is pushed at the end`,
      );
    } finally {
      inFlight = null;
    }
  };
  const drain = async () => {
    for (let next = queue.shift(); next && !stopped; next = queue.shift()) await sendOne(next);
    sending = null;
  };
  return {
    push: (second) => {
      if (stopped) return;
      queue.push(second);
      if (queue.length > LIVE_QUEUE) {
        queue.shift();
        trouble(
          `the collector at ${url} is slow: live seconds are dropped (the result is pushed at the end)`,
        );
      }
      sending ??= drain();
    },
    close: async (waitMs) => {
      if (sending) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([sending, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
        clearTimeout(timer);
      }
      stopped = true;
      queue.length = 0;
      (inFlight as http.ClientRequest | null)?.destroy();
      agent.destroy();
    },
  };
}
