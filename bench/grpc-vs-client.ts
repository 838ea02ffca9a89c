/**
 * `headroom load grpc://` against a plain @grpc/grpc-js client loop at the same concurrency, side by side in one
 * run, on one fixed grpc-js server (`bench.Echo/Say` of test/load/fixtures/echo.proto) in its own process.
 * Alternates the two for `--rounds` rounds of `--duration`; prints calls/s per round and the median ratio.
 * On a 2-core machine the server and the client share the cores: the server is usually the limit.
 *
 * Run: `npx tsx bench/grpc-vs-client.ts [--rounds 3] [--duration 5] [--connections 4] [--streams 16]`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { ECHO_SERVICE, ECHO_PROTO as PROTO } from '../test/support/grpc-echo.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = ECHO_SERVICE.Say;

/** `--serve`: the fixed server; prints its port, then answers every call with its text. */
async function serve(): Promise<void> {
  const server = new grpc.Server();
  server.addService(
    { Say: say },
    {
      Say: (call: grpc.ServerUnaryCall<{ text: string }, object>, done: grpc.sendUnaryData<object>) =>
        done(null, { text: call.request.text }),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  console.log(port);
}

/** A grpc-js client: `connections` channels with `streams` calls in flight on each, for `seconds`; calls/s. */
async function clientLoop(
  port: number,
  connections: number,
  streams: number,
  seconds: number,
): Promise<number> {
  const Client = grpc.makeGenericClientConstructor({ Say: say }, 'Echo');
  const clients = Array.from(
    { length: connections },
    // A distinct option per client keeps grpc-js from sharing one channel between them.
    (_, i) => new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'headroom.channel': i }),
  ) as unknown as { Say(m: object, cb: (e: Error | null) => void): void; close(): void }[];
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const loop = (client: (typeof clients)[number]) =>
    new Promise<void>((resolve) => {
      const next = (): void => {
        if (performance.now() >= end) {
          resolve();
          return;
        }
        client.Say({ text: 'hello', userId: 1 }, (error) => {
          if (!error) done++;
          next();
        });
      };
      next();
    });
  await Promise.all(clients.flatMap((client) => Array.from({ length: streams }, () => loop(client))));
  for (const client of clients) client.close();
  return done / seconds;
}

/** `headroom load grpc://…` at the same concurrency; calls/s from its JSON result. */
function headroomLoad(port: number, connections: number, streams: number, seconds: number): Promise<number> {
  const args = [`${ROOT}dist/cli/main.js`, 'load', `grpc://127.0.0.1:${port}`, '--proto', PROTO];
  args.push('--call', 'bench.Echo/Say', '-b', '{"text":"hello","userId":1}', '-c', String(connections));
  args.push('-p', String(streams), '-t', '1', '-d', String(seconds), '--no-progress', '--json');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out).throughput.rps)
        : reject(new Error(`headroom load exited ${code}`)),
    ),
  );
}

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    streams: { type: 'string', default: '16' },
  },
});
if (values.serve) {
  await serve();
} else {
  const [rounds, seconds, connections, streams] = [
    values.rounds,
    values.duration,
    values.connections,
    values.streams,
  ].map(Number) as [number, number, number, number];
  const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = Number(
    await createInterface({ input: server.stdout })
      [Symbol.asyncIterator]()
      .next()
      .then((l) => l.value),
  );
  console.log(
    `grpc-js server on 127.0.0.1:${port}; ${connections} connections × ${streams} calls in flight, ${seconds}s per run`,
  );
  console.log('round   grpc-js client calls/s   headroom calls/s   ratio');
  const ratios: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const plain = await clientLoop(port, connections, streams, seconds);
      const ours = await headroomLoad(port, connections, streams, seconds);
      ratios.push(ours / plain);
      console.log(
        `${String(round).padEnd(7)} ${plain.toFixed(0).padStart(22)} ${ours.toFixed(0).padStart(18)} ${(ours / plain).toFixed(2).padStart(7)}`,
      );
    }
  } finally {
    server.kill();
  }
  ratios.sort((a, b) => a - b);
  console.log(`median headroom/grpc-js: ${ratios[Math.floor(ratios.length / 2)]?.toFixed(2)}`);
}
