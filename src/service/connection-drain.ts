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

/** One connection: the responses in flight on it, since when it has had none, and whether to close it. */
interface Connection {
  responses: Set<ServerResponse>;
  quietSince: number;
  closeAfterResponse: boolean;
}

/** Tracks the connections of `server` and takes over its `closeIdleConnections()` (which `close()` calls). */
export class ConnectionDrain {
  readonly #connections = new Map<Socket, Connection>();
  #closing = false;
  #sweeper: NodeJS.Timeout | undefined;
  readonly #quietMs: number;

  constructor(server: Server, options: DrainOptions = {}) {
    this.#quietMs = options.quietMs ?? QUIET_MS;
    server.on('connection', (socket: Socket) => {
      const connection = {
        responses: new Set<ServerResponse>(),
        quietSince: 0,
        closeAfterResponse: this.#closing,
      };
      connection.quietSince = performance.now();
      this.#connections.set(socket, connection);
      socket.once('close', () => {
        this.#connections.delete(socket);
        if (this.#connections.size === 0) this.#stopSweeping();
      });
    });
    // Before fastify's listener, so the header is set before any route or hook answers.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const connection = this.#connections.get(req.socket);
      if (connection === undefined) return;
      if (connection.closeAfterResponse) res.setHeader('connection', 'close');
      connection.responses.add(res);
      res.once('close', () => {
        connection.responses.delete(res);
        connection.quietSince = performance.now();
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
    for (const connection of this.#connections.values()) {
      connection.closeAfterResponse = true;
      for (const res of connection.responses) if (!res.headersSent) res.setHeader('connection', 'close');
    }
  }

  /** Closes the connections with no request in flight that have been quiet long enough. */
  #sweep(): void {
    const now = performance.now();
    for (const [socket, connection] of this.#connections) {
      const quietMs = socket.bytesRead > 0 ? this.#quietMs : NEW_QUIET_MS;
      if (connection.responses.size === 0 && now - connection.quietSince >= quietMs) socket.destroy();
    }
  }

  #stopSweeping(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
