/**
 * The little HPACK (RFC 7541) a load generator needs. Requests are encoded with the static table only (exact
 * matches indexed, other names by index, values literal, never into the server's dynamic table), so encoding is
 * stateless and a request's header block is built once. Responses: the client advertises a header table size
 * of 0, so the server's encoder keeps no dynamic table and a header block can be scanned without state; only
 * `:status` and gRPC's `grpc-status` are decoded (plain or Huffman-coded digits), everything else is skipped by
 * its length.
 */

/** The static table's names (index 1…61). */
const STATIC_NAMES = [
  ':authority',
  ':method',
  ':method',
  ':path',
  ':path',
  ':scheme',
  ':scheme',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'accept',
  'access-control-allow-origin',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-range',
  'content-type',
  'cookie',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'link',
  'location',
  'max-forwards',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'refresh',
  'retry-after',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'user-agent',
  'vary',
  'via',
  'www-authenticate',
];
const STATIC_COUNT = STATIC_NAMES.length;
/** Static entries with a value: `name value` → index. */
const STATIC_PAIRS = new Map([
  [':method GET', 2],
  [':method POST', 3],
  [':path /', 4],
  [':path /index.html', 5],
  [':scheme http', 6],
  [':scheme https', 7],
  ['accept-encoding gzip, deflate', 16],
]);
const NAME_INDEX = new Map<string, number>();
STATIC_NAMES.forEach((name, i) => {
  if (!NAME_INDEX.has(name)) NAME_INDEX.set(name, i + 1);
});
/** Statuses of static entries 8…14. */
const STATIC_STATUS = [200, 204, 206, 304, 400, 404, 500];

/** A header block violates HPACK or uses state the client did not allow; the response is `malformed`. */
export class HpackError extends Error {
  override name = 'HpackError';
}

function pushInt(out: number[], value: number, prefixBits: number, first: number): void {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    out.push(first | value);
    return;
  }
  out.push(first | max);
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function pushString(out: number[], bytes: Buffer): void {
  pushInt(out, bytes.length, 7, 0);
  for (const b of bytes) out.push(b);
}

/**
 * Encodes a request's header list (pseudo-headers first, names lower-case) with the static table only: no
 * Huffman, nothing added to the server's dynamic table.
 */
export function encodeHeaders(fields: readonly (readonly [string, Buffer])[]): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const exact = STATIC_PAIRS.get(`${name} ${value.toString('latin1')}`);
    if (exact !== undefined) {
      pushInt(out, exact, 7, 0x80);
      continue;
    }
    const index = NAME_INDEX.get(name) ?? 0;
    pushInt(out, index, 4, 0x00);
    if (index === 0) pushString(out, Buffer.from(name, 'latin1'));
    pushString(out, value);
  }
  return Buffer.from(out);
}

/** Reads a header block's integers and string literals from `pos` on. */
class Reader {
  pos = 0;
  constructor(
    private readonly block: Buffer,
    private readonly end: number,
  ) {}

  int(prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let value = (this.byte() as number) & max;
    if (value < max) return value;
    let shift = 1;
    for (;;) {
      const b = this.byte();
      value += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return value;
      shift *= 128;
      if (shift > 2 ** 28) throw new HpackError('integer too long');
    }
  }

  byte(): number {
    if (this.pos >= this.end) throw new HpackError('truncated header block');
    return this.block[this.pos++] as number;
  }

  /** Skips a string literal; returns its [huffman, start, length]. */
  string(): [boolean, number, number] {
    const huffman = ((this.block[this.pos] as number) & 0x80) !== 0;
    const length = this.int(7);
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new HpackError('truncated string');
    return [huffman, start, length];
  }
}

/**
 * Decodes a status written as digits, plain or Huffman-coded (RFC 7541 Appendix B: `0`–`2` are the 5-bit codes
 * 0–2, `3`–`9` the 6-bit codes 0x19–0x1f; the padding is all ones).
 */
