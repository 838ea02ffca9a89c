/**
 * Where the event loop was stuck: a watchdog thread that, when the main thread's heartbeat is `BLOCK_WARN_MS`
 * late, asks the main thread for its stack through the inspector: `Session.connectToMainThread()` from a worker,
 * then `Runtime.evaluate` of `new Error().stack`. Inspector messages reach a busy thread through a V8 interrupt,
 * which runs the evaluation on top of the blocked frames, so the stack is the blocker's (Node 20 and 24, ~1–6 ms,
 * source-mapped when source maps are on). Go's block profile names the blocking call; so does the
 * `event loop blocked` warning with this. Rejected: `Debugger.pause` (enabling the debugger announces every
 * script, which in a large process outlasts many blocks, and the pause then lands in innocent code) and the CPU
 * profiler (slow to start in a large heap; attributes inlined functions to their callers on Node 24).
 *
 * Cost without a block: one unref'd timer on the main thread bumping a shared counter every ≤ 50 ms, and a worker
 * thread asleep in `Atomics.waitAsync`. Nothing is enabled in the inspector; the session lives for one capture.
 */
import { isMainThread, Worker } from 'node:worker_threads';

/** Shared memory (Int32 slots): heartbeat, capture sequence, frames' byte length, capturing flag; then bytes. */
const BEAT = 0;
const SEQ = 1;
const LENGTH = 2;
const CAPTURING = 3;
const HEADER_BYTES = 16;
const FRAMES_BYTES = 8192;
/** Frames reported, from the top of the stack. */
const MAX_FRAMES = 10;
/** How long a warning waits for a capture in progress. */
const CAPTURE_WAIT_MS = 1000;

