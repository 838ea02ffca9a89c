/**
 * One connection (= one virtual user) on a raw net/tls socket. Closed model: keeps up to `pipelining` requests
 * in flight, refilling in one write once half the pipeline has completed (after every response when it is 1
 * or 2). Open model: sends each request at its intended time (at most `pipelining` in flight); when the server
 * falls behind, the backlog is sent as soon as there is room and its latency is counted from the intended time,
 * so a stall shows as latency, not as a lower send rate.
 */
import net from 'node:net';
import tls from 'node:tls';
import { recordMs } from './histogram.js';
import type { RequestSource } from './request-source.js';
import { MalformedResponseError, ResponseParser, type ResponseSink } from './response-parser.js';
import type { VirtualUserRuntime } from './scenario/virtual-user.js';
import type { ShardStats } from './shard-stats.js';
import { sni, type Target } from './target.js';

/** The open model's schedule for one connection: a request every `intervalMs` from `firstAt`. */
export interface OpenSchedule {
  firstAt: number;
  intervalMs: number;
}

/** What the thread running a connection (HTTP/1.1 here, HTTP/2 in http2/) calls on it. */
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
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Classifies a socket error into the result's error kinds. */
export function errorKind(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'connect-refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SSL|TLS/.test(code)) return 'tls';
  return 'other';
}

/** One keep-alive connection driving requests for one virtual user. */
export class Connection implements LoadConnection, ResponseSink {
  private raw: net.Socket | null = null;
  private io: net.Socket | null = null;
  private ready = false;
  private closing = false;
  private readonly parser = new ResponseParser(this);
  private readonly capacity: number;
  /** Closed model: the pipeline is refilled once this many slots are free (half of it), in one write. */
  private readonly refillAt: number;
  private readonly sentAt: Float64Array;
  private readonly intendedAt: Float64Array;
  private readonly names: Int32Array;
  private readonly measured: Uint8Array;
  private readonly scratch: Int32Array;
  private head = 0;
  private count = 0;
  private now = 0;
  private nextAt = 0;
  private schedule: OpenSchedule | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private onReady: (() => void) | null = null;

