/**
 * A scenario compiled into a request source: weights into a cumulative table, templates into static text plus
 * slots, fully static requests rendered once. Per request only the slots are evaluated, each variable at most
 * once (so every reference in one request agrees).
 */
import { hasHeader } from '../request-bytes.js';
import type { RequestSource } from '../request-source.js';
import { loadDataFiles, partitionRows } from './data-files.js';
import type { LoadedScenario } from './load-scenario.js';
import {
  compileJson,
  compileTemplate,
  isStatic,
  mergeStatic,
  renderTemplate,
  type Slot,
  type SlotScope,
  type TemplatePart,
} from './template.js';
import type { ScenarioRequest } from './types.js';
import { compileVar, type ThreadSlot, type VarGenerator } from './vars.js';
import type { VirtualUserRuntime } from './virtual-user.js';

interface CompiledRequest {
  /** Request line and headers without Content-Length or the blank line. */
  head: TemplatePart[];
  body: TemplatePart[] | null;
  /** The whole request when nothing varies. */
  fixed: string | null;
}

const UNSET = Symbol('unset');

/** A scenario ready to build requests. */
export class ScenarioSource implements RequestSource, SlotScope {
  readonly names: string[];
  readonly noBody: boolean[];
  private readonly requests: CompiledRequest[];
  private readonly cumulative: number[];
  private readonly total: number;
  private readonly values: unknown[];
  private vu: VirtualUserRuntime | null = null;

  private constructor(
    readonly vars: VarGenerator[],
    requests: ScenarioRequest[],
    hostHeader: string,
  ) {
    const varIndex = new Map(vars.map((v, i) => [v.name, i]));
    this.values = vars.map(() => UNSET);
    this.names = requests.map(requestName);
    this.noBody = requests.map((r) => method(r) === 'HEAD');
    this.requests = requests.map((r, i) =>
      compileRequest(r, varIndex, hostHeader, `request "${this.names[i]}"`),
    );
    let sum = 0;
    this.cumulative = requests.map((r) => (sum += r.weight ?? 1));
    this.total = sum;
  }

  /**
   * Compiles a loaded scenario for one generator thread of one agent (`segment`): the agent keeps its part of
   * every data file (rows `segment.index`, `segment.index + segment.count`, …).
   */
  static async create(
    loaded: LoadedScenario,
    hostHeader: string,
    thread: ThreadSlot,
    segment: ThreadSlot,
  ): Promise<ScenarioSource> {
    const tables = partitionRows(await loadDataFiles(loaded.scenario.data, loaded.dir), segment);
    const vars = Object.entries(loaded.scenario.vars ?? {}).map(([name, spec]) =>
      compileVar(name, spec, tables, thread, segment),
    );
    return new ScenarioSource(vars, loaded.scenario.requests, hostHeader);
  }

  build(vu: VirtualUserRuntime, n: number, out: Int32Array): string {
    this.vu = vu;
    let bytes = '';
    for (let i = 0; i < n; i++) {
      const index = this.pick();
      out[i] = index;
      bytes += this.render(this.requests[index] as CompiledRequest);
    }
    return bytes;
  }

  /** Resolves a slot for the request being built. */
  value(slot: Slot): unknown {
    const vu = this.vu as VirtualUserRuntime;
    let v: unknown;
    if (slot.source === 'vu') v = vu.id;
    else if (slot.source === 'state') v = vu.state;
    else {
      const generator = this.vars[slot.index] as VarGenerator;
      if (generator.perVu) v = vu.vuValues[slot.index];
      else {
        v = this.values[slot.index];
        if (v === UNSET) v = this.values[slot.index] = generator.next(vu.id);
      }
    }
    for (const key of slot.path)
      v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key];
    return v;
  }

  private pick(): number {
    const r = Math.random() * this.total;
    const c = this.cumulative;
    for (let i = 0; i < c.length - 1; i++) if (r < (c[i] as number)) return i;
    return c.length - 1;
  }

  private render(request: CompiledRequest): string {
    if (request.fixed !== null) return request.fixed;
    this.values.fill(UNSET);
    if (request.body === null) return `${renderTemplate(request.head, this)}\r\n`;
    const body = renderTemplate(request.body, this);
    return `${renderTemplate(request.head, this)}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }
}

/** A request's label in the result: its `name`, or `METHOD path`. */
export function requestName(r: ScenarioRequest): string {
  return r.name ?? `${method(r)} ${r.path}`;
}

function method(r: ScenarioRequest): string {
  return (r.method ?? (r.body !== undefined || r.json !== undefined ? 'POST' : 'GET')).toUpperCase();
}

function compileRequest(
  r: ScenarioRequest,
  varIndex: Map<string, number>,
  hostHeader: string,
  where: string,
): CompiledRequest {
  const headers = Object.entries(r.headers ?? {}).filter(([h]) => h.toLowerCase() !== 'content-length');
  if (r.json !== undefined && !hasHeader(headers, 'content-type'))
    headers.push(['Content-Type', 'application/json']);
  // The head template: request line, Host (the request's own Host header wins, as wrk does), the other
  // headers, each value compiled; Content-Length comes at render time, as it depends on the body.
  const host = headers.find(([h]) => h.toLowerCase() === 'host');
  const text = (t: string) => compileTemplate(t, varIndex, 'text', where);
  const head: TemplatePart[] = [
    `${method(r)} `,
    ...text(r.path),
    ' HTTP/1.1\r\nHost: ',
    ...(host ? text(host[1]) : [hostHeader]),
    '\r\n',
  ];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'host') head.push(`${name}: `, ...text(value), '\r\n');
  }
  const body =
    r.json !== undefined ? compileJson(r.json, varIndex, where) : r.body !== undefined ? text(r.body) : null;
  const merged = mergeStatic(head);
  let fixed: string | null = null;
  if (isStatic(merged) && (body === null || isStatic(body))) {
    const bodyText = body === null ? null : body.join('');
    fixed =
      bodyText === null
        ? `${merged.join('')}\r\n`
        : `${merged.join('')}Content-Length: ${Buffer.byteLength(bodyText)}\r\n\r\n${bodyText}`;
  }
  return { head: merged, body, fixed };
}
