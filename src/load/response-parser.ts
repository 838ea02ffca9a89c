/**
 * A minimal incremental HTTP/1.1 response parser for the hot path: status line, `Content-Length`, chunked
 * bodies (with trailers), `Connection: close`, bodies read until close, interim 1xx responses skipped. It works on
 * bytes, allocates nothing for a typical response, and keeps no body: only the status and boundaries matter.
 *
 * Most servers answer a connection with the same head again and again (only `Date` changes, once a second), so
 * the parser remembers the last head it parsed: a response starting with exactly those bytes (one native
 * compare) is framed without scanning them. Servers whose heads always differ (a request id echoed) stop the
 * cache after a few misses.
 */

/** Where parsed responses go; the connection implements it. */
export interface ResponseSink {
  /** Whether the response now being parsed answers a HEAD request (so it has no body). */
  expectsNoBody(): boolean;
  /** A complete response: status, when its first byte arrived, whether the server asked to close. */
  onResponse(status: number, firstByteAt: number, close: boolean): void;
}

/** The response stream broke the protocol; the connection counts it as `malformed` and reconnects. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const TRAILER = 4;
const UNTIL_CLOSE = 5;

const MAX_HEAD_BYTES = 64 * 1024;
/** Longest head the cache keeps. */
const CACHED_HEAD_BYTES = 1024;
/** Misses after which a connection whose heads keep changing stops trying the cache. */
const CACHE_GIVE_UP = 64;
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const CHUNKED = Buffer.from('chunked');
const CLOSE = Buffer.from('close');
const KEEP_ALIVE = Buffer.from('keep-alive');

/** Compares `buf[pos…]` case-insensitively with a lower-case ASCII literal. */
function matchesLower(buf: Buffer, pos: number, literal: Buffer): boolean {
  for (let i = 0; i < literal.length; i++) {
    if (((buf[pos + i] as number) | 0x20) !== literal[i]) return false;
  }
  return true;
}

/** Incremental parser for one connection's response stream. */
export class ResponseParser {
  private state = HEAD;
  private pending: Buffer | null = null;
  private inResponse = false;
  private firstByteAt = 0;
  private status = 0;
  private headBytes = 0;
  private contentLength = -1;
  private chunked = false;
  private close = false;
  private remaining = 0;
  /** Where the head being parsed started in the current buffer; -1 when it began in an earlier one. */
  private headStart = -1;
  private cache: Buffer | null = null;
  private cacheLength = 0;
  private cacheStatus = 0;
  private cacheContentLength = -1;
  private cacheChunked = false;
  private cacheClose = false;
  private cacheHits = 0;
  private cacheMisses = 0;

  constructor(private readonly sink: ResponseSink) {}

  /** Discards any partial state (after the socket was replaced). */
  reset(): void {
    this.state = HEAD;
    this.pending = null;
    this.inResponse = false;
    this.status = 0;
    this.headBytes = 0;
  }

  /**
   * The socket ended: a body read until close is complete now. Returns false when a response was cut short.
   */
  end(): boolean {
    if (this.state === UNTIL_CLOSE) {
      this.complete();
      return true;
    }
    return !this.inResponse;
  }

