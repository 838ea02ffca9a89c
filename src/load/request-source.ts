/**
 * Where a connection's request bytes come from: one prebuilt request (built once, with every pipelined batch
 * prebuilt as a slice of a run of copies) or a compiled scenario (only the varying slots rendered per request).
 */

import { hasHeader, requestHead } from './request-bytes.js';
import type { VirtualUserRuntime } from './scenario/virtual-user.js';

/** Builds request bytes for a connection. */
export interface RequestSource {
  /** Request names; a response is attributed to its request's index. */
  readonly names: readonly string[];
  /** Per name: whether responses have no body (HEAD). */
  readonly noBody: readonly boolean[];
  /** Bytes of `n` requests for virtual user `vu`; writes each request's name index into `out[0…n)`. */
  build(vu: VirtualUserRuntime, n: number, out: Int32Array): string | Buffer;
}

/** The single-request mode: the same bytes every time. */
export class StaticSource implements RequestSource {
  readonly names: readonly string[];
  readonly noBody: readonly boolean[];
  /** `batches[n]`: n copies of the request back to back (index 0 unused). */
  private readonly batches: Buffer[];

  /** `maxBatch`: the most requests one `build` call is asked for (the pipelining depth). */
  constructor(
    method: string,
    path: string,
    hostHeader: string,
    headers: Record<string, string>,
    body: Uint8Array | null,
    maxBatch: number,
  ) {
    const list = Object.entries(headers);
    if (body !== null && !hasHeader(list, 'content-type'))
      list.push(['Content-Type', 'application/octet-stream']);
    const head = requestHead(method, path, hostHeader, list, body ? body.length : null);
    const one = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
    const run = Buffer.concat(Array.from({ length: Math.max(1, maxBatch) }, () => one));
    this.batches = Array.from({ length: Math.max(1, maxBatch) + 1 }, (_, n) =>
      run.subarray(0, n * one.length),
    );
    this.names = [`${method} ${path}`];
    this.noBody = [method === 'HEAD'];
  }

  build(_vu: VirtualUserRuntime, n: number, out: Int32Array): Buffer {
    out.fill(0, 0, n);
    return this.batches[n] as Buffer;
  }
}
