/**
 * Closes the public server's keep-alive connections without resetting a request. Node's `server.close()`
 * destroys every idle connection at once, including the ones whose client is sending its next request at that
 * moment (or has just connected and is not read yet): that client sees a reset. Here a connection is closed by
 * answering its next request with `Connection: close` (Node ends it after the response, and the client knows not
 * to reuse it); one with no request in flight is closed only once it has been quiet for `quietMs` (Go's rule:
 * {@link NEW_QUIET_MS} for one that never sent a request).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Default of {@link DrainOptions.quietMs}. */
const QUIET_MS = 1000;
/** How long a connection that never sent a request stays open at shutdown (its client is likely about to). */
const NEW_QUIET_MS = 5000;

/** How eagerly idle connections are closed. */
export interface DrainOptions {
  /** How long a used connection with no request in flight must stay quiet before shutdown closes it. */
  quietMs?: number;
}
const SWEEP_MS = 50;

/** One connection: when it was last seen active, and whether to close it after its next response. */
interface Connection {
  /** `socket.bytesRead` when last looked at: a change means it sent something since. */
  bytesRead: number;
  quietSince: number;
  closeAfterResponse: boolean;
}

/** The response a socket is serving (Node's own `closeIdleConnections` reads the same field), if any. */
function responseInFlight(socket: Socket): ServerResponse | null | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
}

/**
 * Tracks the connections of `server` and takes over its `closeIdleConnections()` (which `close()` calls). Until
 * the drain starts it costs nothing per request: the response in flight is Node's own `socket._httpMessage`, and
 * quietness is read from `socket.bytesRead` when sweeping.
 */
export class ConnectionDrain {
  readonly #server: Server;
  readonly #connections = new Map<Socket, Connection>();
  #closing = false;
  #draining = false;
  #sweeper: NodeJS.Timeout | undefined;
  readonly #quietMs: number;

  constructor(server: Server, options: DrainOptions = {}) {
    this.#server = server;
    this.#quietMs = options.quietMs ?? QUIET_MS;
    server.on('connection', (socket: Socket) => {
      const connection = { bytesRead: 0, quietSince: performance.now(), closeAfterResponse: this.#closing };
      this.#connections.set(socket, connection);
      socket.once('close', () => {
        this.#connections.delete(socket);
        if (this.#connections.size === 0) this.#stopSweeping();
      });
    });
    // server.close() calls this: stop keep-alive everywhere, and close idle connections once quiet, not at once.
    server.closeIdleConnections = () => {
      this.#closing = true;
      this.closeAfterNextResponse();
      this.#sweep();
      if (this.#connections.size > 0) this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_MS);
    };
  }

  /**
   * Answers the next request of every open connection (and every response in flight whose headers are not sent
   * yet) with `Connection: close`, so keep-alive clients reconnect — elsewhere, once load balancers see `/readyz`.
   * Connections opened later keep alive until `server.close()`.
   */
  closeAfterNextResponse(): void {
    if (!this.#draining) {
      this.#draining = true;
      // Before fastify's listener, so the header is set before any route or hook answers.
      this.#server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        if (this.#connections.get(req.socket)?.closeAfterResponse === true)
          res.setHeader('connection', 'close');
      });
    }
    const now = performance.now();
    for (const [socket, connection] of this.#connections) {
      if (!connection.closeAfterResponse) {
        // Quiet from here on unless it sends something (when it was last active before is not recorded).
        connection.closeAfterResponse = true;
        connection.bytesRead = socket.bytesRead;
        connection.quietSince = now;
      }
      const res = responseInFlight(socket);
      if (res && !res.headersSent) res.setHeader('connection', 'close');
    }
  }

  /** Closes the connections with no request in flight that have been quiet long enough. */
  #sweep(): void {
    const now = performance.now();
    for (const [socket, connection] of this.#connections) {
      if (socket.bytesRead !== connection.bytesRead || responseInFlight(socket)) {
        connection.bytesRead = socket.bytesRead;
        connection.quietSince = now;
        continue;
      }
      const quietMs = socket.bytesRead > 0 ? this.#quietMs : NEW_QUIET_MS;
      if (now - connection.quietSince >= quietMs) socket.destroy();
    }
  }

  #stopSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
