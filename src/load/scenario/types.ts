/**
 * The scenario file format (docs/scenario.md): a weighted mix of templated requests, variables drawn from
 * generators and data files, and an optional per-virtual-user `setup` for flows such as logging in once.
 */

/** A row of a data file: CSV columns are strings, JSON rows keep their types. */
export type DataRow = Record<string, unknown>;

/** How a variable gets its value. */
export type VarSpec =
  | { seq: number }
  | { int: [number, number] }
  | 'uuid'
  | { oneOf: unknown[] }
  | { from: string; pick?: 'random' | 'seq' | 'vu' };

/** One request of the mix; `path`, header values, `body` and strings inside `json` are templates. */
export interface ScenarioRequest {
  /** Label in the per-request counts; default `METHOD path`. */
  name?: string;
  /** Relative frequency; default 1. */
  weight?: number;
  /** Default GET, or POST when there is a body. */
  method?: string;
  /** Appended to the target's origin; starts with `/`. */
  path: string;
  headers?: Record<string, string>;
  /** A body sent as is. */
  body?: string;
  /** A body serialised as JSON (`content-type: application/json` added). */
  json?: unknown;
}

/** `init` for {@link VirtualUser.fetch}: fetch's options plus `json`. */
export interface VuFetchInit extends RequestInit {
  json?: unknown;
}

/** One virtual user (= one connection), as `setup` sees it. */
export interface VirtualUser<Vars extends object = Record<string, DataRow>> {
  /** 0-based, unique across threads. */
  readonly id: number;
  /** The `pick: 'vu'` variables, fixed for this user. */
  readonly vars: Vars;
  /** The flow's state, readable in templates as `{{state.key}}`. */
  readonly state: Record<string, unknown>;
  /** `fetch` against the target's origin; `init.json` serialises a JSON body. */
  fetch(path: string, init?: VuFetchInit): Promise<Response>;
}

/**
 * A scenario module's default export (or a JSON file's content, without `setup`).
 * @example
 * export default { requests: [{ path: '/items/{{id}}' }], vars: { id: { int: [1, 100] } } } satisfies Scenario;
 */
export interface Scenario<Vars extends object = Record<string, DataRow>> {
  /** Data files by name, relative to the scenario file: CSV (with a header line) or JSON arrays of objects. */
  data?: Record<string, string>;
  vars?: Record<string, VarSpec>;
  /** Runs once per virtual user before it joins the load; not measured. */
  setup?: (vu: VirtualUser<Vars>) => Promise<void> | void;
  requests: ScenarioRequest[];
}
