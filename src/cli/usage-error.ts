/**
 * An error the user can fix: a bad flag, an unreadable file, an unreachable target. The CLI prints its message
 * as one line on stderr and exits 2 (DESIGN.md's contract); engines throw it for bad input at the edge.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes shared by every command: 0 ok, 1 thresholds/SLO breached or regression, 2 usage/unreachable. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
