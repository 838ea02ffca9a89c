/** Wraps every repository method with headroom's `instrument()`: duration histogram, errors, span, debug log. */
import { instrument } from 'headroom-kit/service';
import type { Repositories } from './types.js';

function instrumentMethods<T extends object>(prefix: string, target: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    wrapped[name] =
      typeof value === 'function'
        ? instrument(`${prefix}.${name}`, value as (...args: unknown[]) => unknown)
        : value;
  }
  return wrapped as T;
}

/**
 * The same repositories, each call measured as `repo.<entity>.<method>` (e.g. `repo.expenses.listByCreator`).
 * @example const repos = instrumentRepositories(sqlRepositories(db))
 */
export function instrumentRepositories(repos: Repositories): Repositories {
  return {
    users: instrumentMethods('repo.users', repos.users),
    expenses: instrumentMethods('repo.expenses', repos.expenses),
    payables: instrumentMethods('repo.payables', repos.payables),
  };
}
