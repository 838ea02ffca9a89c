/**
 * Demo 4 — values with typed keys: a request carries its request id, trace id, originating IP and auth token
 * down to the handler; a missing value falls back to the key's default. Keys are typed and cannot collide.
 * Run: `npx tsx examples/contexts/values.ts`.
 */
import { pathToFileURL } from 'node:url';
import { background, type Context, createKey, current, run, withValue } from 'headroom-kit/context';

/** The request id, generated at the edge. */
const RequestId = createKey<string>('requestId', { default: 'none' });
/** The W3C trace id the request continues. */
const TraceId = createKey<string>('traceId', { default: '00000000000000000000000000000000' });
/** The client address the request came from. */
const ClientIp = createKey<string>('clientIp', { default: 'unknown' });
/** The bearer token, if any. */
const AuthToken = createKey<string>('authToken', { default: 'anonymous' });

/** A logger reads the implicit context, so handlers don't pass ids around by hand. */
function log(message: string): void {
  const ctx = current();
  console.log(`[req=${ctx.value(RequestId)} trace=${ctx.value(TraceId).slice(0, 8)}] ${message}`);
}

async function handler(ctx: Context): Promise<void> {
  log(`from ${ctx.value(ClientIp)} as ${ctx.value(AuthToken)}`);
}

/** Simulates the edge: builds each request's context, then runs the handler with it. */
export async function main(): Promise<void> {
  console.log('values: typed keys carried down to the handler');
  const requests: Array<Record<string, string>> = [
    { id: 'r-1', trace: '4bf92f3577b34da6a3ce929d0e0e4736', ip: '203.0.113.7', token: 'tok-alice' },
    { id: 'r-2', ip: '198.51.100.4' },
  ];
  for (const request of requests) {
    let ctx = withValue(background(), RequestId, request.id ?? 'none');
    if (request.trace !== undefined) ctx = withValue(ctx, TraceId, request.trace);
    if (request.ip !== undefined) ctx = withValue(ctx, ClientIp, request.ip);
    if (request.token !== undefined) ctx = withValue(ctx, AuthToken, request.token);
    await run(ctx, () => handler(ctx));
  }
  const lookalike = createKey<string>('requestId');
  console.log(
    `a key with the same name is another key: ${withValue(background(), RequestId, 'r-1').value(lookalike)}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
