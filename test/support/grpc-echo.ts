/**
 * A real @grpc/grpc-js server of `bench.Echo/Say` (or of the server-streaming `Watch`;
 * test/load/fixtures/echo.proto) whose answers each test chooses, on an ephemeral loopback port.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';

/** The .proto the server implements. */
export const ECHO_PROTO = path.join(import.meta.dirname, '..', 'load', 'fixtures', 'echo.proto');

const root = protobuf.loadSync(ECHO_PROTO);
const SayRequest = root.lookupType('bench.SayRequest');
const SayReply = root.lookupType('bench.SayReply');

/** One call of `Say`: its request and metadata, and how to answer it. */
export type SayHandler = (
  call: grpc.ServerUnaryCall<{ text: string; userId: number }, object>,
  done: grpc.sendUnaryData<object>,
) => void;

/** A running echo server: its `grpc://` URL, and its shutdown. */
export interface EchoServer {
  url: string;
  close(): void;
}

/** The `bench.Echo` service's unary `Say`, for grpc-js servers and clients (messages encoded by protobufjs). */
export const ECHO_SERVICE = {
  Say: {
    path: '/bench.Echo/Say',
    requestStream: false,
    responseStream: false,
    requestSerialize: (m: object) => Buffer.from(SayRequest.encode(m).finish()),
    requestDeserialize: (b: Buffer) => SayRequest.toObject(SayRequest.decode(b)),
    responseSerialize: (m: object) => Buffer.from(SayReply.encode(m).finish()),
    responseDeserialize: (b: Buffer) => SayReply.toObject(SayReply.decode(b)),
  },
} satisfies grpc.ServiceDefinition;

/** Starts an echo server answering `Say` with `handler`. */
export async function startEchoServer(handler: SayHandler): Promise<EchoServer> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, { Say: handler });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { url: `grpc://127.0.0.1:${port}`, close: () => server.forceShutdown() };
}

/** One call of the server-streaming `Watch`: its request, and the stream its messages are written to. */
export type WatchHandler = (
  call: grpc.ServerWritableStream<{ text: string; userId: number }, object>,
) => void;

/** `bench.Echo/Watch`, server streaming: one `SayRequest`, any number of `SayReply`. */
export const ECHO_WATCH_SERVICE = {
  Watch: { ...ECHO_SERVICE.Say, path: '/bench.Echo/Watch', responseStream: true },
} satisfies grpc.ServiceDefinition;

/** Starts an echo server streaming `Watch` answers with `handler` (and answering `Say` with `say`, if given). */
export async function startWatchServer(handler: WatchHandler, say?: SayHandler): Promise<EchoServer> {
  const server = new grpc.Server();
  server.addService(ECHO_WATCH_SERVICE, { Watch: handler });
  if (say) server.addService(ECHO_SERVICE, { Say: say });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { url: `grpc://127.0.0.1:${port}`, close: () => server.forceShutdown() };
}
