/**
 * Benchmark processes: a fresh `node --expose-gc --no-maglev --import tsx` per benchmark, so one benchmark's JIT
 * state, heap and GC debt never leak into another's numbers. Replies arrive over IPC; a crash, a throw or a timeout
 * becomes an error reply carrying the last lines the process printed.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveOptional } from '../optional-dependency.js';
import { pinnedLauncher } from './cpu-pin.js';
import type { ChildCommand, ChildReply, ChildRequest } from './protocol.js';

/**
 * Flags every benchmark process runs with (recorded in the environment fingerprint). `--no-maglev`: V8's middle
 * tier, on by default since Node 22, held a hot loop 3× slower than its optimised code for the first 10–18 samples
 * in about 1 process of 8 on Node 24 (and one such process calibrated N at half), so pooled rounds of identical code
 * differed by up to 14%. Without it, code tiers straight to TurboFan as on Node 20 — the same optimised code a hot
 * loop ends in either way.
 */
export const CHILD_FLAGS = ['--expose-gc', '--no-maglev'];

const childEntry = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './child.ts' : './child.js', import.meta.url),
);
const OUTPUT_TAIL = 2000;

/** Where and how to start a benchmark process. */
export interface ChildOptions {
  /** Working directory (benchmark files resolve their imports from here). */
  cwd: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill the process when one reply takes longer than this many milliseconds. */
  timeoutMs: number;
  /** Run the process on this CPU only (see cpu-pin.ts); null or absent: wherever the scheduler puts it. */
  cpu?: number | null;
}

function start(request: ChildRequest, options: ChildOptions): ChildProcess {
  const args = [JSON.stringify(request)];
  const settings = {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'] as ['ignore', 'pipe', 'pipe', 'ipc'],
  };
  // TypeScript (the benchmark file, or this runner itself from sources) loads through tsx, an optional peer.
  const typescript = /\.[cm]?ts$/.test(childEntry) || /\.[cm]?ts$/.test(request.file);
  const execArgv = typescript ? [...CHILD_FLAGS, '--import', resolveOptional('tsx')] : CHILD_FLAGS;
  if (options.cpu === undefined || options.cpu === null)
    return fork(childEntry, args, { ...settings, execArgv });
  const [launcher, prefix] = pinnedLauncher(options.cpu);
  return spawn(launcher, [...prefix, process.execPath, ...execArgv, childEntry, ...args], settings);
}

/** A running benchmark process: send a command, await its next reply. */
export class BenchChild {
  private readonly child: ChildProcess;
  private readonly replies: ChildReply[] = [];
  private waiting: ((reply: ChildReply) => void) | undefined;
  private output = '';
  private exited = false;

  constructor(
    request: ChildRequest,
    private readonly options: ChildOptions,
  ) {
    this.child = start(request, options);
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('message', (message) => this.deliver(message as ChildReply));
    this.child.on('error', (error) => this.deliver({ type: 'error', phase: 'load', error: error.message }));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const last = this.output.trim().split('\n').slice(-3).join(' | ');
      const error = `benchmark process exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`;
      this.deliver({ type: 'error', phase: 'run', error });
    });
  }

  private deliver(reply: ChildReply): void {
    const waiter = this.waiting;
    this.waiting = undefined;
    if (waiter) waiter(reply);
    else this.replies.push(reply);
  }

  /** Sends `command` (if any) and resolves with the next reply. */
  next(command?: ChildCommand): Promise<ChildReply> {
    if (command && !this.exited) this.child.send(command);
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        this.deliver({
          type: 'error',
          phase: 'run',
          error: `no answer within ${Math.round(this.options.timeoutMs / 1000)}s`,
        });
      }, this.options.timeoutMs);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  /** Stops the process (idempotent). */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Runs a one-shot request (`list`) in a fresh process and returns its reply. */
export async function runChild(request: ChildRequest, options: ChildOptions): Promise<ChildReply> {
  const child = new BenchChild(request, options);
  try {
    return await child.next();
  } finally {
    child.kill();
  }
}
