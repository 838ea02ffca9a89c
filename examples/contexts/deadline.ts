/**
 * Demo 3 — deadline and timeout: a job that fits in the timeout finishes; a child asking for more time gets the
 * parent's earlier deadline; a job that does not fit is stopped at the deadline.
 * Run: `npx tsx examples/contexts/deadline.ts [timeout=5s]` (5s as in the course; pass e.g. `300ms` for a quick run).
 */
import { pathToFileURL } from 'node:url';
import { background, type Context, sleep, withTimeout } from 'headroom-kit/context';

const ms = (value: number): string => `${Math.round(value)}ms`;

async function job(ctx: Context, name: string, takes: number): Promise<void> {
  const started = performance.now();
  try {
    await sleep(ctx, takes);
    console.log(`${name} (${ms(takes)}): done`);
  } catch (error) {
    const after = ms(performance.now() - started);
    console.log(
      `${name} (${ms(takes)}): stopped at the deadline after ${after}: ${(error as Error).message}`,
    );
  }
}

/** Runs the demo with the timeout from `args[0]` (default 5s, as in the course). */
export async function main(args: readonly string[] = []): Promise<void> {
  const text = args[0] ?? '5s';
  const [ctx, cancel] = withTimeout(background(), text);
  const timeout = (ctx.deadline ?? 0) - Date.now();
  try {
    console.log(`deadline: timeout ${text}, deadline ${new Date(ctx.deadline ?? 0).toISOString()}`);
    await job(ctx, 'fast job', timeout / 10);
    const [child, cancelChild] = withTimeout(ctx, '1h');
    console.log(`a child asking for 1h gets the parent's deadline: ${child.deadline === ctx.deadline}`);
    cancelChild();
    await job(ctx, 'slow job', timeout * 5);
    console.log(`ctx.err: ${ctx.err?.name}`);
  } finally {
    cancel();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
