/**
 * One HTTP/2 connection (= one virtual user) on a raw net/tls socket, framed by hand: h2c with prior knowledge
 * for `http://`, ALPN `h2` for `https://`. `-p` streams are kept open at once (capped by the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS); a completed stream is replaced in the same write as the others completed by
 * one read. The accounting is the HTTP/1.1 connection's: every request sent ends as a response or a named error —
 * `stream-reset` (RST_STREAM), `goaway` (a stream the server's GOAWAY says it will not process), `timeout` (the
 * stream is cancelled, the connection kept), `malformed`, and the socket errors. Open model: the same schedule and
 * intended-time latency as HTTP/1.1. A server-streaming gRPC call's response messages are counted as they arrive
 * (their length prefixes parsed across DATA frames) and the first one timed; the call completes at its trailers.
 */
import net from 'node:net';
import tls from 'node:tls';
import { recordMs } from '../histogram.js';
import type { VirtualUserRuntime } from '../scenario/virtual-user.js';
import { type ConnectionHost, SocketConnection } from '../socket-connection.js';
import { sni } from '../target.js';
import {
  ACK,
  applySettings,
  CANCEL,
  CLIENT_PREFACE,
  CONTINUATION,
  DATA,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_WINDOW,
  defaultPeerSettings,
  END_HEADERS,
  END_STREAM,
  FRAME_HEADER,
  frame,
  GOAWAY,
  HEADERS,
  PADDED,
  PING,
  PRIORITY,
  PUSH_PROMISE,
  RST_STREAM,
  rstStream,
  SETTINGS,
  SETTINGS_ACK,
  WINDOW_UPDATE,
  windowUpdate,
  writeFrameHeader,
} from './frames.js';
import { decodeHead, HpackError, type ResponseHead } from './hpack.js';
import type { H2Request, H2RequestEncoder } from './request.js';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const LAST_STREAM_ID = 2 ** 31 - 1;
/** The connection's receive window is topped up once this much has been consumed. */
const WINDOW_REFILL = 2 ** 30;

/** The server broke the protocol; what is in flight is `malformed` and the connection is replaced. */
class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** A request body waiting for flow-control window. */
interface PendingBody {
  slot: number;
  streamId: number;
  body: Buffer;
  offset: number;
}

/** Bytes of a header block in frames of at most `maxFrame` (HEADERS, then CONTINUATION). */
function headerFramesLength(blockLength: number, maxFrame: number): number {
  return blockLength + FRAME_HEADER * Math.max(1, Math.ceil(blockLength / maxFrame));
}

/** One HTTP/2 connection driving up to `pipelining` concurrent streams for one virtual user. */
export class H2Connection extends SocketConnection {
  private peer = defaultPeerSettings();
  private readonly slots: number;
  private readonly sentAt: Float64Array;
  private readonly intendedAt: Float64Array;
  private readonly firstByteAt: Float64Array;
  private readonly sendWindow: Float64Array;
  private readonly names: Int32Array;
  private readonly statuses: Int32Array;
  /** gRPC: the `grpc-status` per slot, -1 until one arrives. */
  private readonly grpcStatuses: Int32Array;
  /** gRPC server streaming, per slot: messages complete, when the first completed. */
  private readonly messageCounts: Int32Array;
  private readonly firstMessageAt: Float64Array;
  /** Bytes of the current message's 5-byte prefix read (5: in its body). */
  private readonly prefixRead: Uint8Array;
  /** While in the prefix: the length read so far; in the body: its bytes still to come. */
  private readonly messageLeft: Float64Array;
  private readonly head: ResponseHead = { status: 0, grpcStatus: -1 };
  /** Stream id per slot, 0 when the slot is free. */
  private readonly streamIds: Int32Array;
  private readonly measured: Uint8Array;
  private readonly freeSlots: Int32Array;
  private freeTop = 0;
  private readonly streams = new Map<number, number>();
  private readonly batch: H2Request[] = [];
  private readonly scratch = new Int32Array(1);
  private nextStreamId = 1;
  /** The tail of a frame split across reads. */
  private pending: Buffer | null = null;
  /** A header block continued in CONTINUATION frames: its stream (0: none), END_STREAM, fragments. */
  private contStream = 0;
  private contEndStream = false;
  private contChunks: Buffer[] = [];
  private connSendWindow = DEFAULT_WINDOW;
  private recvConsumed = 0;
  private outbox: PendingBody[] = [];

