/**
 * A virtual user at run time (one per connection): its id, its `pick: 'vu'` values, its state, and the
 * `setup` call that gives a flow its starting state (log in once, keep the token).
 */
import https from 'node:https';
import { UsageError } from '../../errors.js';
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
 * Runs a scenario's `setup` for one virtual user, with `fetch` bound to the target's origin (and, with
 * `insecure`, skipping certificate verification like the load itself).
 * @throws UsageError when setup throws: a flow that cannot start would only measure error pages.
 */
export async function runSetup(
  scenario: Scenario,
  vu: VirtualUserRuntime,
  origin: string,
  insecure: boolean,
): Promise<void> {
  if (!scenario.setup) return;
  const unverified = insecure && origin.startsWith('https:');
  const user: VirtualUser = {
    id: vu.id,
    vars: vu.vars as VirtualUser['vars'],
    state: vu.state,
    fetch: (path, init) => {
      const url = new URL(path, origin);
      return unverified ? fetchUnverified(url, withJson(init)) : fetch(url, withJson(init));
    },
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

/**
 * `fetch` over https without certificate verification (the global fetch cannot skip it without undici's own
 * agent): node:https with `rejectUnauthorized: false`, the response buffered into a standard `Response`.
 */
function fetchUnverified(url: URL, init: RequestInit | undefined): Promise<Response> {
  const body = init?.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError('vu.fetch with --insecure sends string, Uint8Array or json bodies'));
  }
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method: init?.method ?? 'GET',
        headers: Object.fromEntries(new Headers(init?.headers)),
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : [value ?? '']) headers.append(name, v);
          }
          const noBody = status === 204 || status === 205 || status === 304;
          resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers }));
        });
      },
    );
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}
