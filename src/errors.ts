/**
 * The errors every part throws for input the caller can fix, below every part (engines never import the CLI).
 * A `UsageError` carries a machine-readable `code` and, when one option is at fault, that option's name as the
 * library spells it (`connections`, `rate`, `timeout`): the CLI alone turns it into flag text (`--connections`).
 * Exported from every entry point (`headroom-kit/load`, `headroom-kit/limits`, `headroom-kit/bench`, `headroom-kit/service`).
 */

/** What kind of input was wrong. */
export type UsageErrorCode =
  /** An option has a bad value (or a combination of options does not fit). */
  | 'invalid-option'
  /** A file could not be read or parsed. */
  | 'unreadable-file'
  /** An output file could not be written. */
  | 'unwritable-file'
  /** The target (or its admin port) could not be reached at the start. */
  | 'unreachable'
  /** An optional peer dependency the feature needs is not installed. */
  | 'missing-dependency'
  /** Anything else the user can fix (an unknown git ref, nothing selected). */
  | 'invalid-input';

/** Where a `UsageError` comes from: its code, and the option at fault when there is one. */
export interface UsageErrorOptions {
  code?: UsageErrorCode;
  /** The option at fault, as the library names it (e.g. `connections`, `maxTime`). */
  option?: string;
  cause?: unknown;
}

/**
 * Input the caller can fix. `message` names the option (`connections: must be a positive integer, got 0`);
 * `detail` is the message without it, for a CLI that names the flag instead.
 * @example
 * throw new UsageError('must be a positive integer, got 0', { option: 'connections' });
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly code: UsageErrorCode;
  readonly option: string | undefined;
  readonly detail: string;

  constructor(detail: string, options: UsageErrorOptions = {}) {
    super(options.option ? `${options.option}: ${detail}` : detail, { cause: options.cause });
    this.detail = detail;
    this.option = options.option;
    this.code = options.code ?? (options.option ? 'invalid-option' : 'invalid-input');
  }
}

/** Whether `error` is a `UsageError` (also across worker threads and module copies, by name and code). */
export function isUsageError(error: unknown): error is UsageError {
  return (
    error instanceof UsageError ||
    (error instanceof Error && error.name === 'UsageError' && typeof (error as UsageError).code === 'string')
  );
}

/**
 * Process exit codes shared by every command (and `runService`): 0 ok · 1 a threshold, SLO or regression gate
 * failed · 2 bad input (one line on stderr) · 70 an internal error (a bug: one line, the stack with `--debug`) ·
 * 130 interrupted by Ctrl-C or SIGTERM (the partial result is still printed and written).
 */
export const ExitCode = { ok: 0, failed: 1, usage: 2, internal: 70, interrupted: 130 } as const;