  constructor(
    host: ConnectionHost,
    vu: VirtualUserRuntime,
    private readonly encoder: H2RequestEncoder,
    /** Count each response's `grpc-status` (a gRPC target). */
    private readonly grpc = false,
    /** A server-streaming gRPC method: count each call's response messages and time the first. */
    private readonly grpcStreaming = false,
  ) {
    super(host, vu);
    const p = host.pipelining;
    this.slots = p;
    this.sentAt = new Float64Array(p);
    this.intendedAt = new Float64Array(p);
    this.firstByteAt = new Float64Array(p);
    this.sendWindow = new Float64Array(p);
    this.names = new Int32Array(p);
    this.statuses = new Int32Array(p);
    this.grpcStatuses = new Int32Array(p);
    this.messageCounts = new Int32Array(p);
    this.firstMessageAt = new Float64Array(p);
    this.prefixRead = new Uint8Array(p);
    this.messageLeft = new Float64Array(p);
    this.streamIds = new Int32Array(p);
    this.measured = new Uint8Array(p);
    this.freeSlots = new Int32Array(p);
    this.resetSlots();
  }

  /** Cancels (RST_STREAM) and fails as `timeout` every stream open longer than `timeoutMs`; the connection stays. */
  checkTimeout(now: number, timeoutMs: number): void {
    if (this.count === 0) return;
    let expired = false;
    for (let slot = 0; slot < this.slots; slot++) {
      const id = this.streamIds[slot] as number;
      if (id === 0 || now - (this.sentAt[slot] as number) <= timeoutMs) continue;
      this.failStream(slot, 'timeout');
      this.write(rstStream(id, CANCEL));
      expired = true;
    }
    if (expired) this.afterStreams(now);
  }

