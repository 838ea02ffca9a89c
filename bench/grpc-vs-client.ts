/**
 * `headroom load grpc://` against a plain @grpc/grpc-js client loop at the same concurrency, side by side in one
 * run, on one fixed grpc-js server (`bench.Echo/Say` of test/load/fixtures/echo.proto) in its own process.
 * Alternates the two for `--rounds` rounds of `--duration`; prints calls/s per round and the median ratio.
 * On a 2-core machine the server and the client share the cores: the server is usually the limit.
 * `--messages N` calls the server-streaming `bench.Echo/Watch` instead, each call answered with N messages (the
 * grpc-js client then counts a call once it got all N and an OK status).
 *
 * Run: `npx tsx bench/grpc-vs-client.ts [--rounds 3] [--duration 5] [--connections 4] [--streams 16] [--messages N]`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { ECHO_SERVICE, ECHO_WATCH_SERVICE, ECHO_PROTO as PROTO } from '../test/support/grpc-echo.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = ECHO_SERVICE.Say;
const watch = ECHO_WATCH_SERVICE.Watch;

/** `--serve`: the fixed server; prints its port, then answers every call with its text. */
async function serve(): Promise<void> {
  const server = new grpc.Server();
  server.addService(
    { Say: say, Watch: watch },
    {
      Say: (call: grpc.ServerUnaryCall<{ text: string }, object>, done: grpc.sendUnaryData<object>) =>
        done(null, { text: call.request.text }),
      // `userId` messages, then OK.
      Watch: (call: grpc.ServerWritableStream<{ text: string; userId: number }, object>) => {
        for (let i = 0; i < call.request.userId; i++) call.write({ text: call.request.text });
        call.end();
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  console.log(port);
}

/** A call of the client: unary `Say`, or `Watch` with its messages. */
type EchoClient = {
  Say(m: object, cb: (e: Error | null) => void): void;
  Watch(m: object): grpc.ClientReadableStream<object>;
  close(): void;
};

/**
 * A grpc-js client: `connections` channels with `streams` calls in flight on each, for `seconds`; calls/s.
 * `messages` > 0: `Watch` calls, each counted once all its messages and an OK status arrived.
 */
async function clientLoop(
  port: number,
  connections: number,
  streams: number,
  seconds: number,
  messages: number,
): Promise<number> {
  const Client = grpc.makeGenericClientConstructor({ Say: say, Watch: watch }, 'Echo');
  const clients = Array.from(
    { length: connections },
    // A distinct option per client keeps grpc-js from sharing one channel between them.
    (_, i) => new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'headroom.channel': i }),
  ) as unknown as EchoClient[];
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const loop = (client: (typeof clients)[number]) =>
    new Promise<void>((resolve) => {
      const next = (): void => {
        if (performance.now() >= end) {
          resolve();
          return;
        }
        if (messages === 0) {
          client.Say({ text: 'hello', userId: 1 }, (error) => {
            if (!error) done++;
            next();
          });
          return;
        }
        let got = 0;
        const call = client.Watch({ text: 'hello', userId: messages });
        call.on('data', () => got++);
        call.on('error', () => {});
        call.on('status', (status: grpc.StatusObject) => {
          if (status.code === grpc.status.OK && got === messages) done++;
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
function headroomLoad(
  port: number,
  connections: number,
  streams: number,
  seconds: number,
  messages: number,
): Promise<number> {
  const args = [`${ROOT}dist/cli/main.js`, 'load', `grpc://127.0.0.1:${port}`, '--proto', PROTO];
  const call = messages === 0 ? 'bench.Echo/Say' : 'bench.Echo/Watch';
  const body = JSON.stringify({ text: 'hello', userId: messages === 0 ? 1 : messages });
  args.push('--call', call, '-b', body, '-c', String(connections));
  args.push('-p', String(streams), '-t', '1', '-d', String(seconds), '--no-progress', '--json');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve(okCallsPerS(JSON.parse(out), messages))
        : reject(new Error(`headroom load exited ${code}`)),
    ),
  );
}

/** Calls/s of a result; for `Watch`, only when every call got all its messages (else the figure is refused). */
function okCallsPerS(
  result: { throughput: { rps: number }; grpcStreaming?: { calls: number; messages: number } },
  messages: number,
): number {
  const s = result.grpcStreaming;
  if (messages > 0 && (!s || s.messages !== s.calls * messages))
    throw new Error(`headroom counted ${s?.messages} messages in ${s?.calls} calls, not ${messages} each`);
  return result.throughput.rps;
}

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '4' },
    streams: { type: 'string', default: '16' },
    messages: { type: 'string', default: '0' },
  },
});
if (values.serve) {
  await serve();
} else {
  const [rounds, seconds, connections, streams, messages] = [
    values.rounds,
    values.duration,
    values.connections,
    values.streams,
    values.messages,
  ].map(Number) as [number, number, number, number, number];
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
    `grpc-js server on 127.0.0.1:${port}; ${messages === 0 ? 'unary Say' : `Watch, ${messages} messages per call`}; ` +
      `${connections} connections × ${streams} calls in flight, ${seconds}s per run`,
  );
  console.log('round   grpc-js client calls/s   headroom calls/s   ratio');
  const ratios: number[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const plain = await clientLoop(port, connections, streams, seconds, messages);
      const ours = await headroomLoad(port, connections, streams, seconds, messages);
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
