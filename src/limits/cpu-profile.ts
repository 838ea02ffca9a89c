/**
 * The knee profile: fetch a CPU profile from the target's `/debug/pprof/profile?seconds=N` (gzip'd pprof
 * protobuf), save it where `go tool pprof` / `pprof` can open it, and rank functions by self time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { background, type Context, withTimeout } from '../context/index.js';
import { withSlash } from './metrics-snapshot.js';
import type { TopFunction } from './types.js';

/**
 * Downloads a CPU profile covering the next `seconds`; returns the raw (gzip'd) bytes. Gives up when `ctx` ends
 * (Ctrl-C does not wait for the profile) or 15 s after the profile should have come.
 */
export async function fetchCpuProfile(
  admin: string,
  seconds: number,
  headers?: Record<string, string>,
  ctx: Context = background(),
): Promise<Uint8Array> {
  const url = new URL(`debug/pprof/profile?seconds=${seconds}`, withSlash(admin));
  const [download, cancel] = withTimeout(ctx, (seconds + 15) * 1000);
  try {
    const response = await fetch(url, { headers, signal: download.signal });
    if (!response.ok) throw new Error(`GET ${url.pathname} → ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  } finally {
    cancel();
  }
}

/** Writes the profile to `path`, creating its folder. */
export async function saveProfile(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** What a CPU profile says: where the time went, and how busy the event loop was. */
export interface ProfileSummary {
  /** Functions by self time, as a share of the non-idle time. */
  topFunctions: TopFunction[];
  /** Non-idle time / profile duration (0..1; null when the profile has no duration): ~1 means the loop never rested. */
  busyShare: number | null;
}

/**
 * Ranks functions by self time (the leaf frame of each sample), as a percentage of the non-idle time (the `wall`
 * sample type when present, else `cpu`, else the sample count). Accepts gzip'd or plain pprof.
 */
export function analyseProfile(bytes: Uint8Array, limit = 10): ProfileSummary {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const profile = Profile.decode(raw);
  const strings = profile.stringTable.strings;
  const typeNames = profile.sampleType.map((t) => strings[Number(t.type)] ?? '');
  const valueIndex =
    ['wall', 'cpu', 'samples', 'sample'].map((n) => typeNames.indexOf(n)).find((i) => i >= 0) ?? 0;
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const self = new Map<string, { file: string; line: number; value: number }>();
  let total = 0;
  for (const sample of profile.sample) {
    const value = Number(sample.value[valueIndex] ?? 0);
    const leaf = locations.get(Number(sample.locationId[0] ?? -1));
    const line = leaf?.line[0];
    const fn = line ? functions.get(Number(line.functionId)) : undefined;
    const name = (fn && strings[Number(fn.name)]) || '(anonymous)';
    if (value <= 0 || name === '(idle)') continue;
    total += value;
    const file = (fn && strings[Number(fn.filename)]) || '';
    const key = `${name}\u0000${file}`;
    const entry = self.get(key) ?? { file, line: Number(line?.line || fn?.startLine || 0), value: 0 };
    entry.value += value;
    self.set(key, entry);
  }
  const durationNanos = Number(profile.durationNanos);
  const isTime = typeNames[valueIndex] === 'wall' || typeNames[valueIndex] === 'cpu';
  const busyShare = isTime && durationNanos > 0 ? Math.min(1, total / durationNanos) : null;
  if (total === 0) return { topFunctions: [], busyShare };
  const topFunctions = [...self.entries()]
    .map(([key, entry]) => ({
      name: key.split('\u0000')[0] as string,
      file: entry.file,
      line: entry.line,
      selfPct: Math.round((entry.value / total) * 1000) / 10,
    }))
    .sort((a, b) => b.selfPct - a.selfPct)
    .slice(0, limit);
  return { topFunctions, busyShare };
}
