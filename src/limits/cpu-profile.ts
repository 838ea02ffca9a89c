/**
 * The knee profile: fetch a CPU profile from the target's `/debug/pprof/profile?seconds=N` (gzip'd pprof
 * protobuf), save it where `go tool pprof` / `pprof` can open it, rank functions and packages by self time, and
 * build the call tree the HTML report draws as a flame graph.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { background, type Context, withTimeout } from '../context/index.js';
import { withSlash } from './metrics-snapshot.js';
import { attributeStack, type Frame, OWN_CODE } from './profile-packages.js';
import { ProfileTreeBuilder } from './profile-tree.js';
import type { PackageShare, ProfileNode, TopFunction } from './types.js';

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
  /** The hottest functions by self time, plus your code's hottest, as a share of the non-idle time. */
  topFunctions: TopFunction[];
  /** Self time by package (`profile-packages.ts`), largest first. */
  packages: PackageShare[];
  /** The call tree, pruned for the flame graph; null when the profile holds no busy time. */
  tree: ProfileNode | null;
  /** Non-idle time / profile duration (0..1; null when the profile has no duration): ~1 means the loop never rested. */
  busyShare: number | null;
}

/** Your code's hottest functions are listed even when packages hold the top places. */
const OWN_FUNCTIONS = 5;
/** At most this many packages are listed. */
const MAX_PACKAGES = 20;

/**
 * Ranks functions and packages by self time (the leaf frame of each sample), as a percentage of the non-idle time
 * (the `wall` sample type when present, else `cpu`, else the sample count), and builds the call tree. Accepts
 * gzip'd or plain pprof.
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
  const self = new Map<string, TopFunction & { value: number }>();
  const packages = new Map<string, number>();
  const tree = new ProfileTreeBuilder();
  let total = 0;
  for (const sample of profile.sample) {
    const value = Number(sample.value[valueIndex] ?? 0);
    // Leaf first; a location's inlined functions come before the function they were inlined into.
    const leafFirst: (Frame & { line: number })[] = [];
    for (const id of sample.locationId) {
      for (const line of locations.get(Number(id))?.line ?? []) {
        const fn = functions.get(Number(line.functionId));
        leafFirst.push({
          name: (fn && strings[Number(fn.name)]) || '(anonymous)',
          file: (fn && strings[Number(fn.filename)]) || '',
          line: Number(line.line || fn?.startLine || 0),
        });
      }
    }
    const leaf = leafFirst[0] ?? { name: '(anonymous)', file: '', line: 0 };
    if (value <= 0 || leaf.name === '(idle)') continue;
    total += value;
    const stack = leafFirst.length > 0 ? leafFirst.reverse() : [leaf];
    const owners = attributeStack(stack);
    const pkg = owners[owners.length - 1] as string;
    tree.add(stack, owners, value);
    packages.set(pkg, (packages.get(pkg) ?? 0) + value);
    const key = `${leaf.name}\u0000${leaf.file}\u0000${pkg}`;
    const entry = self.get(key) ?? { ...leaf, selfPct: 0, package: pkg, value: 0 };
    entry.value += value;
    self.set(key, entry);
  }
  const durationNanos = Number(profile.durationNanos);
  const isTime = typeNames[valueIndex] === 'wall' || typeNames[valueIndex] === 'cpu';
  const busyShare = isTime && durationNanos > 0 ? Math.min(1, total / durationNanos) : null;
  if (total === 0) return { topFunctions: [], packages: [], tree: null, busyShare };
  const pct = (value: number) => Math.round((value / total) * 1000) / 10;
  const ranked = [...self.values()].sort((a, b) => b.value - a.value);
  const own = ranked.filter((f) => f.package === OWN_CODE).slice(0, OWN_FUNCTIONS);
  const topFunctions = [...new Set([...ranked.slice(0, limit), ...own])]
    .sort((a, b) => b.value - a.value)
    .map(({ value, ...f }) => ({ ...f, selfPct: pct(value) }));
  const shares = [...packages.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, value]) => ({ name, selfPct: pct(value) }));
  const listed = shares.slice(0, MAX_PACKAGES);
  const ownShare = shares.find((p) => p.name === OWN_CODE);
  if (ownShare && !listed.includes(ownShare)) listed.push(ownShare);
  return { topFunctions, packages: listed, tree: tree.build(), busyShare };
}
