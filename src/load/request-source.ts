/**
 * Where a connection's request bytes come from: one prebuilt request (built once, batches are slices of a
 * prebuilt run of copies) or a compiled scenario (only the varying slots rendered per request).
 */

import { requestHead } from './request-bytes.js';
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
  private readonly one: Buffer;
  private readonly batch: Buffer;

  /** `maxBatch`: the most requests one `build` call is asked for (the pipelining depth). */
  constructor(
    method: string,
    path: string,
    hostHeader: string,
    headers: Record<string, string>,
    body: Uint8Array | null,
    maxBatch: number,
  ) {
    const withType =
      body !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
        ? { ...headers, 'Content-Type': 'application/octet-stream' }
        : headers;
    const head = requestHead(method, path, hostHeader, Object.entries(withType), body ? body.length : null);
    this.one = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
    this.batch = Buffer.concat(Array.from({ length: Math.max(1, maxBatch) }, () => this.one));
    this.names = [`${method} ${path}`];
    this.noBody = [method === 'HEAD'];
  }

  build(_vu: VirtualUserRuntime, n: number, out: Int32Array): Buffer {
    out.fill(0, 0, n);
    return n === 1 ? this.one : this.batch.subarray(0, n * this.one.length);
  }
}
