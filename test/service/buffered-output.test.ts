import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedOutput } from '../../src/service/buffered-output.js';
import { tempDir } from '../support/temp-dir.js';

describe('BufferedOutput', () => {
  const dir = tempDir('buffered');
  const file = join(dir, 'out.log');
  let fd = -1;
  afterEach(() => {
    closeSync(fd);
    rmSync(file, { force: true });
  });

  it('writes nothing until a batch is full or flushed, then every line whole and in order (UTF-8 included)', async () => {
    fd = openSync(file, 'w');
    const out = new BufferedOutput({ fd, minLength: 64, periodicFlush: 60_000 });
    out.write('{"a":"é"}\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    const lines = ['{"a":"é"}\n'];
    for (let i = 0; i < 10; i++) {
      const line = `{"i":${i},"s":"żółw ${'x'.repeat(i)}"}\n`;
      lines.push(line);
      out.write(line);
    }
    const written = readFileSync(file, 'utf8');
    expect(written.length).toBeGreaterThanOrEqual(64);
    expect(lines.join('').startsWith(written)).toBe(true);
    await new Promise<void>((resolve, reject) => out.flush((error) => (error ? reject(error) : resolve())));
    expect(readFileSync(file, 'utf8')).toBe(lines.join(''));
  });

  it('writes a partial batch after periodicFlush ms', async () => {
    fd = openSync(file, 'w');
    const out = new BufferedOutput({ fd, minLength: 4096, periodicFlush: 30 });
    out.write('one\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(readFileSync(file, 'utf8')).toBe('one\n');
  });
});
