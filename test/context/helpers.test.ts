/** The fan-out helpers: sleep, firstOf (never hangs), all (fails together), run/current (implicit context). */
import { describe, expect, it } from 'vitest';
import {
  all,
  background,
  CanceledError,
  type Context,
  createKey,
  current,
  DeadlineExceededError,
  firstOf,
  NotFoundError,
  run,
  sleep,
  withCancel,
  withTimeout,
  withValue,
} from '../../src/context/index.js';
import { warningsDuring } from './warnings.js';

/** The live children linked to `ctx` (its intrusive list of children, walked). */
const childCount = (ctx: Context): number => {
  type Node = { _first?: Node; _next?: Node };
  let count = 0;
  for (let child = (ctx as unknown as Node)._first; child !== undefined; child = child._next) count++;
  return count;
};
const pendingAfter = async (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, ms, true))]);

describe('sleep', () => {
  it('resolves after the delay (milliseconds or a duration string)', async () => {
    const started = Date.now();
    await sleep(background(), '30ms');
    await sleep(background(), 0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
  });

  it('rejects with ctx.err when the context ends first, at once if already ended', async () => {
    const [ctx] = withTimeout(background(), 20);
    const started = Date.now();
    await expect(sleep(ctx, '1h')).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(sleep(ctx, 1)).rejects.toBe(ctx.err);
    const [canceled, cancel] = withCancel(background());
    const pending = sleep(canceled, '1h');
    cancel();
    await expect(pending).rejects.toBeInstanceOf(CanceledError);
  });

  it('rejects bad durations', () => {
    expect(() => sleep(background(), 'later')).toThrow(RangeError);
    expect(() => sleep(background(), Number.NaN)).toThrow(RangeError);
  });

  it.each([
    ['1000h', '1000h'],
    ['2 ** 31 ms', 2 ** 31],
    ['Infinity', Number.POSITIVE_INFINITY],
  ] as const)(
    'a wait beyond setTimeout’s 24.8 days (%s) never fires early and still stops on cancel',
    async (_n, ms) => {
      const warnings = await warningsDuring(async () => {
        const [ctx, cancel] = withCancel(background());
        const sleeping = sleep(ctx, ms);
        sleeping.catch(() => {});
        expect(await pendingAfter(sleeping, 30)).toBe(true);
        cancel();
        await expect(sleeping).rejects.toBeInstanceOf(CanceledError);
      });
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    },
  );

  it('10,000 concurrent sleeps on one context raise no MaxListenersExceededWarning and all stop on cancel', async () => {
    const warnings = await warningsDuring(async () => {
      const [ctx, cancel] = withCancel(background());
      void ctx.signal;
      const sleeps = Array.from({ length: 10_000 }, () => sleep(ctx, '1h').catch((error: unknown) => error));
      cancel();
      const outcomes = await Promise.all(sleeps);
      expect(outcomes.every((outcome) => outcome instanceof CanceledError)).toBe(true);
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

/** A searcher like the course's: looks at random numbers every few ms until it finds `target` or ctx ends. */
function searcher(target: number, rounds: number, seen: Context[]) {
  return async (ctx: Context, index: number) => {
    seen[index] = ctx;
    for (let round = 0; round < rounds; round++) {
      await sleep(ctx, 1);
      if ((index * 7 + round) % 1000 === target) return { value: index };
    }
    return undefined;
  };
}

describe('firstOf', () => {
  it('returns the first value reported and cancels the rest', async () => {
    const seen: Context[] = [];
    const result = await firstOf(background(), 200, searcher(150, 50, seen));
    expect((result.index * 7) % 1000 <= 150).toBe(true);
    expect(result.value).toBe(result.index);
    expect(seen).toHaveLength(200);
    expect(seen.every((ctx) => ctx.err instanceof CanceledError)).toBe(true);
  });

  it('rejects with NotFoundError when every task finishes without a value (the Go demo deadlocks)', async () => {
    await expect(firstOf(background(), 10, searcher(999, 3, []))).rejects.toBeInstanceOf(NotFoundError);
    await expect(firstOf(background(), 0, searcher(1, 1, []))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a failing task does not stop the others; failures are kept on NotFoundError', async () => {
    const boom = new Error('boom');
    const win = await firstOf(background(), 3, async (_ctx, i) => {
      if (i === 0) throw boom;
      await sleep(background(), 5);
      return i === 2 ? { value: 'two' } : undefined;
    });
    expect(win).toEqual({ value: 'two', index: 2 });
    const lost = firstOf(background(), 2, (_ctx, i) => {
      if (i === 0) throw boom;
      return undefined;
    });
    await expect(lost).rejects.toMatchObject({ name: 'NotFoundError', errors: [boom], cause: boom });
  });

  it('rejects with ctx.err when ctx ends first, even if the tasks never finish', async () => {
    const [ctx] = withTimeout(background(), 20);
    const never = firstOf<number>(ctx, 5, () => new Promise(() => {}));
    await expect(never).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(firstOf(ctx, 5, () => ({ value: 1 }))).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('rejects a bad count', async () => {
    await expect(firstOf(background(), -1, () => undefined)).rejects.toBeInstanceOf(RangeError);
  });
});

describe('all', () => {
  it('resolves with every result, in order', async () => {
    const results = await all(background(), [
      async () => {
        await sleep(background(), 10);
        return 'slow';
      },
      () => 42,
    ]);
    expect(results).toEqual(['slow', 42]);
  });

  it('the first failure cancels the siblings (cause = the failure) and rejects once all have settled', async () => {
    const boom = new Error('boom');
    const events: string[] = [];
    const run = all(background(), [
      async (ctx) => {
        try {
          await sleep(ctx, '1h');
        } catch (error) {
          events.push(
            `sibling stopped: ${(error as Error).message}, cause ${(ctx.cause() as Error).message}`,
          );
          await sleep(background(), 10);
          events.push('sibling settled');
          throw error;
        }
      },
      async () => {
        await sleep(background(), 5);
        throw boom;
      },
    ]);
    await expect(run).rejects.toBe(boom);
    expect(events).toEqual(['sibling stopped: context canceled, cause boom', 'sibling settled']);
  });

  it('tasks see the parent’s end through the shared child', async () => {
    const [ctx] = withTimeout(background(), 10);
    await expect(all(ctx, [(child) => sleep(child, '1h')])).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});

describe('per-request helpers on a long-lived context', () => {
  it('sleep, firstOf and all leave nothing linked to the context once they settle, however they end', async () => {
    const [root, cancel] = withCancel(background());
    const boom = new Error('boom');
    await sleep(root, 1);
    await firstOf(root, 3, (_ctx, i) => (i === 1 ? { value: i } : undefined));
    await expect(firstOf(root, 2, () => undefined)).rejects.toBeInstanceOf(NotFoundError);
    await all(root, [() => 1, async (ctx) => sleep(ctx, 1)]);
    await expect(
      all(root, [
        () => {
          throw boom;
        },
        (ctx) => sleep(ctx, '1h'),
      ]),
    ).rejects.toBe(boom);
    expect(childCount(root)).toBe(0);
    cancel();
  });
});

describe('run / current', () => {
  it('carries the context across awaits inside run, and restores it after', async () => {
    const [ctx, cancel] = withCancel(background());
    expect(current()).toBe(background());
    const seen = await run(ctx, async () => {
      const before = current();
      await sleep(background(), 1);
      const nested = run(background(), () => current());
      return [before, current(), nested];
    });
    expect(seen).toEqual([ctx, ctx, background()]);
    expect(current()).toBe(background());
    cancel();
  });

  it('concurrent runs each keep their own context across awaits, and never leak it to the caller', async () => {
    const id = createKey<string>('id', { default: '-' });
    const handle = (name: string, ms: number) =>
      run(withValue(background(), id, name), async () => {
        const seen = [current().value(id)];
        await sleep(background(), ms);
        seen.push(current().value(id));
        await sleep(background(), 1);
        seen.push(current().value(id));
        return seen.join(',');
      });
    const runs = [handle('a', 10), handle('b', 1), handle('c', 5)];
    // Straight after starting them (their first awaits pending), the caller still sees its own context: a context
    // entered with enterWith instead of run would have leaked here.
    expect(current().value(id)).toBe('-');
    expect(await Promise.all(runs)).toEqual(['a,a,a', 'b,b,b', 'c,c,c']);
    expect(current().value(id)).toBe('-');
  });
});
