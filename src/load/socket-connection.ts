/**
 * What a load connection is (`LoadConnection`, run by a thread as its `ConnectionHost` directs) and
 * `SocketConnection`, the socket lifecycle the HTTP/1.1 and HTTP/2 connections share: opening and reopening, the
 * connect timeout, the open model's schedule and timer, settling a window, losing the socket and reconnecting.
 * What goes over the socket (framing, parsing, the in-flight bookkeeping) is each protocol's.
 */
import type net from 'node:net';
import { recordMs } from './histogram.js';
import type { RequestSource } from './request-source.js';
import type { VirtualUserRuntime } from './scenario/virtual-user.js';
import type { ShardStats } from './shard-stats.js';
import type { Target } from './target.js';

/** The open model's schedule for one connection: a request every `intervalMs` from `firstAt`. */
export interface OpenSchedule {
  firstAt: number;
  intervalMs: number;
}

/** What the thread running a connection (HTTP/1.1 in connection.ts, HTTP/2 in http2/) calls on it. */
export interface LoadConnection {
  /** Sets the open model's schedule for the next window (before `start`); null for the closed model. */
  setSchedule(schedule: OpenSchedule | null): void;
  /** Opens the connection; resolves once it is ready (or its first attempt failed — it keeps retrying). */
  open(): Promise<void>;
  /** Before a window: opens the connection again if its socket was closed since the last one (`open`'s promise). */
  reopen(): Promise<void>;
  /** Starts sending (after every connection of the run is open). */
  start(): void;
  /** Stops sending; calls `host.idle` once nothing is in flight. */
  stop(): void;
  /**
   * Ends the window for this connection: what is still in flight failed as `kind`, and its socket is dropped (a
   * late answer must not land in the next window); an idle socket stays open for the next window.
   */
  settle(kind: string): void;
  /** Closes the connection without counting what is in flight (the session ends, or the connection is unused). */
  destroy(): void;
  /** Fails requests in flight for longer than `timeoutMs` as timeouts. */
  checkTimeout(now: number, timeoutMs: number): void;
}

/** What a connection needs from the thread that runs it. */
export interface ConnectionHost {
  readonly target: Target;
  readonly insecure: boolean;
  readonly source: RequestSource;
  readonly stats: ShardStats;
  readonly pipelining: number;
  /** A connection attempt (TCP and TLS) not ready within this counts as a `timeout` and is retried. */
  readonly timeoutMs: number;
  /** Requests intended (open) or sent (closed) before this time are warm-up, not measured. */
  readonly measureFrom: number;
  /** No request is sent at or after this time. */
  readonly sendUntil: number;
  /** Whether requests may still be sent (false once the run stops). */
  readonly running: boolean;
  /** Closed model: measured requests this thread may still send (`-n`); Infinity without a limit. */
  readonly remaining: number;
  /** Counts `n` measured requests (or failed attempts) against `remaining`. */
  take(n: number): void;
  /** The connection has nothing in flight and the run has stopped. */
  idle(connection: LoadConnection): void;
}

const RECONNECT_BACKOFF_MS = 50;

/** Classifies a socket error into the result's error kinds. */
export function errorKind(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'connect-refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SSL|TLS/.test(code)) return 'tls';
  return 'other';
}

/**
 * One connection (= one virtual user) on a raw net/tls socket: the lifecycle both protocols share. A subclass
 * connects (`connect`: the socket, `armConnectTimer`, its handlers), sends (`fillClosed`, `send`) and keeps the
 * in-flight bookkeeping (`count`, `failInFlight`, `dropInFlight`).
 */
export abstract class SocketConnection implements LoadConnection {
  protected raw: net.Socket | null = null;
  /** The socket requests are written to and read from: `raw`, or its TLS layer. */
  protected io: net.Socket | null = null;
  /** Requests may be sent on the socket. */
  protected ready = false;
  /**
   * No new request on this socket: the server said it closes it (HTTP/1.1 `Connection: close`) or goes away
   * (HTTP/2 GOAWAY), or its stream ids are used up.
   */
  protected closing = false;
  /** Requests that may be in flight at once. */
  protected capacity: number;
  /** Requests in flight. */
  protected count = 0;
  /** When the current read arrived. */
  protected now = 0;
  /** Open model: when the next request is intended. */
  protected nextAt = 0;
  protected schedule: OpenSchedule | null = null;
  /** Open model: fires when the next request is due. */
  protected timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  /** Resolves `open`/`reopen` once the connection is ready (or its first attempt failed). */
  protected onReady: (() => void) | null = null;

  constructor(
    protected readonly host: ConnectionHost,
    readonly vu: VirtualUserRuntime,
  ) {
    this.capacity = host.pipelining;
  }

  /** Opens a socket, arms `armConnectTimer` and hooks its handlers; `becomeReady`'s work once it is. */
  protected abstract connect(): void;
  /** Closed model, the run going on: sends what there is room for now. */
  protected abstract fillClosed(now: number): void;
  /** Sends `n` requests now, the first intended at `firstIntended`, the others `step` ms apart. */
  protected abstract send(n: number, now: number, firstIntended: number, step: number): void;
  /** Counts the measured requests in flight as failed as `kind`; nothing is in flight after. */
  protected abstract failInFlight(kind: string): void;
  /** Forgets what is in flight without counting it. */
  protected abstract dropInFlight(): void;

  /** Switches this connection to the open model's schedule (before `start`). */
  setSchedule(schedule: OpenSchedule | null): void {
    this.schedule = schedule;
    this.nextAt = schedule?.firstAt ?? 0;
  }

