import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newRequestId, requestId } from '../../src/service/request-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Ids minted by a fresh process (its own random prefix), as a cluster worker or a restart would. */
async function idsOfAnotherProcess(): Promise<string[]> {
  const script =
    "const { newRequestId } = await import('./src/service/request-id.ts'); console.log(newRequestId(), newRequestId())";
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
    },
  );
  return stdout.trim().split(' ');
}

describe('request ids', () => {
  it('keeps a sane X-Request-Id and mints UUID-shaped ids otherwise, all distinct', () => {
    const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as never;
    expect(requestId(req('abc-123'))).toBe('abc-123');
    const minted = [
      requestId(req('bad id')),
      requestId(req()),
      ...Array.from({ length: 10_000 }, newRequestId),
    ];
    for (const id of minted) expect(id).toMatch(UUID_V4);
    expect(new Set(minted).size).toBe(minted.length);
  });

  it('differs between processes (per-process random prefix)', async () => {
    const [a, b] = await Promise.all([idsOfAnotherProcess(), idsOfAnotherProcess()]);
    const all = [...(a ?? []), ...(b ?? []), newRequestId()];
    expect(all).toHaveLength(5);
    for (const id of all) expect(id).toMatch(UUID_V4);
    expect(new Set(all.map((id) => id.slice(0, 24))).size).toBe(3);
  });
});
