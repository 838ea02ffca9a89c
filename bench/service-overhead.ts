/**
 * What headroom-kit/service costs per request, side by side with what a user would otherwise run, on a hello route:
 * - `bare`: fastify alone;
 * - `hand`: the stack assembled by hand — fastify + one pino access line per request (asynchronous destination)
 *   + a prom-client duration histogram by method, route and status;
 * - `service`: createService with the access line at info (JSON to stdout → /dev/null), RED metrics, request
 *   Context with its deadline, the overload guard, tracing off (no exporter).
 * Server pinned to CPU 0 and wrk to CPU 1 (taskset), both at nice -10 when allowed (root: other jobs on a shared
 * machine then take less of those cores), the server's CPU time per request read from /proc/<pid>/stat,
 * variants alternated over rounds (order rotated each round); prints each round, the medians in µs of CPU per
 * request and the throughput-like ratios bare/service and hand/service (goals: ≥ 0.70× bare, ≥ 1.2× hand).
 * CPU per request is the figure to trust on a shared machine: req/s follows the scheduler, CPU per request much less.
 *
 * The servers run compiled JavaScript (this file bundled by esbuild, dependencies external), as in production:
 * under tsx every closure pays for esbuild's `keepNames` helper, which is not headroom's cost.
 *
 * Run: `npx tsx bench/service-overhead.ts [--node /path/to/node] [--rounds 3] [--duration 5s] [--connections 50]
 * [--load wrk|headroom] [--implicit-context on|off]`; `--node` picks the Node binary the servers run on (default:
 * the one running this); `--implicit-context off` runs the service with `IMPLICIT_CONTEXT=off` (no
 * AsyncLocalStorage around handlers).
 * Profile one side: `node --cpu-prof node_modules/.cache/headroom/service-overhead.mjs --serve service` (the bundle
 * is written by any run), put load on the printed port, then Ctrl-C writes the profile.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Histogram, Registry } from 'prom-client';
import { createService } from '../src/service/index.js';
import { parseDuration } from '../src/units/duration.js';

const VARIANTS = ['bare', 'hand', 'service'] as const;
type Variant = (typeof VARIANTS)[number];
type Generator = 'wrk' | 'headroom';

/** `nice -n -10` when this user may raise priority (root), else nothing. */
const PRIORITY = hasCommand('nice', ['-n', '-10', 'true'], true) ? ['nice', '-n', '-10'] : [];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = `${ROOT}node_modules/.cache/headroom/service-overhead.mjs`;

/** Prints the bound port on stderr, where the parent reads it. */
function announce(address: unknown): void {
  const port = typeof address === 'object' && address !== null && 'port' in address ? address.port : '';
  process.stderr.write(`${port}\n`);
}

async function serve(variant: Variant, implicitContext: string): Promise<void> {
  const hello = async () => ({ hello: 'world' });
  if (variant === 'bare' || variant === 'hand') {
    const app = Fastify({ logger: false });
    if (variant === 'hand') {
      // What one writes in an afternoon: pino to stdout through its asynchronous destination, one access line
      // per request, and a prom-client histogram of durations.
      const log = pino({ level: 'info' }, pino.destination({ dest: 1, sync: false }));
      const duration = new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration in seconds.',
        labelNames: ['method', 'route', 'status'],
        registers: [new Registry()],
      });
      app.addHook('onResponse', (req, reply, done) => {
        const route = req.routeOptions.url ?? 'unmatched';
        const ms = reply.elapsedTime;
        duration.observe({ method: req.method, route, status: reply.statusCode }, ms / 1000);
        log.info({ reqId: req.id, method: req.method, route, status: reply.statusCode, ms }, 'request');
        done();
      });
    }
    app.get('/hello', hello);
    await app.listen({ port: 0, host: '127.0.0.1' });
    announce(app.server.address());
    return;
  }
  const service = createService({
    name: 'bench',
    // Defaults otherwise (REQUEST_TIMEOUT, the MAX_INFLIGHT guard), but the event-loop bound is off: on a starved
    // shared machine it turns part of a round into cheap 503s (its per-request cost is one comparison either way).
    env: {
      PORT: '0',
      ADMIN_PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MAX_EVENT_LOOP_DELAY: '0',
      IMPLICIT_CONTEXT: implicitContext,
    },
    routes: async (app) => {
      app.get('/hello', hello);
    },
  });
  const { url } = await service.listen();
  announce({ port: Number(new URL(url).port) });
}