function statusDigits(block: Buffer, start: number, length: number, huffman: boolean): number {
  let status = 0;
  if (!huffman) {
    for (let i = start; i < start + length; i++) {
      const d = (block[i] as number) - 48;
      if (d < 0 || d > 9) throw new HpackError('non-digit status');
      status = status * 10 + d;
    }
    return status;
  }
  const totalBits = length * 8;
  const bit = (at: number) => ((block[start + (at >> 3)] as number) >> (7 - (at & 7))) & 1;
  const bits = (at: number, n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | bit(at + i);
    return v;
  };
  let at = 0;
  while (totalBits - at >= 5) {
    const five = bits(at, 5);
    if (five <= 2) {
      status = status * 10 + five;
      at += 5;
      continue;
    }
    const six = totalBits - at >= 6 ? bits(at, 6) : -1;
    if (six < 0x19 || six > 0x1f) break;
    status = status * 10 + six - 0x19 + 3;
    at += 6;
  }
  const rest = totalBits - at;
  if (rest >= 8 || bits(at, rest) !== (1 << rest) - 1) throw new HpackError('non-digit status');
  return status;
}

const STATUS_NAME = Buffer.from(':status');
const GRPC_STATUS_NAME = Buffer.from('grpc-status');
/** `grpc-status` Huffman-coded (RFC 7541 Appendix B codes of its letters, padded with ones). */
const GRPC_STATUS_HUFFMAN = (() => {
  const codes: Record<string, [number, number]> = {
    g: [0x26, 6],
    r: [0x2c, 6],
    p: [0x2b, 6],
    c: [0x4, 5],
    '-': [0x16, 6],
    s: [0x8, 5],
    t: [0x9, 5],
    a: [0x3, 5],
    u: [0x2d, 6],
  };
  const bits = [...'grpc-status']
    .map((ch) => {
      const [code, length] = codes[ch] as [number, number];
      return code.toString(2).padStart(length, '0');
    })
    .join('');
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1');
  return Buffer.from(
    Array.from({ length: padded.length / 8 }, (_, i) => Number.parseInt(padded.slice(i * 8, i * 8 + 8), 2)),
  );
})();

/** What a response header block says: `:status` (0 when absent, as in trailers), `grpc-status` (-1 when absent). */
export interface ResponseHead {
  status: number;
  grpcStatus: number;
}

const OTHER = 0;
const STATUS = 1;
const GRPC_STATUS = 2;

/** Which of the decoded headers a literal name is. */
function literalName(block: Buffer, at: number, length: number, huffman: boolean): number {
  const name = block.subarray(at, at + length);
  if (huffman) return name.equals(GRPC_STATUS_HUFFMAN) ? GRPC_STATUS : OTHER;
  if (name.equals(STATUS_NAME)) return STATUS;
  return name.equals(GRPC_STATUS_NAME) ? GRPC_STATUS : OTHER;
}

/**
 * Decodes `:status` and `grpc-status` of a response header block encoded without a dynamic table into `out`.
 * @throws HpackError for a malformed block or a reference to a dynamic table entry.
 */
export function decodeHead(block: Buffer, start: number, end: number, out: ResponseHead): void {
  const r = new Reader(block, end);
  r.pos = start;
  out.status = 0;
  out.grpcStatus = -1;
  while (r.pos < end) {
    const b = block[r.pos] as number;
    if (b & 0x80) {
      const index = r.int(7);
      if (index === 0 || index > STATIC_COUNT) throw new HpackError(`no such table entry ${index}`);
      if (index >= 8 && index <= 14) out.status = STATIC_STATUS[index - 8] as number;
      continue;
    }
    if ((b & 0xe0) === 0x20) {
      r.int(5);
      continue;
    }
    const index = r.int((b & 0xc0) === 0x40 ? 6 : 4);
    if (index > STATIC_COUNT) throw new HpackError(`no such table entry ${index}`);
    let kind = index >= 8 && index <= 14 ? STATUS : OTHER;
    if (index === 0) {
      const [huffman, at, length] = r.string();
      kind = literalName(block, at, length, huffman);
    }
    const [huffman, at, length] = r.string();
    if (kind === STATUS) out.status = statusDigits(block, at, length, huffman);
    else if (kind === GRPC_STATUS) out.grpcStatus = statusDigits(block, at, length, huffman);
  }
}
