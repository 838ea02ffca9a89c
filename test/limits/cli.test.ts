import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitsResult } from '../../src/limits/index.js';
import { runSourceCli } from '../support/source-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { type Running, startQueueServer } from './helpers/synthetic-servers.js';

const cli = (args: string[]) => runSourceCli(['limits', ...args]);

describe('headroom limits (CLI)', () => {
  let server: Running;
  beforeAll(async () => {
    server = await startQueueServer(4, 5);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('ends an impossible SLO with "no rate meets the SLO", exit 1, quickly', async () => {
    const dir = tempDir('limits');
    const json = join(dir, 'limits.json');
    const run = await cli([server.url, '--slo', 'p99<1us', '--step', '1s', '-o', json]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no rate meets the SLO');
    expect(run.stderr).toMatch(/calibrate\s+25 req\/s/);
    expect(run.ms).toBeLessThan(15_000);
    const result = JSON.parse(await readFile(json, 'utf8')) as LimitsResult;
    expect(result.schema).toBe('headroom.limits/v1');
    expect(result.outcome).toBe('no-rate-meets-slo');
    expect(result.capacity).toBeNull();
    expect(result.slo).toEqual(['p99<1us', 'errors<1%']);
    expect(result.steps[0]?.pass).toBe(false);
  });

  it('exits 2 with one line for an unreachable target', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const run = await cli([`http://127.0.0.1:${port}/`]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot reach .*ECONNREFUSED/);
  });

  it('exits 2 for bad flags', async () => {
    const bad = [
      ['--precision', '200%'],
      ['--slo', 'p99<fast'],
      ['--slo', 'rps>100'],
      ['--max-rate', '-1'],
      ['--step', 'soon'],
    ];
    // Refused before any load: the processes can start at once.
    const [notUrl, ...runs] = await Promise.all([
      cli(['not a url']),
      ...bad.map((args) => cli([server.url, ...args])),
    ]);
    runs.forEach((run, i) => {
      expect(run.code, bad[i]!.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), bad[i]!.join(' ')).toHaveLength(1);
    });
    expect(notUrl!.code).toBe(2);
  });
});
