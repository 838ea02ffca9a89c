/**
 * A buffered log destination on a file descriptor: lines are appended to one string and written with one
 * synchronous `fs.writeSync` per batch (at `minLength` characters, or `periodicFlush` ms after the first buffered
 * line, whichever comes first). pino's own `pino.destination({ minLength })` does the same but measures the whole
 * pending batch with `Buffer.byteLength` on every line (flattening the growing string each time), which costs
 * more than formatting the line; this one counts characters (the batch size is a threshold, not a limit).
 */
import { writeSync } from 'node:fs';

/** How a {@link BufferedOutput} batches. */
export interface BufferedOutputOptions {
  /** The file descriptor written to (1 = stdout). */
  fd: number;
  /** Characters buffered before a write. */
  minLength: number;
  /** Longest time (ms) a buffered line waits for its batch to be written. */
  periodicFlush: number;
}

/** Milliseconds to wait before retrying a write the descriptor refused with EAGAIN (a full non-blocking pipe). */
const EAGAIN_RETRY_MS = 1;

/** A pino destination (`write(line)`, `flush(cb)`, `flushSync()`) that batches lines into synchronous writes. */
export class BufferedOutput {
  readonly #options: BufferedOutputOptions;
  #pending = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(options: BufferedOutputOptions) {
    this.#options = options;
  }

  /** Buffers one line; writes the batch once it reaches `minLength` characters. */
  write(line: string): boolean {
    this.#pending += line;
    if (this.#pending.length >= this.#options.minLength) this.flushSync();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flushSync(), this.#options.periodicFlush);
      this.#timer.unref();
    }
    return true;
  }

  /** Writes everything buffered now, synchronously (retrying while a non-blocking descriptor is full). */
  flushSync(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending === '') return;
    const pending = this.#pending;
    this.#pending = '';
    let written: number;
    try {
      // A string is encoded by the write itself (no Buffer allocated per batch); almost always written whole.
      written = writeSync(this.#options.fd, pending);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      written = 0;
    }
    // Bytes written vs characters: fewer is surely partial; as many or more needs the byte count (non-ASCII).
    if (written < pending.length || written < Buffer.byteLength(pending)) {
      this.#writeRest(Buffer.from(pending), written);
    }
  }

  /** Writes `data` from byte `offset` on, waiting while a non-blocking descriptor is full. */
  #writeRest(data: Buffer, offset: number): void {
    while (offset < data.length) {
      try {
        offset += writeSync(this.#options.fd, data, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_RETRY_MS);
      }
    }
  }

  /** pino's `logger.flush(cb)`: writes what is buffered, then calls `cb` (with the error, if the write failed). */
  flush(cb?: (error?: Error) => void): void {
    try {
      this.flushSync();
    } catch (error) {
      cb?.(error as Error);
      return;
    }
    cb?.();
  }
}