  constructor(
    private readonly host: ConnectionHost,
    readonly vu: VirtualUserRuntime,
  ) {
    const p = host.pipelining;
    this.capacity = p;
    this.refillAt = Math.ceil(p / 2);
    this.sentAt = new Float64Array(p);
    this.intendedAt = new Float64Array(p);
    this.names = new Int32Array(p);
    this.measured = new Uint8Array(p);
    this.scratch = new Int32Array(p);
  }

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
    this.count = 0;
    this.detach()?.destroy();
  }

  /** Fails the in-flight requests as timeouts when the oldest has waited longer than `timeoutMs`. */
  checkTimeout(now: number, timeoutMs: number): void {
    if (this.count > 0 && now - (this.sentAt[this.head] as number) > timeoutMs) this.fail('timeout', true);
  }

  expectsNoBody(): boolean {
    return this.count > 0 && this.host.source.noBody[this.names[this.head] as number] === true;
  }

  onResponse(status: number, firstByteAt: number, close: boolean): void {
    if (this.count === 0) throw new MalformedResponseError('response without a request');
    const i = this.head;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    this.count--;
    if (this.measured[i] === 1) {
      const sentAt = this.sentAt[i] as number;
      this.host.stats.completed(
        this.names[i] as number,
        status,
        this.now - (this.intendedAt[i] as number),
        firstByteAt - sentAt,
        this.now - sentAt,
      );
    }
    if (close) this.closing = true;
  }

  private connect(): void {
    const { target } = this.host;
    const startedAt = performance.now();
    // Plain TCP reads land in one buffer per thread (no per-read allocation, no stream machinery); TLS uses 'data'.
    const raw: net.Socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: target.tls
        ? undefined
        : {
            buffer: READ_BUFFER,
            callback: (n: number) => {
              if (this.raw === raw && this.ready) this.onData(READ_BUFFER, n);
              return true;
            },
          },
    });
    this.raw = raw;
    this.io = null;
    this.connectTimer = setTimeout(() => {
      const timedOut: NodeJS.ErrnoException = new Error(`not connected within ${this.host.timeoutMs}ms`);
      timedOut.code = 'ETIMEDOUT';
      this.onSocketError(raw, timedOut);
    }, this.host.timeoutMs);
    this.parser.reset();
    this.closing = false;
    raw.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(raw, e));
    raw.on('close', () => this.onSocketClose(raw));
    raw.once('connect', () => {
      const connectedAt = performance.now();
      recordMs(this.host.stats.connect, connectedAt - startedAt);
      if (!target.tls) {
        this.becomeReady(raw, raw);
        return;
      }
      const secure = tls.connect({
        socket: raw,
        servername: sni(target.host),
        rejectUnauthorized: !this.host.insecure,
      });
      this.io = secure;
      secure.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(raw, e));
      secure.on('close', () => this.onSocketClose(raw));
      secure.once('secureConnect', () => {
        if (this.host.stats.tls) recordMs(this.host.stats.tls, performance.now() - connectedAt);
        this.becomeReady(raw, secure);
      });
    });
  }

  private becomeReady(raw: net.Socket, io: net.Socket): void {
    if (this.raw !== raw) return;
    this.clearConnectTimer();
    this.io = io;
    this.ready = true;
    if (io !== raw) io.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
    const resolve = this.onReady;
    this.onReady = null;
    if (resolve) resolve();
    else this.fill(performance.now());
  }

  private onData(chunk: Buffer, length: number): void {
    const now = performance.now();
    this.now = now;
    this.host.stats.counters.bytesRead += length;
    try {
      this.parser.feed(chunk, length, now);
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
      this.fail('malformed', true);
      return;
    }
    if (this.closing) {
      // The server said it closes: what is still in flight will not be answered on this socket.
      this.fail('closed', false);
      return;
    }
    this.fill(now);
  }

  /** Sends what the model allows now. */
  private fill(now: number): void {
    const host = this.host;
    if (!this.ready || this.closing) return;
    // Once the run stops, the open model still sends its backlog (intended before the end): dropping it would
    // hide exactly the slowest requests.
    const backlog = this.schedule !== null && this.nextAt < host.sendUntil;
    if (!host.running && !backlog) {
      if (this.count === 0) host.idle(this);
      return;
    }
    if (this.schedule === null) {
      // A request limit (-n) may leave less than a refill: the last requests go out as they are.
      const n = Math.min(this.capacity - this.count, host.remaining);
      if (n > 0 && (n >= this.refillAt || n === host.remaining) && now < host.sendUntil)
        this.send(n, now, now, 0);
      return;
    }
    this.pump(now);
  }

  /** Open model: sends every request whose intended time has come (room permitting), then arms the timer. */
  private pump(now: number): void {
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

  private send(n: number, now: number, firstIntended: number, step: number): void {
    const host = this.host;
    const bytes = host.source.build(this.vu, n, this.scratch);
    (this.io as net.Socket).write(bytes);
    host.stats.counters.bytesWritten += bytes.length;
    let slot = this.head + this.count;
    let measuredCount = 0;
    for (let i = 0; i < n; i++, slot++) {
      if (slot >= this.capacity) slot -= this.capacity;
      const intended = firstIntended + i * step;
      const name = this.scratch[i] as number;
      this.sentAt[slot] = now;
      this.intendedAt[slot] = intended;
      this.names[slot] = name;
      const measured = intended >= host.measureFrom ? 1 : 0;
      this.measured[slot] = measured;
      if (measured === 1) host.stats.sent(name);
      measuredCount += measured;
    }
    this.count += n;
    if (measuredCount > 0) host.take(measuredCount);
  }

  /** Counts the measured in-flight requests as failed. */
  private failInFlight(kind: string): void {
    let failed = 0;
    for (let k = 0, i = this.head; k < this.count; k++, i = i + 1 === this.capacity ? 0 : i + 1) {
      failed += this.measured[i] as number;
    }
    this.host.stats.failed(kind, failed);
    this.head = 0;
    this.count = 0;
  }

  /** Drops this socket, failing what is in flight as `kind`, and reconnects while the run goes on. */
  private fail(kind: string, destroy: boolean): void {
    this.failInFlight(kind);
    const socket = this.detach();
    if (destroy) socket?.destroy();
    else socket?.end();
    this.afterLoss(false);
  }

  private onSocketError(raw: net.Socket, error: NodeJS.ErrnoException): void {
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

  private onSocketClose(raw: net.Socket): void {
    if (this.raw !== raw) return;
    this.now = performance.now();
    const complete = this.parser.end();
    if (!complete || this.count > 0) this.failInFlight('closed');
    this.detach()?.destroy();
    this.afterLoss(false);
  }

  /** Unhooks the current socket (and its TLS layer) and returns the one to close. */
  private detach(): net.Socket | null {
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

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private afterLoss(backoff: boolean): void {
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