  /** Opens the socket; resolves once it is ready (or its first attempt failed — it keeps retrying). */
  open(): Promise<void> {
    return new Promise((resolve) => {
      this.onReady = resolve;
      this.connect();
    });
  }

  /** Before a window: reconnects when the socket was lost since the last one; waits for one still connecting. */
  reopen(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.raw === null) return this.open();
    return new Promise((resolve) => {
      this.onReady = resolve;
    });
  }

  /** Starts sending (after every connection of the run is open). */
  start(): void {
    if (this.ready) this.fill(performance.now());
  }

  /**
   * Stops sending; calls `host.idle` once nothing is in flight. The open model still sends what was intended
   * before the end (a timer due within the last millisecond may not have fired yet).
   */
  stop(): void {
    if (this.schedule !== null && this.nextAt < this.host.sendUntil) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.count === 0) this.host.idle(this);
  }

  /**
   * Ends the window: what is still in flight failed as `kind` (`timeout` when the drain ran out, `cancelled` when
   * the run was interrupted), so every request sent ends as a response or an error; its socket is then dropped, as
   * a late answer would land in the next window. An idle socket stays open for the next window.
   */
  settle(kind: string): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.timer = this.reconnectTimer = null;
    if (this.count === 0) return;
    this.failInFlight(kind);
    this.destroy();
  }

  /** Closes the socket without counting what is in flight (a prepared shard that never ran). */
  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.timer = this.reconnectTimer = null;
    this.clearConnectTimer();
    this.dropInFlight();
    this.detach()?.destroy();
  }

  abstract checkTimeout(now: number, timeoutMs: number): void;

  /** A connection attempt on `raw` not ready within the host's timeout fails as `timeout` (and is retried). */
  protected armConnectTimer(raw: net.Socket): void {
    this.connectTimer = setTimeout(() => {
      const timedOut: NodeJS.ErrnoException = new Error(`not connected within ${this.host.timeoutMs}ms`);
      timedOut.code = 'ETIMEDOUT';
      this.onSocketError(raw, timedOut);
    }, this.host.timeoutMs);
  }

  protected clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  /** Sends what the model allows now. */
  protected fill(now: number): void {
    const host = this.host;
    if (!this.ready || this.closing) return;
    // Once the run stops, the open model still sends its backlog (intended before the end): dropping it would
    // hide exactly the slowest requests.
    const backlog = this.schedule !== null && this.nextAt < host.sendUntil;
    if (!host.running && !backlog) {
      if (this.count === 0) host.idle(this);
      return;
    }
    if (this.schedule === null) this.fillClosed(now);
    else this.pump(now);
  }

  /** Open model: sends every request whose intended time has come (room permitting), then arms the timer. */
  protected pump(now: number): void {
    const { intervalMs } = this.schedule as OpenSchedule;
    const until = this.host.sendUntil;
    let n = 0;
    const room = this.capacity - this.count;
    while (n < room && this.nextAt + n * intervalMs <= now && this.nextAt + n * intervalMs < until) n++;
    if (n > 0) {
      this.send(n, now, this.nextAt, intervalMs);
      this.nextAt += n * intervalMs;
    }
    if (this.timer === null && this.count < this.capacity && this.nextAt < until) {
      this.timer = setTimeout(this.onTimer, Math.max(0, this.nextAt - now));
    }
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    const now = performance.now();
    // Timer lateness is the generator's own slip (server-caused backlog shows in latency instead).
    if (this.ready && this.count < this.capacity && this.nextAt <= now && this.host.stats.sendLag) {
      recordMs(this.host.stats.sendLag, now - this.nextAt);
    }
    if (this.ready && !this.closing) this.pump(now);
  };

  /** The socket failed (or did not connect in time): what is in flight failed as its kind; reconnects. */
  protected onSocketError(raw: net.Socket, error: NodeJS.ErrnoException): void {
    if (this.raw !== raw) return;
    const wasReady = this.ready;
    const kind = errorKind(error);
    if (this.count > 0) this.failInFlight(kind);
    else if (
      !wasReady &&
      this.host.running &&
      this.host.remaining > 0 &&
      performance.now() >= this.host.measureFrom
    ) {
      this.host.stats.attemptFailed(kind);
      this.host.take(1);
    }
    this.detach()?.destroy();
    this.afterLoss(!wasReady);
  }

  /** Unhooks the current socket (and its TLS layer) and returns the one to close. */
  protected detach(): net.Socket | null {
    const raw = this.raw;
    const io = this.io;
    this.raw = this.io = null;
    this.ready = false;
    this.clearConnectTimer();
    for (const socket of [raw, io]) {
      if (!socket) continue;
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.removeAllListeners('connect');
      socket.removeAllListeners('secureConnect');
      socket.removeAllListeners('error');
      socket.on('error', () => {});
    }
    return io ?? raw;
  }

  /** The socket is gone: reconnects while the run goes on (after a back-off when it never got ready), else idles. */
  protected afterLoss(backoff: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const host = this.host;
    if (!host.running) {
      const resolve = this.onReady;
      this.onReady = null;
      resolve?.();
      host.idle(this);
      return;
    }
    if (this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = null;
        if (this.host.running) this.connect();
        else this.host.idle(this);
      },
      backoff ? RECONNECT_BACKOFF_MS : 0,
    );
    if (backoff) {
      // A first attempt that failed still lets the run start; the connection keeps retrying.
      const resolve = this.onReady;
      this.onReady = null;
      resolve?.();
    }
  }
}
