/** The HTTP/2 client's HPACK subset against RFC 7541's own examples (Appendix C.6: Huffman-coded responses). */
import { describe, expect, it } from 'vitest';
import { decodeHead, encodeHeaders, HpackError, type ResponseHead } from '../../src/load/http2/hpack.js';

const head = (hex: string): ResponseHead => {
  const block = Buffer.from(hex.replace(/\s/g, ''), 'hex');
  const out = { status: -1, grpcStatus: -2 };
  decodeHead(block, 0, block.length, out);
  return out;
};
const status = (hex: string) => head(hex).status;

describe('decodeHead', () => {
  it('reads Huffman-coded statuses (RFC 7541 C.6.1 and C.6.2) and skips the other headers', () => {
    // C.6.1, first response: :status 302, cache-control private, date, location — all Huffman-coded.
    expect(
      status(`4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
              2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`),
    ).toBe(302);
    // C.6.2, :status 307 (17 bits, 7 bits of padding).
    expect(status('4883 640e ff')).toBe(307);
  });

  it('reads static and plain statuses, and a block without one (trailers) as 0', () => {
    expect(status('88')).toBe(200);
    expect(status('8d')).toBe(404);
    expect(status('20 0803 353033')).toBe(503);
    expect(head('0f10 0474 6578 74')).toEqual({ status: 0, grpcStatus: -1 });
  });

  it('reads grpc-status from trailers, its name plain or Huffman-coded', () => {
    const plain = Buffer.concat([
      Buffer.from([0x00, 11]),
      Buffer.from('grpc-status'),
      Buffer.from([1]),
      Buffer.from('5'),
    ]);
    expect(head(plain.toString('hex'))).toEqual({ status: 0, grpcStatus: 5 });
    // 0x88: 8 bytes, Huffman-coded: "grpc-status" as nghttp2 sends it (checked against grpc-js in grpc.test.ts).
    expect(head('00 889acac8b21234da8f 01 30')).toEqual({ status: 0, grpcStatus: 0 });
    expect(head('88 00 889acac8b21234da8f 02 3134')).toEqual({ status: 200, grpcStatus: 14 });
  });

  it('refuses a dynamic table reference (the client allows no table) and truncated blocks', () => {
    expect(() => status('be')).toThrow(HpackError);
    expect(() => status('4883 64')).toThrow(HpackError);
  });
});

it('encodes requests with the static table: exact pairs indexed, other values literal', () => {
  const block = encodeHeaders([
    [':method', Buffer.from('GET')],
    [':scheme', Buffer.from('http')],
    [':path', Buffer.from('/a')],
    ['x-id', Buffer.from('7')],
  ]);
  // 0x82 :method GET, 0x86 :scheme http, 0x04 :path by name + "/a", 0x00 new name "x-id" + "7".
  expect(block.toString('hex')).toBe('8286' + '04022f61' + '0004782d6964' + '0137');
});