  /**
   * Parses `chunk[0…length)`; `now` is when the bytes arrived. Calls the sink for every complete response. The
   * chunk may be a shared read buffer: nothing refers to it after the call.
   * @throws MalformedResponseError when the bytes are not an HTTP/1.x response stream.
   */
  feed(chunk: Buffer, length: number, now: number): void {
    let buf = chunk;
    let len = length;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk.subarray(0, length)]);
      len = buf.length;
      this.pending = null;
    }
    let pos = 0;
    while (pos < len) {
      switch (this.state) {
        case HEAD: {
          if (!this.inResponse) {
            this.inResponse = true;
            this.firstByteAt = now;
            const n = this.cacheLength;
            if (n > 0 && len - pos >= n && buf.compare(this.cache as Buffer, 0, n, pos, pos + n) === 0) {
              this.cacheHits++;
              this.status = this.cacheStatus;
              this.contentLength = this.cacheContentLength;
              this.chunked = this.cacheChunked;
              this.close = this.cacheClose;
              pos += n;
              this.endOfHead();
              break;
            }
            this.headStart = pos;
          }
          // Scan the line in JS (cheaper than a native call per short header line), noting the first colon.
          let nl = pos;
          let colon = -1;
          for (; nl < len; nl++) {
            const c = buf[nl];
            if (c === 10) break;
            if (c === 58 && colon === -1) colon = nl;
          }
          if (nl === len) {
            this.headStart = -1;
            this.stash(buf, pos, len);
            return;
          }
          let end = nl;
          if (end > pos && buf[end - 1] === 13) end--;
          this.headBytes += nl + 1 - pos;
          if (this.headBytes > MAX_HEAD_BYTES) throw new MalformedResponseError('response head over 64 KiB');
          if (this.status === 0) this.statusLine(buf, pos, end);
          else if (end === pos) {
            this.remember(buf, nl + 1);
            this.endOfHead();
          } else this.header(buf, pos, end, colon);
          pos = nl + 1;
          break;
        }
        case BODY: {
          const take = Math.min(this.remaining, len - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case CHUNK_SIZE: {
          const nl = buf.indexOf(10, pos);
          if (nl === -1 || nl >= len) {
            this.stash(buf, pos, len);
            return;
          }
          const size = this.chunkSize(buf, pos, nl);
          pos = nl + 1;
          if (size === 0) this.state = TRAILER;
          else {
            this.remaining = size + 2; // data and its CRLF
            this.state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, len - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = CHUNK_SIZE;
          break;
        }
        case TRAILER: {
          const nl = buf.indexOf(10, pos);
          if (nl === -1 || nl >= len) {
            this.stash(buf, pos, len);
            return;
          }
          const empty = nl === pos || (nl === pos + 1 && buf[pos] === 13);
          pos = nl + 1;
          if (empty) this.complete();
          break;
        }
        default: // UNTIL_CLOSE: everything up to the end of the stream is body.
          pos = len;
      }
    }
  }

  private stash(buf: Buffer, pos: number, len: number): void {
    if (len - pos > MAX_HEAD_BYTES) throw new MalformedResponseError('response line over 64 KiB');
    this.pending = Buffer.from(buf.subarray(pos, len));
  }

  /** Keeps the head just parsed (`buf[headStart…end)`) for the next response, unless the cache gave up. */
  private remember(buf: Buffer, end: number): void {
    const start = this.headStart;
    this.headStart = -1;
    if (start < 0 || this.status < 200 || end - start > CACHED_HEAD_BYTES) return;
    if (this.cacheLength > 0 && ++this.cacheMisses > CACHE_GIVE_UP && this.cacheMisses > this.cacheHits) {
      this.cacheLength = -1; // heads keep changing: stop comparing
    }
    if (this.cacheLength < 0) return;
    this.cache ??= Buffer.allocUnsafe(CACHED_HEAD_BYTES);
    this.cacheLength = buf.copy(this.cache, 0, start, end);
    this.cacheStatus = this.status;
    this.cacheContentLength = this.contentLength;
    this.cacheChunked = this.chunked;
    this.cacheClose = this.close;
  }

  private statusLine(buf: Buffer, pos: number, end: number): void {
    // "HTTP/1.1 200 OK": the protocol, a space, three digits.
    if (
      end - pos < 12 ||
      buf[pos] !== 0x48 ||
      buf[pos + 1] !== 0x54 ||
      buf[pos + 2] !== 0x54 ||
      buf[pos + 3] !== 0x50 ||
      buf[pos + 4] !== 0x2f ||
      buf[pos + 8] !== 0x20
    ) {
      throw new MalformedResponseError('not an HTTP/1.x status line');
    }
    const d0 = (buf[pos + 9] as number) - 48;
    const d1 = (buf[pos + 10] as number) - 48;
    const d2 = (buf[pos + 11] as number) - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9)
      throw new MalformedResponseError('bad status code');
    this.status = d0 * 100 + d1 * 10 + d2;
    this.contentLength = -1;
    this.chunked = false;
    // HTTP/1.0 closes unless it says keep-alive; we send HTTP/1.1, so treat 1.0 answers as closing.
    this.close = buf[pos + 7] === 0x30;
  }

  private header(buf: Buffer, pos: number, end: number, colon: number): void {
    if (colon === -1 || colon >= end) throw new MalformedResponseError('header line without a colon');
    const nameLength = colon - pos;
    let v = colon + 1;
    while (v < end && (buf[v] === 32 || buf[v] === 9)) v++;
    let e = end;
    while (e > v && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
    if (nameLength === 14 && matchesLower(buf, pos, CONTENT_LENGTH)) {
      let n = 0;
      let digits = 0;
      for (; v < e; v++, digits++) {
        const d = (buf[v] as number) - 48;
        if (d < 0 || d > 9) break;
        n = n * 10 + d;
      }
      if (digits === 0) throw new MalformedResponseError('bad Content-Length');
      this.contentLength = n;
    } else if (nameLength === 17 && matchesLower(buf, pos, TRANSFER_ENCODING)) {
      // The last coding decides: "gzip, chunked" is chunked.
      this.chunked = e - v >= CHUNKED.length && matchesLower(buf, e - CHUNKED.length, CHUNKED);
    } else if (nameLength === 10 && matchesLower(buf, pos, CONNECTION)) {
      if (e - v === CLOSE.length && matchesLower(buf, v, CLOSE)) this.close = true;
      else if (e - v === KEEP_ALIVE.length && matchesLower(buf, v, KEEP_ALIVE)) this.close = false;
      else if (buf.toString('latin1', v, e).toLowerCase().includes('close')) this.close = true;
    }
  }

  private endOfHead(): void {
    const status = this.status;
    this.status = 0;
    this.headBytes = 0;
    if (status < 200) {
      if (status === 101) throw new MalformedResponseError('unexpected protocol switch');
      return; // interim response (100 Continue, 103 Early Hints): the real one follows
    }
    this.status = status;
    if (this.sink.expectsNoBody() || status === 204 || status === 304) this.complete();
    else if (this.chunked) this.state = CHUNK_SIZE;
    else if (this.contentLength > 0) {
      this.remaining = this.contentLength;
      this.state = BODY;
    } else if (this.contentLength === 0) this.complete();
    else this.state = UNTIL_CLOSE;
  }

  private chunkSize(buf: Buffer, pos: number, nl: number): number {
    let size = 0;
    let digits = 0;
    for (let i = pos; i < nl; i++, digits++) {
      const c = (buf[i] as number) | 0x20;
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else break; // CR, or a chunk extension
      size = size * 16 + d;
    }
    if (digits === 0) throw new MalformedResponseError('bad chunk size');
    return size;
  }

  private complete(): void {
    const status = this.status;
    const close = this.close;
    this.state = HEAD;
    this.status = 0;
    this.headBytes = 0;
    this.inResponse = false;
    this.sink.onResponse(status, this.firstByteAt, close);
  }
}
