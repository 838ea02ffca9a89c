/** Capturing the process warnings (MaxListenersExceededWarning, TimeoutOverflowWarning…) a piece of code causes. */

/**
 * Runs `fn` and returns the names of the process warnings emitted meanwhile — and up to one macrotask after it
 * ends, since `process.emitWarning` delivers on the next tick (checking right after `fn` would see none, ever).
 */
export async function warningsDuring(fn: () => unknown): Promise<string[]> {
  const names: string[] = [];
  const onWarning = (warning: Error): void => {
    names.push(warning.name);
  };
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return names;
  } finally {
    process.off('warning', onWarning);
  }
}