/** Bundles this file (dependencies stay external) so the servers run plain `node`, not tsx. */
async function bundle(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [fileURLToPath(import.meta.url)],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** Whether `command` exists and, when `mustSucceed`, exits 0 (wrk exits 1 even for `-v`). */
function hasCommand(command: string, args: string[], mustSucceed: boolean): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch (error) {
    return !mustSucceed && (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in USER_HZ (100/s)
  } catch {
    return undefined;
  }
}

/** Requests completed and non-2xx answers of one load run. */
interface LoadRun {
  completed: number;
  rps: number;
  failed: number;
}

/** Runs the load generator against `url` for `seconds` (on CPU 1 when pinning). */
function runLoad(
  generator: Generator,
  url: string,
  seconds: number,
  connections: number,
  pin: boolean,
): LoadRun {
  const command =
    generator === 'wrk'
      ? ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, url]
      : [
          process.execPath,
          '--import',
          'tsx',
          `${ROOT}src/cli/main.ts`,
          'load',
          url,
          '-c',
          String(connections),
          '-d',
          `${seconds}s`,
          '--json',
          '--no-progress',
        ];
  const [file, ...args] = pin ? [...PRIORITY, 'taskset', '-c', '1', ...command] : command;
  const out = execFileSync(file as string, args, {
    encoding: 'utf8',
    cwd: ROOT,
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (generator === 'wrk') {
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const total = /(\d+) requests in/.exec(out);
    if (!rps || !total) throw new Error(`cannot read wrk output:\n${out}`);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    const socket = /Socket errors: .*/.exec(out);
    if (socket) throw new Error(`socket errors during the run: ${socket[0]}`);
    return { completed: Number(total[1]), rps: Number(rps[1]), failed: Number(non2xx?.[1] ?? 0) };
  }
  const result = JSON.parse(out) as {
    requests: { completed: number; errors: number };
    throughput: { rps: number };
    status: Record<string, number>;
  };
  const failed = result.requests.errors + (result.status['4xx'] ?? 0) + (result.status['5xx'] ?? 0);
  return { completed: result.requests.completed, rps: result.throughput.rps, failed };
}

/** One round of one variant. */
interface Measurement {
  rps: number;
  /** Server CPU per request (µs): robust to other load on the machine, unlike req/s. */
  cpuUsPerRequest: number | undefined;
}

async function measure(
  variant: Variant,
  options: {
    node: string;
    seconds: number;
    connections: number;
    pin: boolean;
    generator: Generator;
    implicitContext: string;
  },
): Promise<Measurement> {
  const { seconds, connections, pin, generator } = options;
  const node = [options.node, BUNDLE, '--serve', variant, '--implicit-context', options.implicitContext];
  // The port comes on stderr; stdout (the service's JSON logs, as in production) goes to /dev/null.
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  // nice and taskset exec the next command, so the pid is the server's own (for /proc/<pid>/stat).
  const argv = pin ? [...PRIORITY, 'taskset', '-c', '0', ...node] : node;
  const server = spawn(argv[0] as string, argv.slice(1), { stdio });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stderr }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/hello`;
    runLoad(generator, url, 1, connections, pin); // warm-up: JIT and connection pools
    const cpuBefore = cpuSeconds(server.pid);
    const run = runLoad(generator, url, seconds, connections, pin);
    const cpuAfter = cpuSeconds(server.pid);
    if (run.failed > 0) throw new Error(`${variant}: ${run.failed} failed requests during the run`);
    const cpuUsPerRequest =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / run.completed;
    return { rps: run.rps, cpuUsPerRequest };
  } finally {
    server.kill('SIGKILL');
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    node: { type: 'string', default: process.execPath },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5s' },
    connections: { type: 'string', default: '50' },
    load: { type: 'string' },
    'implicit-context': { type: 'string', default: 'on' },
  },
});

if (VARIANTS.includes(values.serve as Variant)) {
  // SIGINT exits normally so `node --cpu-prof <bundle> --serve service` writes its profile.
  process.on('SIGINT', () => process.exit(0));
  await serve(values.serve as Variant, values['implicit-context']);
} else {
  const rounds = Number(values.rounds);
  const seconds = Math.max(1, Math.round(parseDuration(values.duration) / 1000));
  const connections = Number(values.connections);
  const node = values.node;
  const pin = hasCommand('taskset', ['-c', '0', 'true'], true);
  const generator: Generator =
    values.load === 'headroom' || values.load === 'wrk'
      ? values.load
      : hasCommand('wrk', ['-v'], false)
        ? 'wrk'
        : 'headroom';
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  await bundle();
  const rps: Record<Variant, number[]> = { bare: [], hand: [], service: [] };
  const cpu: Record<Variant, number[]> = { bare: [], hand: [], service: [] };
  console.log(
    `service overhead on Node ${version}: ${generator} -c${connections} -d${seconds}s, ${rounds} rounds, ` +
      `pinned: ${pin}, nice -10: ${PRIORITY.length > 0}, IMPLICIT_CONTEXT=${values['implicit-context']}`,
  );
  for (let round = 1; round <= rounds; round++) {
    // Rotate the order so no variant always runs first (or right after the same neighbour).
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round - 1) % VARIANTS.length] as Variant);
    for (const variant of order) {
      const run = await measure(variant, {
        node,
        seconds,
        connections,
        pin,
        generator,
        implicitContext: values['implicit-context'],
      });
      rps[variant].push(run.rps);
      if (run.cpuUsPerRequest !== undefined) cpu[variant].push(run.cpuUsPerRequest);
      const cpuText =
        run.cpuUsPerRequest === undefined ? '' : `  ${run.cpuUsPerRequest.toFixed(1).padStart(6)} µs CPU/req`;
      console.log(`round ${round}  ${variant.padEnd(8)} ${run.rps.toFixed(0).padStart(8)} req/s${cpuText}`);
    }
  }
  for (const variant of VARIANTS) {
    const cpuText = cpu[variant].length === rounds ? `  ${median(cpu[variant]).toFixed(1)} µs CPU/req` : '';
    console.log(
      `median   ${variant.padEnd(8)} ${median(rps[variant]).toFixed(0).padStart(8)} req/s${cpuText}`,
    );
  }
  const m = (values: Record<Variant, number[]>, variant: Variant) => median(values[variant]);
  console.log(
    `req/s ratio   service/bare ${(m(rps, 'service') / m(rps, 'bare')).toFixed(2)}x, ` +
      `service/hand ${(m(rps, 'service') / m(rps, 'hand')).toFixed(2)}x`,
  );
  if (VARIANTS.every((variant) => cpu[variant].length === rounds)) {
    // Throughput-like: bare µs / service µs (a CPU-bound server's capacity ratio).
    console.log(
      `CPU ratio     service vs bare ${(m(cpu, 'bare') / m(cpu, 'service')).toFixed(2)}x (goal >= 0.70x), ` +
        `vs hand ${(m(cpu, 'hand') / m(cpu, 'service')).toFixed(2)}x (goal >= 1.20x)`,
    );
  }
}
