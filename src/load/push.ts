/**
 * `pushResult()`: an agent's side of `headroom collect` — its `headroom.load/v1` result POSTed as JSON to the
 * collector, retried while the collector cannot be reached (it may still be starting), not when it refuses.
 */
import { UsageError } from '../errors.js';
import type { LoadResult } from './types.js';

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
