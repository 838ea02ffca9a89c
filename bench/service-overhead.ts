/**
 * What headroom-kit/service costs: req/s of a bare fastify hello route vs the same route on createService with
 * access logs (info, JSON to stdout, sent to /dev/null), RED metrics, tracing (no exporter: ids only), request
 * Context and the MAX_INFLIGHT guard on. Alternates A/B rounds in one run, server pinned to CPU 0 and the load
 * generator to CPU 1 when taskset exists; prints each round, the medians and the ratio (goal ≥ 0.85×). It also
 * reads the server's CPU time from /proc and prints CPU µs per request: on a shared machine req/s follows the
 * scheduler, CPU per request much less so.
 *
 * The servers run compiled JavaScript (this file bundled by esbuild, dependencies external), as in production:
 * under tsx every closure pays for esbuild's `keepNames` helper, which is not headroom's cost.
 *
 * Run: `npx tsx bench/service-overhead.ts [--rounds 3] [--duration 5s] [--connections 50] [--load wrk|headroom]`.
 * Profile the service side: `node --cpu-prof node_modules/.cache/headroom/service-overhead.mjs --serve service`
 * (the bundle is written by any run), put load on the printed port, then Ctrl-C writes the profile.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createService } from '../src/service/index.js';
import { parseDuration } from '../src/units/duration.js';

type Variant = 'bare' | 'service';
type Generator = 'wrk' | 'headroom';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = `${ROOT}node_modules/.cache/headroom/service-overhead.mjs`;

async function serve(variant: Variant): Promise<void> {
  const hello = async () => ({ hello: 'world' });
  if (variant === 'bare') {
    const app = Fastify({ logger: false });
    app.get('/hello', hello);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    process.stderr.write(`${typeof address === 'object' && address ? address.port : ''}\n`);
    return;
  }
  const service = createService({
    name: 'bench',
    // The event-loop bound is off so a starved shared machine cannot turn a round into cheap 503s; the
    // MAX_INFLIGHT guard (default 1000) stays on.
    env: { PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY: '0' },
    routes: async (app) => {
      app.get('/hello', hello);
    },
  });
  const { url } = await service.listen();
  process.stderr.write(`${new URL(url).port}\n`);
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
  const [file, ...args] = pin ? ['taskset', '-c', '1', ...command] : command;
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
  options: { seconds: number; connections: number; pin: boolean; generator: Generator },
): Promise<Measurement> {
  const { seconds, connections, pin, generator } = options;
  const node = [process.execPath, BUNDLE, '--serve', variant];
  // The port comes on stderr; stdout (the service's JSON logs, as in production) goes to /dev/null.
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  const server = pin
    ? spawn('taskset', ['-c', '0', ...node], { stdio })
    : spawn(node[0] as string, node.slice(1), { stdio });
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
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5s' },
    connections: { type: 'string', default: '50' },
    load: { type: 'string' },
  },
});

if (values.serve === 'bare' || values.serve === 'service') {
  // SIGINT exits normally so `node --cpu-prof <bundle> --serve service` writes its profile.
  process.on('SIGINT', () => process.exit(0));
  await serve(values.serve);
} else {
  const rounds = Number(values.rounds);
  const seconds = Math.max(1, Math.round(parseDuration(values.duration) / 1000));
  const connections = Number(values.connections);
  const pin = hasCommand('taskset', ['-c', '0', 'true'], true);
  const generator: Generator =
    values.load === 'headroom' || values.load === 'wrk'
      ? values.load
      : hasCommand('wrk', ['-v'], false)
        ? 'wrk'
        : 'headroom';
  await bundle();
  const results: Record<Variant, number[]> = { bare: [], service: [] };
  const cpu: Record<Variant, number[]> = { bare: [], service: [] };
  console.log(
    `service overhead: ${generator} -c${connections} -d${seconds}s, ${rounds} A/B rounds, pinned: ${pin}`,
  );
  for (let round = 1; round <= rounds; round++) {
    const order: Variant[] = round % 2 ? ['bare', 'service'] : ['service', 'bare'];
    for (const variant of order) {
      const { rps, cpuUsPerRequest } = await measure(variant, { seconds, connections, pin, generator });
      results[variant].push(rps);
      if (cpuUsPerRequest !== undefined) cpu[variant].push(cpuUsPerRequest);
      const cpuText =
        cpuUsPerRequest === undefined ? '' : `  ${cpuUsPerRequest.toFixed(1).padStart(6)} µs CPU/req`;
      console.log(`round ${round}  ${variant.padEnd(8)} ${rps.toFixed(0).padStart(8)} req/s${cpuText}`);
    }
  }
  const bare = median(results.bare);
  const service = median(results.service);
  console.log(`median   bare     ${bare.toFixed(0).padStart(8)} req/s`);
  console.log(`median   service  ${service.toFixed(0).padStart(8)} req/s`);
  console.log(`ratio    service/bare = ${(service / bare).toFixed(3)}x req/s  (goal >= 0.85x)`);
  if (cpu.bare.length === rounds && cpu.service.length === rounds) {
    const perReq = median(cpu.bare) / median(cpu.service);
    console.log(
      `cpu      bare ${median(cpu.bare).toFixed(1)} µs/req, service ${median(cpu.service).toFixed(1)} µs/req` +
        ` → capacity ratio ${perReq.toFixed(3)}x (CPU-bound server; robust to a busy machine)`,
    );
  }
}
