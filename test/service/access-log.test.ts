/** The access line's number formatting: the same text JSON gives for the duration rounded to µs. */
import { describe, expect, it } from 'vitest';
import { milliseconds } from '../../src/service/access-log.js';

describe('milliseconds', () => {
  it('writes ms rounded to µs exactly as JSON.stringify(Math.round(ms * 1000) / 1000)', () => {
    const fixed = [
      0, -0, 0.0004, 0.0005, 1, 12, 0.5, 1.25, 0.1, 0.001, 0.01, 0.07, 999.999, 1e6, 2147483.647,
    ];
    const random = Array.from({ length: 20_000 }, (_, i) => ((i * 7919) % 100_003) / 10 ** (i % 7));
    for (const ms of [...fixed, ...random, 2 ** 40, -3.2]) {
      expect(milliseconds(ms), String(ms)).toBe(JSON.stringify(Math.round(ms * 1000) / 1000));
    }
  });
});