/** `Atomics.waitAsync` (Node ≥ 16; typed in lib ES2024, this project compiles against ES2023). */
type WaitAsync = (
  typed: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

/**
 * The watchdog thread's program (CommonJS, run with `eval: true` so it needs no file next to the built module).
 * It waits for the heartbeat; when it is `warnMs` late, it captures the main thread's stack once per block.
 */
function watchdogMain(): void {
  const { workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { Session } = require('node:inspector') as typeof import('node:inspector');
  const { sab, warnMs, maxFrames, headerBytes } = workerData as {
    sab: SharedArrayBuffer;
    warnMs: number;
    maxFrames: number;
    headerBytes: number;
  };
  const ints = new Int32Array(sab, 0, 4);
  const bytes = new Uint8Array(sab, headerBytes);
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  // Evaluated on the main thread, on top of whatever it is running: its stack without this expression's frames.
  const expression = `(() => { const limit = Error.stackTraceLimit; Error.stackTraceLimit = ${maxFrames + 2};
    const stack = String(new Error().stack); Error.stackTraceLimit = limit; return stack; })()`;
  // Keeps this thread's loop alive between waits (the worker itself is unref'd: it never holds the process).
  setInterval(() => {}, 1 << 30);

  async function capture(beat: number): Promise<void> {
    const session = new Session();
    session.connectToMainThread();
    try {
      const value = await new Promise<unknown>((resolve, reject) =>
        session.post('Runtime.evaluate', { expression }, (error, result) =>
          error ? reject(error) : resolve(result.result.value),
        ),
      );
      // The heartbeat moved: the block ended before the evaluation ran, so this stack is not the blocker's.
      if (typeof value !== 'string' || Atomics.load(ints, 0) !== beat) return;
      const frames = value
        .split('\n')
        .filter((line) => line.startsWith('    at '))
        .slice(2, maxFrames + 2)
        .map((line) => line.slice(7));
      const encoded = new TextEncoder().encode(JSON.stringify(frames));
      if (frames.length === 0 || encoded.length > bytes.length) return;
      bytes.set(encoded);
      Atomics.store(ints, 2, encoded.length);
      Atomics.add(ints, 1, 1);
    } finally {
      session.disconnect();
    }
  }

  /** Resolves once the heartbeat differs from `beat` (the block is over). */
  async function beatMoves(beat: number): Promise<void> {
    while (Atomics.load(ints, 0) === beat) {
      const wait = waitAsync(ints, 0, beat);
      if (wait.async) await wait.value;
    }
  }

  void (async () => {
    let seen = Atomics.load(ints, 0);
    for (;;) {
      const wait = waitAsync(ints, 0, seen, warnMs);
      const outcome = wait.async ? await wait.value : wait.value;
      const now = Atomics.load(ints, 0);
      if (outcome === 'timed-out' && now === seen) {
        Atomics.store(ints, 3, 1);
        await capture(now).catch(() => {});
        Atomics.store(ints, 3, 0);
        Atomics.notify(ints, 1);
        await beatMoves(now);
      }
      seen = Atomics.load(ints, 0);
    }
  })();
}

/** A process-wide watchdog (one thread however many services); services share it while any runs. */
class BlockWatchdog {
  readonly #ints: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #worker: Worker;
  readonly #timer: NodeJS.Timeout;
  #taken = 0;

  constructor(warnMs: number) {
    const sab = new SharedArrayBuffer(HEADER_BYTES + FRAMES_BYTES);
    this.#ints = new Int32Array(sab, 0, 4);
    this.#bytes = new Uint8Array(sab, HEADER_BYTES);
    this.#worker = new Worker(`(${watchdogMain.toString()})()`, {
      eval: true,
      workerData: { sab, warnMs, maxFrames: MAX_FRAMES, headerBytes: HEADER_BYTES },
      // Its stdout/stderr would be piped through this thread; it writes nothing.
      stdout: true,
      stderr: true,
    });
    this.#worker.unref();
    this.#worker.on('error', () => {}); // a failed watchdog only costs the frames in warnings
    this.#timer = setInterval(
      () => {
        Atomics.add(this.#ints, BEAT, 1);
        Atomics.notify(this.#ints, BEAT);
      },
      Math.max(1, Math.min(50, Math.floor(warnMs / 4))),
    ).unref();
  }

  /**
   * The frames of the block just reported, once: waits (≤ 1 s) for a capture still in progress; undefined when
   * the watchdog did not catch this block (shorter than its wake-up, or over before the profiler started).
   */
  async take(): Promise<string[] | undefined> {
    const ints = this.#ints;
    if (Atomics.load(ints, SEQ) === this.#taken && Atomics.load(ints, CAPTURING) === 1) {
      const wait = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(
        ints,
        SEQ,
        this.#taken,
        CAPTURE_WAIT_MS,
      );
      if (wait.async) await wait.value;
    }
    const seq = Atomics.load(ints, SEQ);
    if (seq === this.#taken) return undefined;
    this.#taken = seq;
    const length = Atomics.load(ints, LENGTH);
    const text = new TextDecoder().decode(this.#bytes.slice(0, length));
    // The thread may already be writing the frames of a later block over these (it does not wait for this read):
    // such a copy is torn, and a warning without frames beats a service brought down by a parse error.
    if (Atomics.load(ints, SEQ) !== seq) return undefined;
    try {
      const frames: unknown = JSON.parse(text);
      return Array.isArray(frames) && frames.every((frame) => typeof frame === 'string') ? frames : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the heartbeat and the thread. */
  stop(): void {
    clearInterval(this.#timer);
    void this.#worker.terminate();
  }
}

let shared: { watchdog: BlockWatchdog; users: number } | undefined;

/** A service's handle on the shared watchdog. */
export interface BlockStacks {
  /** The top frames of the stack the loop was blocked in (see {@link BlockWatchdog.take}). */
  take(): Promise<string[] | undefined>;
  /** Releases this service's use; the thread stops with the last one. */
  release(): void;
}

/**
 * Starts (or joins) the process's block watchdog, waking at `warnMs` of heartbeat silence. Null on a worker
 * thread (the inspector can only reach the main thread) or when `warnMs` is 0.
 */
export function watchBlocks(warnMs: number): BlockStacks | null {
  if (warnMs <= 0 || !isMainThread) return null;
  shared ??= { watchdog: new BlockWatchdog(warnMs), users: 0 };
  shared.users++;
  const current = shared;
  let released = false;
  return {
    take: () => current.watchdog.take(),
    release() {
      if (released) return;
      released = true;
      if (--current.users === 0) {
        current.watchdog.stop();
        if (shared === current) shared = undefined;
      }
    },
  };
}
