/**
 * Go's documented `context` rules, one table row or test each: roots, cancellation, deadlines, causes, values,
 * withoutCancel, afterFunc, and the tree's bookkeeping (unlinking, born-ended children, listeners).
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  afterFunc,
  background,
  CanceledError,
  type Context,
  createKey,
  DeadlineExceededError,
  isCanceled,
  isDeadlineExceeded,
  todo,
  withCancel,
  withCancelCause,
  withDeadline,
  withDeadlineCause,
  withoutCancel,
  withTimeout,
  withTimeoutCause,
  withValue,
} from '../../src/context/index.js';
import { warningsDuring } from './warnings.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** The live children linked to `ctx` (its intrusive list of children, walked). */
const childCount = (ctx: Context): number => {
  type Node = { _first?: Node; _next?: Node };
  let count = 0;
  for (let child = (ctx as unknown as Node)._first; child !== undefined; child = child._next) count++;
  return count;
};

/** Every way to make a cancellable child, with how many timers it arms under a parent without a deadline. */
const cancellables = [
  ['withCancel', (parent: Context) => withCancel(parent), 0],
  ['withCancelCause', (parent: Context) => withCancelCause(parent), 0],
  ['withTimeout', (parent: Context) => withTimeout(parent, '1h'), 1],
  ['withTimeoutCause', (parent: Context) => withTimeoutCause(parent, '1h', new Error('late')), 1],
  ['withDeadline', (parent: Context) => withDeadline(parent, Date.now() + 3_600_000), 1],
  [
    'withDeadlineCause',
    (parent: Context) => withDeadlineCause(parent, new Date(Date.now() + 3_600_000), new Error('late')),
    1,
  ],
] as const;

/** Fake setTimeout/clearTimeout (and Date when asked) so armed timers can be counted; restored after each test. */
function fakeTimers(withDate = false): void {
  vi.useFakeTimers({
    toFake: withDate ? ['setTimeout', 'clearTimeout', 'Date'] : ['setTimeout', 'clearTimeout'],
  });
}
afterEach(() => {
  vi.useRealTimers();
});

describe('roots', () => {
  it.each([
    ['background', background(), 'context.Background'],
    ['todo', todo(), 'context.TODO'],
  ])('%s is never done, has no deadline and no values', async (_name, ctx, text) => {
    expect(ctx.err).toBeUndefined();
    expect(ctx.cause()).toBeUndefined();
    expect(ctx.deadline).toBeUndefined();
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.value(createKey<string>('k'))).toBeUndefined();
    expect(String(ctx)).toBe(text);
    expect(() => ctx.throwIfDone()).not.toThrow();
    const raced = await Promise.race([ctx.done.then(() => 'done'), tick().then(() => 'pending')]);
    expect(raced).toBe('pending');
  });

  it('background() and todo() are distinct singletons', () => {
    expect(background()).toBe(background());
    expect(todo()).toBe(todo());
    expect(background()).not.toBe(todo());
  });
});

