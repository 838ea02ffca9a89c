/**
 * A minimal server-sent-events server on node:http: `GET /` is one static page, `GET /events` an event stream.
 * Every event is kept (the per-second ones up to `REPLAY_LIMIT`) and replayed to a browser that connects late,
 * so a page opened mid-run draws the run from its start. Nothing else is served: other paths are 404, other
 * methods 405; on a loopback address, a request naming another host 403.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

/** Per-second events kept for a late browser: the last hour of a long run. */
export const REPLAY_LIMIT = 3600;

/** A running event server. */
export interface EventServer {
  /** `http://host:port/`, the address to open. */
  url: string;
  /** Sends `data` (as JSON) as event `name` to every browser connected now and later. */
  publish(name: string, data: unknown): void;
  /** Ends every stream (after what was published is written) and stops listening. */
  close(): Promise<void>;
}

/** One event, ready to write. */
interface Framed {
  name: string;
  text: string;
}

/** How long `close` waits for a browser to take the last events. */
const FLUSH_WAIT_MS = 2000;

/** Ends a stream; resolves once it is flushed, closed, or `FLUSH_WAIT_MS` passed. */
function endStream(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_WAIT_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    res.once('finish', done);
    res.once('close', done);
    res.end();
  });
}

/** Names of this machine's loopback interface. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request's `Host` may be served: on a loopback address only a loopback name, so that a web page
 * elsewhere cannot read the run through a name that it points at 127.0.0.1 (DNS rebinding). An address that is
 * not loopback (the user shows the page to the network) is served whatever the name.
 */
function hostAllowed(header: string | undefined, listening: string): boolean {
  if (!LOOPBACK.has(listening) && listening !== '::1') return true;
  const name = (header ?? '').replace(/:\d+$/, '').toLowerCase();
  return LOOPBACK.has(name);
}

/** Frames one event: `event:` then a single `data:` line (JSON never holds a raw newline). */
function frame(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Listens on `host:port` (port 0 picks a free one) and serves `page` and the events.
 * @throws UsageError when the address cannot be listened on (in use, not local).
 */
export async function startEventServer(host: string, port: number, page: string): Promise<EventServer> {
  const streams = new Set<http.ServerResponse>();
  const kept: Framed[] = [];
  // Events replayed in order; the oldest per-second ones are dropped past REPLAY_LIMIT.
  let seconds = 0;
  const server = http.createServer((req, res) => {
    if (!hostAllowed(req.headers.host, host)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // The page needs nothing from anywhere else: say so, so nothing else can be loaded into it.
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; frame-src blob: about:; child-src blob: about:",
      });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    if (path !== '/events') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 1000\n\n${kept.map((e) => e.text).join('')}`);
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new UsageError(`cannot listen on ${host}:${port}: ${(error as Error).message}`, {
      option: 'dashboard',
      cause: error,
    });
  }
  // A browser left open must not keep the process alive once the run is over.
  server.unref();
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    publish(name, data) {
      const text = frame(name, data);
      kept.push({ name, text });
      if (name === 'second' && ++seconds > REPLAY_LIMIT) {
        kept.splice(
          kept.findIndex((e) => e.name === 'second'),
          1,
        );
        seconds--;
      }
      for (const res of streams) res.write(text);
    },
    async close() {
      // Each stream ends once its last event is flushed (a stalled browser is not waited for long).
      await Promise.all([...streams].map(endStream));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
