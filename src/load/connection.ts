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
import { MalformedResponseError, ResponseParser, type ResponseSink } from './response-parser.js';
import type { VirtualUserRuntime } from './scenario/virtual-user.js';
import { type ConnectionHost, SocketConnection } from './socket-connection.js';
import { sni } from './target.js';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** One keep-alive connection driving requests for one virtual user. */
export class Connection extends SocketConnection implements ResponseSink {
  private readonly parser = new ResponseParser(this);
  /** Closed model: the pipeline is refilled once this many slots are free (half of it), in one write. */
  private readonly refillAt: number;
  private readonly sentAt: Float64Array;
  private readonly intendedAt: Float64Array;
  private readonly names: Int32Array;
  private readonly measured: Uint8Array;
  private readonly scratch: Int32Array;
  private head = 0;

  constructor(host: ConnectionHost, vu: VirtualUserRuntime) {
    super(host, vu);
    const p = host.pipelining;
    this.refillAt = Math.ceil(p / 2);
    this.sentAt = new Float64Array(p);
    this.intendedAt = new Float64Array(p);
    this.names = new Int32Array(p);
    this.measured = new Uint8Array(p);
    this.scratch = new Int32Array(p);
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

  protected connect(): void {
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
    this.armConnectTimer(raw);
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

  /** Closed model: refills the pipeline once half of it is free. */
  protected fillClosed(now: number): void {
    const host = this.host;
    // A request limit (-n) may leave less than a refill: the last requests go out as they are.
    const n = Math.min(this.capacity - this.count, host.remaining);
    if (n > 0 && (n >= this.refillAt || n === host.remaining) && now < host.sendUntil)
      this.send(n, now, now, 0);
  }

  protected send(n: number, now: number, firstIntended: number, step: number): void {
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
  protected failInFlight(kind: string): void {
    let failed = 0;
    for (let k = 0, i = this.head; k < this.count; k++, i = i + 1 === this.capacity ? 0 : i + 1) {
      failed += this.measured[i] as number;
    }
    this.host.stats.failed(kind, failed);
    this.head = 0;
    this.count = 0;
  }

  protected dropInFlight(): void {
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

  private onSocketClose(raw: net.Socket): void {
    if (this.raw !== raw) return;
    this.now = performance.now();
    const complete = this.parser.end();
    if (!complete || this.count > 0) this.failInFlight('closed');
    this.detach()?.destroy();
    this.afterLoss(false);
  }
}
