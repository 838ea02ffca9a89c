/**
 * `--reflect`: the service's definitions from the server itself (gRPC server reflection, v1 then v1alpha): one
 * `file_containing_symbol` request over node:http2 before the run, the returned FileDescriptorProtos turned into
 * a protobufjs Root. A server without reflection is a `UsageError` naming `--proto` as the way out.
 */
import http2 from 'node:http2';
import protobuf from 'protobufjs';
import 'protobufjs/ext/descriptor.js';
import { UsageError } from '../../errors.js';

const PATHS = [
  '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
  '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
];

/**
 * Asks the server at `origin` (`http(s)://host:port`) for the files defining `symbol` (a service name).
 * @throws UsageError when the server cannot be reached, has no reflection, or does not know the symbol.
 */
export async function reflectRoot(
  origin: string,
  symbol: string,
  insecure: boolean,
  timeoutMs: number,
): Promise<protobuf.Root> {
  const session = http2.connect(origin, { rejectUnauthorized: !insecure });
  session.on('error', () => {});
  try {
    let lastError = '';
    for (const path of PATHS) {
      const answer = await call(session, origin, path, symbol, timeoutMs);
      if (typeof answer === 'string') {
        lastError = answer;
        continue;
      }
      return rootOf(answer);
    }
    throw new UsageError(`server reflection failed at ${origin}: ${lastError} (use --proto)`, {
      option: 'reflect',
    });
  } finally {
    session.destroy();
  }
}

/** One reflection request: the FileDescriptorProtos, or why there are none. */
function call(
  session: http2.ClientHttp2Session,
  origin: string,
  path: string,
  symbol: string,
  timeoutMs: number,
): Promise<Uint8Array[] | string> {
  return new Promise((resolve, reject) => {
    const message = protobuf.Writer.create()
      .uint32((4 << 3) | 2)
      .string(symbol)
      .finish();
    const framed = Buffer.alloc(5 + message.length);
    framed.writeUInt32BE(message.length, 1);
    framed.set(message, 5);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const timer = setTimeout(() => {
      stream.close();
      resolve(`no answer within ${timeoutMs}ms`);
    }, timeoutMs);
    const chunks: Buffer[] = [];
    let grpcStatus = '';
    let grpcMessage = '';
    stream.on('response', (headers) => {
      grpcStatus = String(headers['grpc-status'] ?? grpcStatus);
      grpcMessage = String(headers['grpc-message'] ?? grpcMessage);
    });
    stream.on('trailers', (trailers) => {
      grpcStatus = String(trailers['grpc-status'] ?? grpcStatus);
      grpcMessage = String(trailers['grpc-message'] ?? grpcMessage);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new UsageError(
          `cannot reach ${origin}: ${(error.cause as NodeJS.ErrnoException)?.code ?? error.message}`,
          {
            code: 'unreachable',
          },
        ),
      );
    });
    stream.on('end', () => {
      clearTimeout(timer);
      const body = Buffer.concat(chunks);
      if (body.length < 5) {
        resolve(
          `grpc-status ${grpcStatus || 'none'}${grpcMessage ? ` (${decodeURIComponent(grpcMessage)})` : ''}`,
        );
        return;
      }
      resolve(parseResponse(body.subarray(5, 5 + body.readUInt32BE(1))));
    });
    stream.end(framed);
  });
}

/** A ServerReflectionResponse: its file_descriptor_response (field 4) files, or its error_response (field 7). */
function parseResponse(bytes: Uint8Array): Uint8Array[] | string {
  const reader = protobuf.Reader.create(bytes);
  const files: Uint8Array[] = [];
  let error = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 4) {
      const inner = protobuf.Reader.create(reader.bytes());
      while (inner.pos < inner.len) {
        const innerTag = inner.uint32();
        if (innerTag >>> 3 === 1) files.push(inner.bytes());
        else inner.skipType(innerTag & 7);
      }
    } else if (field === 7) {
      const inner = protobuf.Reader.create(reader.bytes());
      while (inner.pos < inner.len) {
        const innerTag = inner.uint32();
        if (innerTag >>> 3 === 2) error = inner.string();
        else inner.skipType(innerTag & 7);
      }
    } else reader.skipType(tag & 7);
  }
  return files.length > 0 ? files : error || 'no file descriptors';
}

/** A Root from FileDescriptorProtos (as a FileDescriptorSet: each one field 1). */
function rootOf(files: Uint8Array[]): protobuf.Root {
  const writer = protobuf.Writer.create();
  for (const file of files) writer.uint32((1 << 3) | 2).bytes(file);
  return protobuf.Root.fromDescriptor(writer.finish());
}
