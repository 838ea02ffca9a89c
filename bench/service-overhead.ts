/**
 * What headroom/service costs: req/s of a bare fastify hello route vs the same route on createService with
 * access logs (info, the default async stdout, sent to /dev/null), RED metrics, tracing (sampler off: no exporter), request Context and
 * overload guard on. Alternates A/B rounds in one run, server pinned to CPU 0 and wrk to CPU 1 when taskset
 * exists; prints each round, the medians and the ratio (goal ≥ 0.85×). It also reads the server's CPU time from
 * /proc and prints CPU µs per request: on a shared machine req/s follows the scheduler, CPU per request does not.
 * Run: `npx tsx bench/service-overhead.ts [--rounds 3] [--duration 5s] [--connections 50]`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createService } from '../src/service/index.js';
import { parseDuration } from '../src/units/duration.js';

type Variant = 'bare' | 'service';

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
    env: { PORT: '0', ADMIN_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    routes: async (app) => {
      app.get('/hello', hello);
    },
  });
  const { url } = await service.listen();
  process.stderr.write(`${new URL(url).port}\n`);
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
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

interface Measurement {
  rps: number;
  /** Server CPU per request (µs): robust to other load on the machine, unlike req/s. */
  cpuUsPerRequest: number | undefined;
}

async function measure(
  variant: Variant,
  seconds: number,
  connections: number,
  pin: boolean,
): Promise<Measurement> {
  const node = [process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname, '--serve', variant];
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
    const wrk = (d: number) =>
      execFileSync(
        pin ? 'taskset' : 'wrk',
        [...(pin ? ['-c', '1', 'wrk'] : []), '-t1', `-c${connections}`, `-d${d}s`, url],
        {
          encoding: 'utf8',
        },
      );
    wrk(1); // warm-up: JIT and connection pools
    const cpuBefore = cpuSeconds(server.pid);
    const out = wrk(seconds);
    const cpuAfter = cpuSeconds(server.pid);
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const total = /(\d+) requests in/.exec(out);
    if (!rps || !total) throw new Error(`cannot read wrk output:\n${out}`);
    if (/Non-2xx|Socket errors/.test(out)) throw new Error(`errors during the run:\n${out}`);
    const cpuUsPerRequest =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / Number(total[1]);
    return { rps: Number(rps[1]), cpuUsPerRequest };
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
  },
});

if (values.serve === 'bare' || values.serve === 'service') {
  // SIGINT exits normally so `node --cpu-prof ... --serve service` writes its profile.
  process.on('SIGINT', () => process.exit(0));
  await serve(values.serve);
} else {
  const rounds = Number(values.rounds);
  const seconds = Math.max(1, Math.round(parseDuration(values.duration) / 1000));
  const connections = Number(values.connections);
  const pin = hasTaskset();
  const results: Record<Variant, number[]> = { bare: [], service: [] };
  const cpu: Record<Variant, number[]> = { bare: [], service: [] };
  console.log(
    `service overhead: wrk -t1 -c${connections} -d${seconds}s, ${rounds} A/B rounds, pinned: ${pin}`,
  );
  for (let round = 1; round <= rounds; round++) {
    const order: Variant[] = round % 2 ? ['bare', 'service'] : ['service', 'bare'];
    for (const variant of order) {
      const { rps, cpuUsPerRequest } = await measure(variant, seconds, connections, pin);
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