  protected connect(): void {
    const { target } = this.host;
    const startedAt = performance.now();
    const raw: net.Socket = net.connect({
      host: target.host,
      port: target.port,
      noDelay: true,
      onread: target.tls
        ? undefined
        : {
            buffer: READ_BUFFER,
            callback: (n: number) => {
              if (this.raw === raw && this.io !== null) this.onData(READ_BUFFER, n);
              return true;
            },
          },
    });
    this.raw = raw;
    this.io = null;
    this.peer = defaultPeerSettings();
    this.capacity = this.slots;
    this.closing = false;
    this.nextStreamId = 1;
    this.pending = null;
    this.contStream = 0;
    this.contChunks = [];
    this.connSendWindow = DEFAULT_WINDOW;
    this.recvConsumed = 0;
    this.outbox = [];
    this.armConnectTimer(raw);
    raw.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(raw, e));
    raw.on('close', () => this.onSocketClose(raw));
    raw.once('connect', () => {
      const connectedAt = performance.now();
      recordMs(this.host.stats.connect, connectedAt - startedAt);
      if (!target.tls) {
        this.sendPreface(raw, raw);
        return;
      }
      const secure = tls.connect({
        socket: raw,
        servername: sni(target.host),
        rejectUnauthorized: !this.host.insecure,
        ALPNProtocols: ['h2'],
      });
      secure.on('error', (e: NodeJS.ErrnoException) => this.onSocketError(raw, e));
      secure.on('close', () => this.onSocketClose(raw));
      secure.once('secureConnect', () => {
        if (this.host.stats.tls) recordMs(this.host.stats.tls, performance.now() - connectedAt);
        if (secure.alpnProtocol !== 'h2') {
          const refused: NodeJS.ErrnoException = new Error('the server did not choose h2 (ALPN)');
          refused.code = 'ERR_TLS_ALPN';
          secure.destroy();
          this.onSocketError(raw, refused);
          return;
        }
        this.sendPreface(raw, secure);
      });
    });
  }

  /** The transport is up: sends the preface and waits for the server's SETTINGS. */
  private sendPreface(raw: net.Socket, io: net.Socket): void {
    if (this.raw !== raw) return;
    this.io = io;
    if (io !== raw) io.on('data', (chunk: Buffer) => this.onData(chunk, chunk.length));
    this.write(CLIENT_PREFACE);
  }

  private becomeReady(): void {
    this.clearConnectTimer();
    this.ready = true;
    const resolve = this.onReady;
    this.onReady = null;
    if (resolve) resolve();
    else this.fill(performance.now());
  }

  private write(bytes: Buffer): void {
    (this.io as net.Socket).write(bytes);
    this.host.stats.counters.bytesWritten += bytes.length;
  }

  private onData(chunk: Buffer, length: number): void {
    const raw = this.raw;
    const now = performance.now();
    this.now = now;
    this.host.stats.counters.bytesRead += length;
    let buf = chunk;
    let end = length;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk.subarray(0, length)]);
      end = buf.length;
      this.pending = null;
    }
    let pos = 0;
    try {
      while (end - pos >= FRAME_HEADER) {
        const size =
          ((buf[pos] as number) << 16) | ((buf[pos + 1] as number) << 8) | (buf[pos + 2] as number);
        if (size > DEFAULT_MAX_FRAME_SIZE) throw new ProtocolError(`frame of ${size} bytes`);
        if (end - pos - FRAME_HEADER < size) break;
        this.onFrame(buf, pos, size);
        if (this.raw !== raw) return;
        pos += FRAME_HEADER + size;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError || error instanceof HpackError)) throw error;
      this.fail('malformed');
      return;
    }
    if (pos < end) this.pending = Buffer.from(buf.subarray(pos, end));
    if (this.recvConsumed >= WINDOW_REFILL) {
      this.write(windowUpdate(0, this.recvConsumed));
      this.recvConsumed = 0;
    }
    this.afterStreams(now);
  }

  private onFrame(buf: Buffer, pos: number, size: number): void {
    const type = buf[pos + 3] as number;
    const flags = buf[pos + 4] as number;
    const streamId = buf.readUInt32BE(pos + 5) & 0x7fffffff;
    const start = pos + FRAME_HEADER;
    if (!this.ready && type !== SETTINGS) throw new ProtocolError('the server did not start with SETTINGS');
    if (this.contStream !== 0 && type !== CONTINUATION) throw new ProtocolError('expected CONTINUATION');
    switch (type) {
      case DATA:
        this.recvConsumed += size;
        if (this.grpcStreaming) {
          let s = start;
          let e = start + size;
          if (flags & PADDED) {
            e -= buf[s] as number;
            s += 1;
          }
          if (e < s) throw new ProtocolError('bad padding');
          this.onMessageBytes(streamId, buf, s, e);
        }
        if (flags & END_STREAM) this.endStream(streamId);
        break;
      case HEADERS: {
        let s = start;
        let e = start + size;
        if (flags & PADDED) {
          e -= buf[s] as number;
          s += 1;
        }
        if (flags & PRIORITY) s += 5;
        if (e < s) throw new ProtocolError('bad padding');
        const endStream = (flags & END_STREAM) !== 0;
        if (flags & END_HEADERS) this.onHeaders(streamId, buf, s, e, endStream);
        else {
          this.contStream = streamId;
          this.contEndStream = endStream;
          this.contChunks = [Buffer.from(buf.subarray(s, e))];
        }
        break;
      }
      case CONTINUATION: {
        if (streamId !== this.contStream) throw new ProtocolError('unexpected CONTINUATION');
        this.contChunks.push(Buffer.from(buf.subarray(start, start + size)));
        if (flags & END_HEADERS) {
          const block = Buffer.concat(this.contChunks);
          this.contStream = 0;
          this.contChunks = [];
          this.onHeaders(streamId, block, 0, block.length, this.contEndStream);
        }
        break;
      }
      case RST_STREAM: {
        const slot = this.streams.get(streamId);
        if (slot !== undefined) this.failStream(slot, 'stream-reset');
        break;
      }
      case SETTINGS:
        if ((flags & ACK) === 0) this.onSettings(buf, start, size);
        break;
      case PING:
        if ((flags & ACK) === 0)
          this.write(frame(PING, ACK, 0, Buffer.from(buf.subarray(start, start + size))));
        break;
      case GOAWAY:
        this.onGoaway(buf.readUInt32BE(start) & 0x7fffffff);
        break;
      case WINDOW_UPDATE: {
        const increment = buf.readUInt32BE(start) & 0x7fffffff;
        if (streamId === 0) this.connSendWindow += increment;
        else {
          const slot = this.streams.get(streamId);
          if (slot !== undefined) (this.sendWindow[slot] as number) += increment;
        }
        if (this.outbox.length > 0) this.flushBodies();
        break;
      }
      case PUSH_PROMISE:
        throw new ProtocolError('PUSH_PROMISE although push is disabled');
    }
  }

  private onHeaders(streamId: number, block: Buffer, start: number, end: number, endStream: boolean): void {
    const slot = this.streams.get(streamId);
    if (slot === undefined) return;
    const head = this.head;
    decodeHead(block, start, end, head);
    if (this.statuses[slot] === 0) {
      const status = head.status;
      if (status === 0) throw new ProtocolError('response without :status');
      if (status < 200) {
        if (endStream) throw new ProtocolError('interim response ends the stream');
        return;
      }
      this.statuses[slot] = status;
      this.firstByteAt[slot] = this.now;
    }
    if (head.grpcStatus >= 0) this.grpcStatuses[slot] = head.grpcStatus;
    if (endStream) this.complete(slot);
  }

  private endStream(streamId: number): void {
    const slot = this.streams.get(streamId);
    if (slot === undefined) return;
    if (this.statuses[slot] === 0) throw new ProtocolError('DATA before the response headers');
    this.complete(slot);
  }

  /** gRPC server streaming: counts the length-prefixed messages in a DATA payload; the first complete one is timed. */
  private onMessageBytes(streamId: number, buf: Buffer, start: number, end: number): void {
    const slot = this.streams.get(streamId);
    if (slot === undefined) return;
    if (this.statuses[slot] === 0) throw new ProtocolError('DATA before the response headers');
    let prefix = this.prefixRead[slot] as number;
    let left = this.messageLeft[slot] as number;
    let pos = start;
    while (pos < end) {
      if (prefix < 5) {
        // A compressed-flag byte, then the length (big-endian), accumulated in `left`.
        if (prefix > 0) left = left * 256 + (buf[pos] as number);
        pos++;
        if (++prefix < 5 || left > 0) continue;
      } else {
        const take = Math.min(left, end - pos);
        pos += take;
        left -= take;
        if (left > 0) break;
      }
      prefix = 0;
      if ((this.messageCounts[slot] as number)++ === 0) this.firstMessageAt[slot] = this.now;
    }
    this.prefixRead[slot] = prefix;
    this.messageLeft[slot] = left;
  }

  private onSettings(buf: Buffer, start: number, size: number): void {
    if (size % 6 !== 0) throw new ProtocolError('bad SETTINGS length');
    const windowDelta = applySettings(this.peer, buf, start, size);
    if (windowDelta !== 0) {
      for (let slot = 0; slot < this.slots; slot++) {
        if (this.streamIds[slot] !== 0) (this.sendWindow[slot] as number) += windowDelta;
      }
    }
    this.capacity = Math.min(this.slots, this.peer.maxConcurrentStreams);
    this.write(SETTINGS_ACK);
    if (!this.ready) this.becomeReady();
    else if (this.outbox.length > 0) this.flushBodies();
  }

  /** The server will process no stream above `lastStreamId`: those failed; the rest may still complete. */
  private onGoaway(lastStreamId: number): void {
    this.closing = true;
    for (let slot = 0; slot < this.slots; slot++) {
      if ((this.streamIds[slot] as number) > lastStreamId) this.failStream(slot, 'goaway');
    }
  }

  private complete(slot: number): void {
    this.release(slot);
    if (this.measured[slot] === 1) {
      const sentAt = this.sentAt[slot] as number;
      const status = this.statuses[slot] as number;
      const stats = this.host.stats;
      stats.completed(
        this.names[slot] as number,
        status,
        this.now - (this.intendedAt[slot] as number),
        (this.firstByteAt[slot] as number) - sentAt,
        this.now - sentAt,
      );
      // An HTTP error status is already an error (http-4xx/5xx); otherwise the gRPC status decides.
      if (this.grpc && status < 400) stats.grpcStatus(this.grpcStatuses[slot] as number);
      if (this.grpcStreaming) {
        stats.grpcMessages(
          this.messageCounts[slot] as number,
          (this.firstMessageAt[slot] as number) - (this.intendedAt[slot] as number),
        );
      }
    }
  }

  private failStream(slot: number, kind: string): void {
    this.release(slot);
    this.host.stats.failed(kind, this.measured[slot] as number);
  }

  private release(slot: number): void {
    this.streams.delete(this.streamIds[slot] as number);
    this.streamIds[slot] = 0;
    this.freeSlots[this.freeTop++] = slot;
    this.count--;
  }

  /** After streams ended: a connection going away is replaced once idle; otherwise it sends what it may. */
  private afterStreams(now: number): void {
    if (this.closing && this.count === 0 && this.raw !== null) {
      this.detach()?.end();
      this.afterLoss(false);
      return;
    }
    this.fill(now);
  }

  /** Closed model: opens a stream for every free slot. */
  protected fillClosed(now: number): void {
    const n = Math.min(this.capacity - this.count, this.host.remaining);
    if (n > 0 && now < this.host.sendUntil) this.send(n, now, now, 0);
  }

  /** Opens `n` streams in one write (their bodies follow as flow control allows). */
  protected send(n: number, now: number, firstIntended: number, step: number): void {
    const host = this.host;
    n = Math.min(n, Math.floor((LAST_STREAM_ID - this.nextStreamId) / 2) + 1);
    const maxFrame = this.peer.maxFrameSize;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const request = this.encoder.encode(host.source.build(this.vu, 1, this.scratch));
      this.batch[i] = request;
      this.names[this.freeSlots[this.freeTop - 1 - i] as number] = this.scratch[0] as number;
      total += headerFramesLength(request.block.length, maxFrame);
    }
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    let measuredCount = 0;
    for (let i = 0; i < n; i++) {
      const request = this.batch[i] as H2Request;
      const streamId = this.nextStreamId;
      this.nextStreamId += 2;
      const slot = this.freeSlots[--this.freeTop] as number;
      at = writeHeaderFrames(out, at, streamId, request, maxFrame);
      const intended = firstIntended + i * step;
      this.streamIds[slot] = streamId;
      this.streams.set(streamId, slot);
      this.sentAt[slot] = now;
      this.intendedAt[slot] = intended;
      this.statuses[slot] = 0;
      this.grpcStatuses[slot] = -1;
      this.messageCounts[slot] = 0;
      this.prefixRead[slot] = 0;
      this.messageLeft[slot] = 0;
      this.sendWindow[slot] = this.peer.initialWindowSize;
      const measured = intended >= host.measureFrom ? 1 : 0;
      this.measured[slot] = measured;
      if (measured === 1) host.stats.sent(this.names[slot] as number);
      measuredCount += measured;
      if (request.body !== null) this.outbox.push({ slot, streamId, body: request.body, offset: 0 });
    }
    this.count += n;
    this.write(out);
    if (this.outbox.length > 0) this.flushBodies();
    if (this.nextStreamId > LAST_STREAM_ID) this.closing = true;
    if (measuredCount > 0) host.take(measuredCount);
  }

  /** Writes request bodies as far as the connection's and the streams' send windows allow. */
  private flushBodies(): void {
    while (this.outbox.length > 0) {
      const item = this.outbox[0] as PendingBody;
      if (this.streamIds[item.slot] !== item.streamId) {
        this.outbox.shift();
        continue;
      }
      const left = item.body.length - item.offset;
      const room = Math.min(
        this.connSendWindow,
        this.sendWindow[item.slot] as number,
        this.peer.maxFrameSize,
        left,
      );
      if (room <= 0) return;
      const last = room === left;
      this.write(
        frame(
          DATA,
          last ? END_STREAM : 0,
          item.streamId,
          item.body.subarray(item.offset, item.offset + room),
        ),
      );
      this.connSendWindow -= room;
      (this.sendWindow[item.slot] as number) -= room;
      item.offset += room;
      if (last) this.outbox.shift();
    }
  }

  /** Counts the measured in-flight streams as failed and frees every slot. */
  protected failInFlight(kind: string): void {
    let failed = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.streamIds[slot] !== 0) failed += this.measured[slot] as number;
    }
    this.host.stats.failed(kind, failed);
    this.resetSlots();
  }

  protected dropInFlight(): void {
    this.resetSlots();
  }

  private resetSlots(): void {
    this.streams.clear();
    this.streamIds.fill(0);
    for (let i = 0; i < this.slots; i++) this.freeSlots[i] = this.slots - 1 - i;
    this.freeTop = this.slots;
    this.count = 0;
    this.outbox = [];
  }

  /** Drops this connection, failing what is in flight as `kind`, and reconnects while the run goes on. */
  private fail(kind: string): void {
    this.failInFlight(kind);
    this.detach()?.destroy();
    this.afterLoss(false);
  }

  private onSocketClose(raw: net.Socket): void {
    if (this.raw !== raw) return;
    this.now = performance.now();
    if (this.count > 0) this.failInFlight('closed');
    this.detach()?.destroy();
    this.afterLoss(false);
  }
}

/** Writes a request's header block as HEADERS (+ CONTINUATION) frames at `at`; returns the end. */
function writeHeaderFrames(
  out: Buffer,
  at: number,
  streamId: number,
  request: H2Request,
  maxFrame: number,
): number {
  const { block } = request;
  const endStream = request.body === null ? END_STREAM : 0;
  let offset = 0;
  let type = HEADERS;
  do {
    const size = Math.min(maxFrame, block.length - offset);
    const last = offset + size === block.length;
    writeFrameHeader(
      out,
      at,
      size,
      type,
      (type === HEADERS ? endStream : 0) | (last ? END_HEADERS : 0),
      streamId,
    );
    block.copy(out, at + FRAME_HEADER, offset, offset + size);
    at += FRAME_HEADER + size;
    offset += size;
    type = CONTINUATION;
  } while (offset < block.length);
  return at;
}
