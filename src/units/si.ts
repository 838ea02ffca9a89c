/** Numbers with SI suffixes, as load tools write them: `10k` = 10,000, `1.5M` = 1,500,000 (k, M, G; any case). */

const SI: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/**
 * Parses a non-negative number with an optional SI suffix; NaN when it does not parse.
 * @example parseSi('10k') // 10000
 */
export function parseSi(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmg]?)\s*$/i.exec(text);
  return match ? Number(match[1]) * (SI[(match[2] as string).toLowerCase()] as number) : Number.NaN;
}
