/** DeadlineQueue: many same-timeout contexts enforced by one shared timer (the service's request deadlines). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancelContext } from '../../src/context/cancel-context.js';
import type { CancelFunc, Context } from '../../src/context/context.js';
import { DeadlineQueue } from '../../src/context/deadline-queue.js';
import {
  background,
  CanceledError,
  DeadlineExceededError,
  withCancel,
  withTimeout,
} from '../../src/context/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A context with the queue's timeout whose deadline the queue enforces, as the service makes its requests'. */
function timed(queue: DeadlineQueue, parent: Context): [ctx: Context, cancel: CancelFunc] {
  const ctx = new CancelContext(parent, 'WithTimeout', Date.now() + queue.timeoutMs, undefined, queue);
  return [ctx, () => ctx._cancel()];
}

afterEach(() => {
  vi.useRealTimers();
});

describe('DeadlineQueue', () => {
  it('ends each context at its deadline with one timer, in order, and leaves cancelled ones alone', async () => {
    const queue = new DeadlineQueue(40);
    const [first, cancelFirst] = timed(queue, background());
    await sleep(15);
    const [second] = timed(queue, background());
    const [child] = withCancel(second);
    const signal = child.signal;
    cancelFirst();
    expect(first.deadline).toBeLessThan(second.deadline as number);
    await second.done;
    expect(Date.now()).toBeGreaterThanOrEqual((second.deadline as number) - 1);
    expect(first.err).toBeInstanceOf(CanceledError);
    expect(second.err).toBeInstanceOf(DeadlineExceededError);
    expect(signal.reason).toBeInstanceOf(DeadlineExceededError);
  });

  it('arms one timer for many contexts instead of one each', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = new DeadlineQueue(1000);
    const made = Array.from({ length: 100 }, () => timed(queue, background()));
    expect(vi.getTimerCount()).toBe(1);
    for (const [, cancel] of made.slice(0, 50)) cancel();
    vi.advanceTimersByTime(1000);
    expect(made.slice(0, 50).every(([ctx]) => ctx.err instanceof CanceledError)).toBe(true);
    expect(made.slice(50).every(([ctx]) => ctx.err instanceof DeadlineExceededError)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for later entries and keeps working across compactions', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const queue = new DeadlineQueue(100);
    const waves: ReturnType<typeof timed>[][] = [];
    for (let wave = 0; wave < 5; wave++) {
      waves.push(Array.from({ length: 1500 }, () => timed(queue, background())));
      for (const [, cancel] of waves[wave]?.slice(1) ?? []) cancel(); // one survivor per wave
      vi.advanceTimersByTime(30);
    }
    vi.advanceTimersByTime(100);
    expect(waves.every((wave) => wave[0]?.[0].err instanceof DeadlineExceededError)).toBe(true);
    const [late] = timed(queue, background());
    vi.advanceTimersByTime(99);
    expect(late.err).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(late.err).toBeInstanceOf(DeadlineExceededError);
  });

  it('a parent deadline earlier than the timeout wins, as with withTimeout', async () => {
    const queue = new DeadlineQueue(10_000);
    const [parent] = withTimeout(background(), 20);
    const [ctx] = timed(queue, parent);
    expect(ctx.deadline).toBe(parent.deadline);
    await ctx.done;
    expect(ctx.err).toBeInstanceOf(DeadlineExceededError);
  });
});
