/**
 * HTTP/2 requests from the request sources' HTTP/1.1 bytes: one serialisation path (single request, scenario
 * templates) feeds both protocols. The request line becomes `:method` and `:path`, `Host` becomes `:authority`,
 * connection-specific headers are dropped, names are lower-cased, and the header block is HPACK-encoded once per
 * distinct request (the single request: once per run).
 */
import { encodeHeaders } from './hpack.js';

/** A request ready to frame: its header block and its body (null without one). */
export interface H2Request {
  block: Buffer;
  body: Buffer | null;
}

/** Headers HTTP/2 forbids (RFC 9113 §8.2.2); `Host` is carried as `:authority`. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
]);
/** Distinct requests remembered per source (a scenario's fixed requests); templated ones are converted each time. */
const CACHE_LIMIT = 64;

/** Converts HTTP/1.1 request bytes (as a source builds them) into HTTP/2 requests, remembering repeats. */
export class H2RequestEncoder {
  private lastBytes: Buffer | null = null;
  private lastRequest: H2Request | null = null;
  private readonly cache = new Map<string, H2Request>();

  constructor(private readonly scheme: 'http' | 'https') {}

  /** The HTTP/2 form of one serialised HTTP/1.1 request. */
  encode(bytes: string | Buffer): H2Request {
    if (typeof bytes !== 'string') {
      if (bytes === this.lastBytes) return this.lastRequest as H2Request;
      const request = convert(bytes.toString('latin1'), 'latin1', this.scheme);
      this.lastBytes = bytes;
      this.lastRequest = request;
      return request;
    }
    const cached = this.cache.get(bytes);
    if (cached) return cached;
    const request = convert(bytes, 'utf8', this.scheme);
    if (this.cache.size < CACHE_LIMIT) this.cache.set(bytes, request);
    return request;
  }
}

function convert(text: string, encoding: BufferEncoding, scheme: string): H2Request {
  const headEnd = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, headEnd).split('\r\n');
  const [method = 'GET', path = '/'] = (lines[0] as string).split(' ');
  let authority = '';
  const regular: [string, Buffer][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'host') authority = value;
    if (DROPPED.has(name) || (name === 'te' && value.toLowerCase() !== 'trailers')) continue;
    regular.push([name, Buffer.from(value, encoding)]);
  }
  const fields: [string, Buffer][] = [
    [':method', Buffer.from(method, encoding)],
    [':scheme', Buffer.from(scheme, 'latin1')],
    [':authority', Buffer.from(authority, encoding)],
    [':path', Buffer.from(path, encoding)],
    ...regular,
  ];
  const rest = text.slice(headEnd + 4);
  const body = rest.length > 0 ? Buffer.from(rest, encoding) : null;
  return { block: encodeHeaders(fields), body };
}
