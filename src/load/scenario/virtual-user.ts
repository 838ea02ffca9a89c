/**
 * A virtual user at run time (one per connection): its id, its `pick: 'vu'` values, its state, and the
 * `setup` call that gives a flow its starting state (log in once, keep the token).
 */
import { UsageError } from '../../cli/usage-error.js';
import type { Scenario, VirtualUser, VuFetchInit } from './types.js';
import type { VarGenerator } from './vars.js';

/** What the engine keeps per virtual user. */
export interface VirtualUserRuntime {
  readonly id: number;
  /** Per-VU variable values by variable index (undefined for per-request variables). */
  readonly vuValues: unknown[];
  readonly vars: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/** Creates virtual user `id`, resolving its per-VU variables. */
export function createVirtualUser(id: number, vars: readonly VarGenerator[] = []): VirtualUserRuntime {
  const vuValues: unknown[] = [];
  const byName: Record<string, unknown> = {};
  vars.forEach((v, i) => {
    if (!v.perVu) return;
    vuValues[i] = v.next(id);
    byName[v.name] = vuValues[i];
  });
  return { id, vuValues, vars: byName, state: {} };
}

/**
 * Runs a scenario's `setup` for one virtual user, with `fetch` bound to the target's origin.
 * @throws UsageError when setup throws: a flow that cannot start would only measure error pages.
 */
export async function runSetup(scenario: Scenario, vu: VirtualUserRuntime, origin: string): Promise<void> {
  if (!scenario.setup) return;
  const user: VirtualUser = {
    id: vu.id,
    vars: vu.vars as VirtualUser['vars'],
    state: vu.state,
    fetch: (path, init) => fetch(new URL(path, origin), withJson(init)),
  };
  try {
    await scenario.setup(user);
  } catch (error) {
    throw new UsageError(`scenario setup failed for virtual user ${vu.id}: ${(error as Error).message}`);
  }
}

function withJson(init: VuFetchInit | undefined): RequestInit | undefined {
  if (!init || init.json === undefined) return init;
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return { ...rest, headers, body: JSON.stringify(json) };
}
