/**
 * headroom-kit/context micro-benchmarks: create+cancel of a cancellable and a timed context against the bare
 * `new AbortController()` + `abort()` they replace (goal: Context create+cancel ≤ 2× the bare controller), plus
 * the per-request path (a child of a live cancellable root, linked into and unlinked from its children) and the
 * path where the child's AbortSignal is created (handed to fetch/pg).
 * Run: `headroom bench bench/context.bench.ts` (or `npx tsx src/cli/main.ts bench bench/context.bench.ts`).
 */
import { bench } from '../src/bench/index.js';
import { background, withCancel, withTimeout } from '../src/context/index.js';

const root = background();

bench('context/withCancel+cancel', (b) => {
  for (let i = 0; i < b.N; i++) {
    const [, cancel] = withCancel(root);
    cancel();
  }
});

bench('context/withTimeout+cancel', (b) => {
  for (let i = 0; i < b.N; i++) {
    const [, cancel] = withTimeout(root, 1_000);
    cancel();
  }
});

bench('context/withCancel(live-parent)+cancel', (b) => {
  const [server, stop] = withCancel(root);
  for (let i = 0; i < b.N; i++) {
    const [, cancel] = withCancel(server);
    cancel();
  }
  stop();
});

bench('context/withCancel+signal+cancel', (b) => {
  for (let i = 0; i < b.N; i++) {
    const [ctx, cancel] = withCancel(root);
    void ctx.signal;
    cancel();
  }
});

bench('context/AbortController+abort', (b) => {
  for (let i = 0; i < b.N; i++) {
    const controller = new AbortController();
    controller.abort();
  }
});
