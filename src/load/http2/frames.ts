/**
 * HTTP/2 framing (RFC 9113) for the client side of a load generator: frame types, flags, settings, and the few
 * frames it writes besides requests (preface, SETTINGS and its ACK, PING ACK, WINDOW_UPDATE, RST_STREAM).
 */

/** Frame types. */
export const DATA = 0x0;
export const HEADERS = 0x1;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const PING = 0x6;
export const GOAWAY = 0x7;
export const WINDOW_UPDATE = 0x8;
export const CONTINUATION = 0x9;

/** Flags. */
export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;
export const PRIORITY = 0x20;

/** Settings identifiers. */
export const SETTINGS_HEADER_TABLE_SIZE = 0x1;
export const SETTINGS_ENABLE_PUSH = 0x2;
export const SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
export const SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
export const SETTINGS_MAX_FRAME_SIZE = 0x5;

/** RST_STREAM error code CANCEL. */
export const CANCEL = 0x8;
/** The frame header's length. */
export const FRAME_HEADER = 9;
/** The largest frame payload before SETTINGS_MAX_FRAME_SIZE says otherwise (both ways: the client keeps it). */
export const DEFAULT_MAX_FRAME_SIZE = 16384;
/** The largest flow-control window. */
export const MAX_WINDOW = 2 ** 31 - 1;
/** Both sides' initial flow-control window before SETTINGS. */
export const DEFAULT_WINDOW = 65535;

/** Writes a frame header at `at`. */
export function writeFrameHeader(
  buf: Buffer,
  at: number,
  length: number,
  type: number,
  flags: number,
  streamId: number,
): void {
  buf[at] = length >>> 16;
  buf[at + 1] = (length >>> 8) & 0xff;
  buf[at + 2] = length & 0xff;
  buf[at + 3] = type;
  buf[at + 4] = flags;
  buf.writeUInt32BE(streamId, at + 5);
}

/** One frame with its payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  writeFrameHeader(buf, 0, payload.length, type, flags, streamId);
  payload.copy(buf, FRAME_HEADER);
  return buf;
}

/** A WINDOW_UPDATE frame. */
export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(increment, 0);
  return frame(WINDOW_UPDATE, 0, streamId, payload);
}

/** An RST_STREAM frame. */
export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(code, 0);
  return frame(RST_STREAM, 0, streamId, payload);
}

/** A SETTINGS ACK. */
export const SETTINGS_ACK = frame(SETTINGS, ACK, 0, Buffer.alloc(0));

/**
 * What the client sends first: the connection preface, its SETTINGS (no server push, no dynamic header table for
 * responses, the largest stream window) and a WINDOW_UPDATE that opens the connection window as wide.
 */
export const CLIENT_PREFACE = (() => {
  const settings = Buffer.allocUnsafe(18);
  [
    [SETTINGS_HEADER_TABLE_SIZE, 0],
    [SETTINGS_ENABLE_PUSH, 0],
    [SETTINGS_INITIAL_WINDOW_SIZE, MAX_WINDOW],
  ].forEach(([id, value], i) => {
    settings.writeUInt16BE(id as number, i * 6);
    settings.writeUInt32BE(value as number, i * 6 + 2);
  });
  return Buffer.concat([
    Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
    frame(SETTINGS, 0, 0, settings),
    windowUpdate(0, MAX_WINDOW - DEFAULT_WINDOW),
  ]);
})();

/** The server's settings the client acts on. */
export interface PeerSettings {
  /** SETTINGS_MAX_CONCURRENT_STREAMS, Infinity when the server sets none. */
  maxConcurrentStreams: number;
  initialWindowSize: number;
  maxFrameSize: number;
}

/** Default settings of a peer that has not said otherwise. */
export function defaultPeerSettings(): PeerSettings {
  return {
    maxConcurrentStreams: Number.POSITIVE_INFINITY,
    initialWindowSize: DEFAULT_WINDOW,
    maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  };
}

/** Applies a SETTINGS payload to `settings`; returns the change of the initial window size. */
export function applySettings(settings: PeerSettings, buf: Buffer, start: number, length: number): number {
  let windowDelta = 0;
  for (let at = start; at + 6 <= start + length; at += 6) {
    const id = buf.readUInt16BE(at);
    const value = buf.readUInt32BE(at + 2);
    if (id === SETTINGS_MAX_CONCURRENT_STREAMS) settings.maxConcurrentStreams = value;
    else if (id === SETTINGS_INITIAL_WINDOW_SIZE) {
      windowDelta += value - settings.initialWindowSize;
      settings.initialWindowSize = value;
    } else if (id === SETTINGS_MAX_FRAME_SIZE) settings.maxFrameSize = value;
  }
  return windowDelta;
}