describe('withCancel', () => {
  it('cancel ends the context with "context canceled": err, cause, signal, done', async () => {
    const [ctx, cancel] = withCancel(background());
    expect(ctx.err).toBeUndefined();
    const done = ctx.done;
    const signal = ctx.signal;
    cancel();
    expect(ctx.err).toBeInstanceOf(CanceledError);
    expect(ctx.err?.message).toBe('context canceled');
    expect(isCanceled(ctx.err)).toBe(true);
    expect(ctx.cause()).toBe(ctx.err);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(ctx.err);
    await expect(done).resolves.toBeUndefined();
    expect(() => ctx.throwIfDone()).toThrow(CanceledError);
  });

  it('cancel is idempotent: the error and cause never change', () => {
    const [ctx, cancel] = withCancelCause(background());
    cancel(new Error('first'));
    const err = ctx.err;
    cancel(new Error('second'));
    expect(ctx.err).toBe(err);
    expect((ctx.cause() as Error).message).toBe('first');
  });

  it.each(cancellables)(
    '%s: cancel is idempotent, stops the timer and unlinks the child',
    (_name, make, timers) => {
      fakeTimers();
      const [parent, cancelParent] = withCancel(background());
      const [ctx, cancel] = make(parent);
      expect(childCount(parent)).toBe(1);
      expect(vi.getTimerCount()).toBe(timers);
      cancel();
      const err = ctx.err;
      cancel();
      expect(err).toBeInstanceOf(CanceledError);
      expect(ctx.err).toBe(err);
      expect(ctx.cause()).toBe(err); // a plain cancel records no cause, even on the *Cause variants
      expect(childCount(parent)).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      cancelParent();
      expect(ctx.err).toBe(err);
    },
  );

  it.each(cancellables)(
    '%s of a cancelled parent is born Canceled with its cause, unlinked, no timer',
    (_n, make) => {
      fakeTimers();
      const why = new Error('why');
      const [parent, cancel] = withCancelCause(background());
      cancel(why);
      const [ctx] = make(withValue(parent, key, 1));
      expect(ctx.err).toBeInstanceOf(CanceledError);
      expect(ctx.cause()).toBe(why);
      expect(ctx.signal.aborted).toBe(true);
      expect(childCount(parent)).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('a zero timeout under a cancelled parent is born Canceled, not DeadlineExceeded (the parent comes first)', () => {
    const [parent, cancel] = withCancel(background());
    cancel();
    expect(withTimeout(parent, 0)[0].err).toBeInstanceOf(CanceledError);
  });

  it.each(cancellables)(
    '%s of a parent whose deadline passed (timer not yet fired) is born expired',
    (_n, make) => {
      fakeTimers(true);
      const [parent] = withTimeoutCause(background(), '1s', key);
      vi.setSystemTime(Date.now() + 2_000); // the clock moves, the timer has not run
      const [ctx] = make(parent);
      expect(ctx.err).toBeInstanceOf(DeadlineExceededError);
      expect(ctx.cause()).toBe(key);
      expect(parent.err).toBeInstanceOf(DeadlineExceededError);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('afterFunc on a context whose deadline passed (timer not yet fired) runs fn at once', async () => {
    fakeTimers(true);
    const [ctx] = withTimeout(background(), '1s');
    vi.setSystemTime(Date.now() + 2_000);
    let calls = 0;
    const stop = afterFunc(ctx, () => calls++);
    await Promise.resolve();
    expect(calls).toBe(1);
    expect(stop()).toBe(false);
  });

  it('successive reads return the same done, signal, err and deadline (Go: "successive calls return the same")', () => {
    const [ctx, cancel] = withTimeout(background(), '1h');
    const value = withValue(ctx, key, 1);
    expect(ctx.done).toBe(ctx.done);
    expect(ctx.signal).toBe(ctx.signal);
    expect(value.done).toBe(ctx.done);
    expect(ctx.deadline).toBe(ctx.deadline);
    cancel();
    expect(ctx.err).toBe(ctx.err);
    expect(ctx.cause()).toBe(ctx.cause());
  });

  it('signal and done made after the end are already ended', async () => {
    const [ctx, cancel] = withCancel(background());
    cancel();
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBeInstanceOf(CanceledError);
    await expect(ctx.done).resolves.toBeUndefined();
  });

  it('cancelling a parent ends every descendant, through value contexts; never the other way round', () => {
    const key = createKey<number>('n');
    const [parent, cancelParent] = withCancel(background());
    const [child, cancelChild] = withCancel(withValue(parent, key, 1));
    const [grandchild] = withTimeout(withValue(child, key, 2), '1h');
    const [sibling] = withCancel(parent);
    cancelChild();
    expect(child.err).toBeInstanceOf(CanceledError);
    expect(grandchild.err).toBeInstanceOf(CanceledError);
    expect(parent.err).toBeUndefined();
    expect(sibling.err).toBeUndefined();
    cancelParent();
    expect(sibling.err).toBeInstanceOf(CanceledError);
  });

  it('listeners on a child signal see the parent already ended, and vice versa', () => {
    const [parent, cancel] = withCancel(background());
    const [child] = withCancel(parent);
    const seen: string[] = [];
    child.signal.addEventListener('abort', () => seen.push(`child: parent ${parent.err?.message}`));
    parent.signal.addEventListener('abort', () => seen.push(`parent: child ${child.err?.message}`));
    cancel();
    expect(seen.sort()).toEqual(['child: parent context canceled', 'parent: child context canceled']);
  });

  it('a child of an ended parent is born ended, with the parent’s error kind and cause', () => {
    const [canceled, cancel] = withCancelCause(background());
    const why = new Error('why');
    cancel(why);
    const [born] = withCancel(canceled);
    expect(born.err).toBeInstanceOf(CanceledError);
    expect(born.cause()).toBe(why);
    const [expired] = withTimeout(background(), 0);
    const [bornExpired] = withCancel(expired);
    expect(bornExpired.err).toBeInstanceOf(DeadlineExceededError);
    expect(childCount(canceled)).toBe(0);
  });

  it('cancel unlinks the child from its parent; the parent ending clears its children', () => {
    const [root, cancelRoot] = withCancel(background());
    const cancels = Array.from({ length: 100 }, () => withCancel(root)[1]);
    expect(childCount(root)).toBe(100);
    for (const cancel of cancels.slice(0, 60)) cancel();
    expect(childCount(root)).toBe(40);
    cancelRoot();
    expect(childCount(root)).toBe(0);
  });

  it('a chain 100,000 deep ends in one cancel without overflowing the stack', async () => {
    const [root, cancel] = withCancel(background());
    let leaf: Context = root;
    for (let i = 0; i < 100_000; i++) leaf = withCancel(i % 2 === 0 ? leaf : withValue(leaf, key, i))[0];
    const done = leaf.done;
    expect(() => cancel()).not.toThrow();
    expect(leaf.err).toBeInstanceOf(CanceledError);
    await expect(done).resolves.toBeUndefined();
  });

  it('10,000 live children with signals raise no MaxListenersExceededWarning', async () => {
    const warnings = await warningsDuring(async () => {
      const [root, cancel] = withCancel(background());
      root.signal.addEventListener('abort', () => {});
      const children = Array.from({ length: 10_000 }, () => withCancel(root)[0]);
      for (const child of children) void child.signal;
      cancel();
      await tick();
      expect(children.every((child) => child.signal.aborted)).toBe(true);
    });
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

/** A user-written Context that delegates to `inner`: the tree must treat it as a foreign parent. */
function foreign(inner: Context): Context {
  return {
    get signal() {
      return inner.signal;
    },
    get deadline() {
      return inner.deadline;
    },
    get err() {
      return inner.err;
    },
    get done() {
      return inner.done;
    },
    cause: () => inner.cause(),
    throwIfDone: () => inner.throwIfDone(),
    value: ((k: typeof key) => inner.value(k)) as Context['value'],
  };
}

describe('linking never uses AbortSignal.any (it leaks on Node 20, nodejs/node#48419)', () => {
  it('a whole tree with signals, done, deadlines, values, afterFunc and a foreign parent never calls it', async () => {
    const any = vi.spyOn(AbortSignal, 'any');
    try {
      const [root, cancel] = withCancel(background());
      void root.signal;
      const [timed] = withTimeout(withValue(root, key, 1), '1h');
      const [child] = withCancelCause(timed);
      const [grandchild] = withDeadline(withCancel(foreign(child))[0], Date.now() + 60_000);
      for (const ctx of [timed, child, grandchild]) void ctx.signal;
      afterFunc(grandchild, () => {});
      const done = grandchild.done;
      cancel();
      await done;
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
  });
});

describe('deadlines', () => {
  const soon = (): number => Date.now() + 60_000;
  const later = (): number => Date.now() + 120_000;

  it.each([
    ['own deadline under a root', () => background(), soon, 'own'],
    ['own earlier than the parent’s', () => withDeadline(background(), later())[0], soon, 'own'],
    ['parent’s earlier than own', () => withDeadline(background(), soon())[0], later, 'parent'],
    ['withTimeout under an earlier parent', () => withTimeout(background(), '1m')[0], later, 'parent'],
  ] as const)('child deadline = min(parent, own): %s', (_name, makeParent, at, wins) => {
    const parent = makeParent();
    const own = at();
    const [child, cancel] = withDeadline(parent, own);
    expect(child.deadline).toBe(wins === 'own' ? own : parent.deadline);
    cancel();
  });

  it('withCancel and withValue children report the parent’s deadline; withoutCancel none', () => {
    const [parent, cancel] = withTimeout(background(), '1h');
    expect(withCancel(parent)[0].deadline).toBe(parent.deadline);
    expect(withValue(parent, createKey<number>('n'), 1).deadline).toBe(parent.deadline);
    expect(withoutCancel(parent).deadline).toBeUndefined();
    cancel();
  });

  it.each([
    ['withTimeout(0)', () => withTimeout(background(), 0)],
    ['withTimeout(-5)', () => withTimeout(background(), -5)],
    ['withTimeout("0s")', () => withTimeout(background(), '0s')],
    ['withDeadline(past Date)', () => withDeadline(background(), new Date(Date.now() - 1000))],
  ])('a deadline already past is born DeadlineExceeded: %s', (_name, make) => {
    const [ctx] = make();
    expect(ctx.err).toBeInstanceOf(DeadlineExceededError);
    expect(ctx.err?.message).toBe('context deadline exceeded');
    expect(isDeadlineExceeded(ctx.err)).toBe(true);
    expect(ctx.signal.reason).toBe(ctx.err);
  });

  it('withTimeout accepts durations and sets deadline = now + timeout', () => {
    const t0 = Date.now();
    const [ctx, cancel] = withTimeout(background(), '1m30s');
    expect(ctx.deadline).toBeGreaterThanOrEqual(t0 + 90_000);
    expect(ctx.deadline).toBeLessThanOrEqual(Date.now() + 90_000);
    cancel();
  });

  it.each([
    ['withTimeout("soon")', () => withTimeout(background(), 'soon')],
    ['withTimeout(NaN)', () => withTimeout(background(), Number.NaN)],
    ['withDeadline(Invalid Date)', () => withDeadline(background(), new Date('nope'))],
  ])('bad input throws a RangeError: %s', (_name, make) => {
    expect(make).toThrow(RangeError);
  });

  it('the timer ends the context with DeadlineExceeded, abort reason and done', async () => {
    const [ctx] = withTimeout(background(), 20);
    const [child] = withCancel(ctx);
    const signal = child.signal;
    await child.done;
    expect(ctx.err).toBeInstanceOf(DeadlineExceededError);
    expect(child.err).toBeInstanceOf(DeadlineExceededError);
    expect(signal.reason).toBe(child.err);
  });

  it('cancel before the deadline wins for good: Canceled, and the timer is stopped', async () => {
    const [ctx, cancel] = withTimeout(background(), 20);
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ctx.err).toBeInstanceOf(CanceledError);
    expect((ctx as unknown as { _timer?: unknown })._timer).toBeUndefined();
  });

  it('a busy loop checking err stops at the deadline even though the timer cannot fire', () => {
    const [ctx] = withTimeout(background(), 30);
    const [child] = withCancel(ctx);
    const started = Date.now();
    let spins = 0;
    while (child.err === undefined) spins++;
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    expect(spins).toBeGreaterThan(0);
    expect(child.err).toBeInstanceOf(DeadlineExceededError);
    expect(ctx.err).toBeInstanceOf(DeadlineExceededError);
  });

  it('very long deadlines (beyond setTimeout’s 24.8 days) arm without overflow', async () => {
    const warnings = await warningsDuring(() => {
      const [ctx, cancel] = withTimeout(background(), '1000h');
      expect(ctx.err).toBeUndefined();
      cancel();
    });
    expect(warnings).toEqual([]);
  });
});

describe('causes (Go’s context.Cause)', () => {
  const why = new Error('why');
  it.each([
    ['live context', () => withCancel(background())[0], undefined, undefined],
    ['withCancel, cancel()', () => ended(withCancel(background())), CanceledError, 'err'],
    ['withCancelCause, cancel(why)', () => ended(withCancelCause(background()), why), CanceledError, why],
    ['withCancelCause, cancel()', () => ended(withCancelCause(background())), CanceledError, 'err'],
    [
      'withCancelCause, cancel(null) (Go: nil)',
      () => ended(withCancelCause(background()), null),
      CanceledError,
      'err',
    ],
    ['withTimeoutCause expired', () => withTimeoutCause(background(), 0, why)[0], DeadlineExceededError, why],
    [
      'withTimeoutCause cancelled',
      () => ended(withTimeoutCause(background(), '1h', why)),
      CanceledError,
      'err',
    ],
    [
      'withDeadlineCause expired',
      () => withDeadlineCause(background(), 0, why)[0],
      DeadlineExceededError,
      why,
    ],
    ['withTimeout expired', () => withTimeout(background(), 0)[0], DeadlineExceededError, 'err'],
    [
      'withTimeoutCause under an earlier parent deadline (Go: just WithCancel)',
      () => withTimeoutCause(withTimeout(background(), 0)[0], '1h', why)[0],
      DeadlineExceededError,
      'err',
    ],
    [
      'withDeadlineCause under an earlier withTimeoutCause',
      () => withDeadlineCause(withTimeoutCause(background(), 0, 'parent’s')[0], Date.now() + 60_000, why)[0],
      DeadlineExceededError,
      'parent’s',
    ],
    [
      'child of cancel(why)',
      () => withCancel(ended(withCancelCause(background()), why))[0],
      CanceledError,
      why,
    ],
    [
      'value ctx over cancel(why)',
      () => withValue(ended(withCancelCause(background()), why), key, 1),
      CanceledError,
      why,
    ],
    [
      'withoutCancel over cancel(why)',
      () => withoutCancel(ended(withCancelCause(background()), why)),
      undefined,
      undefined,
    ],
  ] as const)('%s', (_name, make, errClass, cause) => {
    const ctx = make();
    if (errClass === undefined) expect(ctx.err).toBeUndefined();
    else expect(ctx.err).toBeInstanceOf(errClass);
    expect(ctx.cause()).toBe(cause === 'err' ? ctx.err : cause);
  });

  it('the first cancellation of the context or one of its parents sets the cause', () => {
    const [parent, cancelParent] = withCancelCause(background());
    const [first, cancelFirst] = withCancelCause(parent);
    const [second, cancelSecond] = withCancelCause(parent);
    cancelFirst('child first');
    cancelParent('parent');
    cancelSecond('child too late');
    expect(first.cause()).toBe('child first');
    expect(second.cause()).toBe('parent');
    expect(parent.cause()).toBe('parent');
  });

  it('a child inherits the cause when its parent’s deadline passes', async () => {
    const [parent] = withTimeoutCause(background(), 10, why);
    const [child] = withCancel(parent);
    await child.done;
    expect(child.err).toBeInstanceOf(DeadlineExceededError);
    expect(child.cause()).toBe(why);
  });
});

const key = createKey<number>('n');
function ended(pair: readonly [Context, (cause?: unknown) => void], cause?: unknown): Context {
  pair[1](cause);
  return pair[0];
}

describe('values', () => {
  it('the nearest value wins; other keys pass through; cancellation does not hide values', () => {
    const a = createKey<string>('a');
    const b = createKey<string>('b');
    const [c1, cancel] = withCancel(withValue(withValue(background(), a, 'a1'), b, 'b1'));
    const c2 = withValue(c1, a, 'a2');
    cancel();
    expect(c2.value(a)).toBe('a2');
    expect(c2.value(b)).toBe('b1');
    expect(c1.value(a)).toBe('a1');
  });

  it('two keys with the same name are different keys', () => {
    const first = createKey<string>('id');
    const second = createKey<string>('id');
    const ctx = withValue(background(), first, 'x');
    expect(ctx.value(first)).toBe('x');
    expect(ctx.value(second)).toBeUndefined();
  });

  it('a missing value falls back to the key’s default; a present one overrides it', () => {
    const ip = createKey<string>('ip', { default: '0.0.0.0' });
    expect(background().value(ip)).toBe('0.0.0.0');
    expect(withValue(background(), ip, '10.0.0.1').value(ip)).toBe('10.0.0.1');
  });

  it('a value context reports its parent’s signal, err and done', async () => {
    const [parent, cancel] = withCancel(background());
    const ctx = withValue(parent, key, 1);
    expect(ctx.signal).toBe(parent.signal);
    cancel();
    expect(ctx.err).toBe(parent.err);
    await expect(ctx.done).resolves.toBeUndefined();
    expect(String(ctx)).toBe('context.Background.WithCancel.WithValue(n)');
  });
});

describe('withoutCancel', () => {
  it('keeps values, drops cancellation and deadline; its children are not ended by the original parent', () => {
    const [parent, cancel] = withTimeout(withValue(background(), key, 7), '1h');
    const detached = withoutCancel(parent);
    const [child, cancelChild] = withCancel(detached);
    cancel();
    expect(parent.err).toBeInstanceOf(CanceledError);
    expect(detached.err).toBeUndefined();
    expect(detached.signal.aborted).toBe(false);
    expect(detached.value(key)).toBe(7);
    expect(child.err).toBeUndefined();
    cancelChild();
    expect(child.err).toBeInstanceOf(CanceledError);
  });
});

describe('afterFunc', () => {
  it('runs fn once, asynchronously, after the context ends; stop() then returns false', async () => {
    const [ctx, cancel] = withCancel(background());
    let calls = 0;
    const stop = afterFunc(ctx, () => calls++);
    cancel();
    cancel();
    expect(calls).toBe(0);
    await tick();
    expect(calls).toBe(1);
    expect(stop()).toBe(false);
  });

  it('runs fn at once (asynchronously) when the context has already ended', async () => {
    const [ctx] = withTimeout(background(), 0);
    let calls = 0;
    const stop = afterFunc(ctx, () => calls++);
    await tick();
    expect(calls).toBe(1);
    expect(stop()).toBe(false);
  });

  it('stop() after the end but before fn ran returns false: fn has started and still runs (Go)', async () => {
    const [ctx, cancel] = withCancel(background());
    let calls = 0;
    const stop = afterFunc(ctx, () => calls++);
    cancel();
    expect(stop()).toBe(false);
    await tick();
    expect(calls).toBe(1);
  });

  it('follows the context a value context reports for; never runs under withoutCancel', async () => {
    const [ctx, cancel] = withCancel(background());
    const calls: string[] = [];
    afterFunc(withValue(ctx, key, 1), () => calls.push('value'));
    const stopDetached = afterFunc(withoutCancel(ctx), () => calls.push('detached'));
    cancel();
    await tick();
    expect(calls).toEqual(['value']);
    expect(stopDetached()).toBe(true);
  });

  it('stop() before the end prevents fn: true the first time, false after', async () => {
    const [ctx, cancel] = withCancel(background());
    let calls = 0;
    const stop = afterFunc(ctx, () => calls++);
    expect(stop()).toBe(true);
    expect(stop()).toBe(false);
    expect(childCount(ctx)).toBe(0);
    cancel();
    await tick();
    expect(calls).toBe(0);
  });

  it('registrations are independent; on a context that never ends, fn never runs', async () => {
    const [ctx, cancel] = withCancel(background());
    const calls: string[] = [];
    const stopA = afterFunc(ctx, () => calls.push('a'));
    afterFunc(ctx, () => calls.push('b'));
    const stopBackground = afterFunc(background(), () => calls.push('never'));
    stopA();
    cancel();
    await tick();
    expect(calls).toEqual(['b']);
    expect(stopBackground()).toBe(true);
  });
});

describe('foreign parents (a user-written Context)', () => {
  it('children follow a foreign parent through one listener that cancel removes', () => {
    const [inner, cancelInner] = withCancelCause(background());
    const parent = foreign(withValue(inner, key, 3));
    const [child, cancelChild] = withCancel(parent);
    const [other] = withCancel(parent);
    expect(child.value(key)).toBe(3);
    expect(getEventListeners(inner.signal, 'abort')).toHaveLength(2);
    cancelChild();
    expect(getEventListeners(inner.signal, 'abort')).toHaveLength(1);
    const why = new Error('why');
    cancelInner(why);
    expect(child.cause()).toBe(child.err);
    expect(other.err).toBeInstanceOf(CanceledError);
    expect(other.cause()).toBe(why);
  });
});
