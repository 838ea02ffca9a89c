/**
 * Latency recording on the load generator's hot path: headroom's HDR histograms (WebAssembly for recording, JS
 * for merging) per recorded value, and the per-second encode that crosses threads.
 * Run: `headroom bench bench/histogram.bench.ts`.
 */
import { bench } from '../src/bench/index.js';
import { encodeHistogram, mergingHistogram, recordingHistogram, recordMs } from '../src/load/histogram.js';

// Latencies between 0.2 ms and 50 ms, fixed so every run records the same values.
const latenciesMs = Array.from({ length: 4096 }, (_, i) => 0.2 + ((i * 7919) % 49_800) / 1000);

const wasm = recordingHistogram();
bench('histogram/record-wasm', (b) => {
  for (let i = 0; i < b.N; i++) recordMs(wasm, latenciesMs[i & 4095]!);
});

const js = mergingHistogram();
bench('histogram/record-js', (b) => {
  for (let i = 0; i < b.N; i++) recordMs(js, latenciesMs[i & 4095]!);
});

bench('histogram/encode-1s-of-samples', (b) => {
  const h = recordingHistogram();
  for (const ms of latenciesMs) recordMs(h, ms);
  b.resetTimer();
  for (let i = 0; i < b.N; i++) encodeHistogram(h);
  b.stopTimer();
  h.destroy();
});
