/**
 * A unary or server-streaming gRPC call as an HTTP/2 request: `grpc://host:port` (`grpcs://` over TLS) with
 * `--proto` (or `--reflect`) and `--call pkg.Service/Method` becomes `POST /pkg.Service/Method` with
 * `content-type: application/grpc`, `te: trailers`, the metadata as headers, and the JSON message encoded once with
 * protobufjs into a length-prefixed gRPC message (sent once, also to a server-streaming method). Every mistake —
 * including a client-streaming or bidirectional method — is a `UsageError` before any load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { UsageError } from '../../errors.js';
import { reflectRoot } from './reflection.js';

/** The HTTP/2 request a gRPC target stands for. */
export interface GrpcRequest {
  /** `http(s)://host:port/pkg.Service/Method`. */
  url: string;
  headers: Record<string, string>;
  /** The gRPC-framed message (uncompressed flag, 4-byte length, protobuf bytes). */
  body: Buffer;
  /** The method streams its response (server streaming): a call answers with any number of messages. */
  serverStreaming: boolean;
}

/** What a gRPC target needs besides its URL. */
export interface GrpcCallOptions {
  /** The .proto file defining `call`; or `reflect`. */
  proto?: string;
  /** Folders searched for the proto's imports (after the importing file's own folder), as protoc's `-I`. */
  importPaths?: string[];
  /** Ask the server for the definitions (gRPC server reflection) instead of reading `proto`. */
  reflect?: boolean;
  call?: string;
  /** The request message as JSON (`{}` when absent). */
  message?: string | Uint8Array;
  metadata?: Record<string, string>;
  insecure: boolean;
  /** For the reflection request. */
  timeoutMs: number;
  /** Each call's deadline, sent as `grpc-timeout` so the server sees it; none when absent. */
  deadlineMs?: number;
}

/** Whether `url` names a gRPC target (`grpc://` or `grpcs://`). */
export function isGrpcUrl(url: string): boolean {
  return /^grpcs?:\/\//i.test(url);
}

/**
 * Resolves a gRPC target into the HTTP/2 request to send.
 * @throws UsageError for a missing or unreadable proto (or failed reflection), an unknown method, one whose
 * requests stream (client streaming, bidirectional), or a message that does not fit the request type.
 */
export async function grpcRequest(url: string, options: GrpcCallOptions): Promise<GrpcRequest> {
  const target = new URL(url);
  if (!target.hostname || !target.port)
    throw new UsageError(`invalid gRPC target "${url}" (expected grpc://host:port)`, { option: 'url' });
  if (!options.proto && !options.reflect)
    throw new UsageError('a grpc:// target needs --proto <file> or --reflect', { option: 'proto' });
  const [service, methodName, ...rest] = (options.call ?? '').split('/');
  if (!service || !methodName || rest.length > 0)
    throw new UsageError(`expected pkg.Service/Method, got "${options.call ?? ''}"`, { option: 'call' });
  const origin = `${target.protocol === 'grpcs:' ? 'https' : 'http'}://${target.host}`;
  const source = options.reflect ? `${origin} (reflection)` : (options.proto as string);
  const root = options.reflect
    ? await reflectRoot(origin, service, options.insecure, options.timeoutMs)
    : loadProto(options.proto as string, options.importPaths ?? []);
  const serviceType = root.lookup(service);
  if (!(serviceType instanceof protobuf.Service))
    throw new UsageError(`no service ${service} in ${source}`, { option: 'call' });
  const method = serviceType.methods[methodName];
  if (!method) {
    const known = Object.keys(serviceType.methods).join(', ');
    throw new UsageError(`no method ${methodName} in ${service} (it has: ${known})`, { option: 'call' });
  }
  if (method.requestStream)
    throw new UsageError(
      `${service}/${methodName} is ${method.responseStream ? 'bidirectional' : 'client'}-streaming; only unary and server-streaming calls are supported`,
      { option: 'call' },
    );
  const requestType = serviceType.lookupType(method.requestType);
  return {
    url: `${origin}/${service}/${methodName}`,
    headers: {
      ...options.metadata,
      ...(options.deadlineMs === undefined ? {} : { 'grpc-timeout': grpcTimeout(options.deadlineMs) }),
      'content-type': 'application/grpc',
      te: 'trailers',
    },
    body: frameMessage(encodeMessage(requestType, options.message)),
    serverStreaming: method.responseStream === true,
  };
}

/** A deadline as gRPC's `grpc-timeout` value: at most 8 digits and a unit (`m` milliseconds, else `S` seconds). */
function grpcTimeout(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.min(Math.ceil(whole / 1000), 99_999_999)}S`;
}

function loadProto(file: string, importPaths: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  // An import is looked for next to the importing file first, then in each import path in turn.
  root.resolvePath = (origin, target) => {
    const candidates = [
      protobuf.util.path.resolve(origin, target),
      ...importPaths.map((dir) => path.join(dir, target)),
    ];
    return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
  };
  try {
    return root.loadSync(file);
  } catch (error) {
    throw new UsageError(`cannot load ${file}: ${(error as Error).message}`, {
      option: 'proto',
      code: 'unreadable-file',
    });
  }
}

function encodeMessage(type: protobuf.Type, message: string | Uint8Array | undefined): Uint8Array {
  const text = message === undefined ? '{}' : Buffer.from(message).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the message is not JSON: ${(error as Error).message}`, { option: 'body' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`the message must be a JSON object for ${type.fullName}`, { option: 'body' });
  const fields = new Set(type.fieldsArray.flatMap((f) => [f.name, f.options?.json_name ?? camel(f.name)]));
  const unknown = Object.keys(value).filter((k) => !fields.has(k));
  if (unknown.length > 0)
    throw new UsageError(`${type.fullName} has no field ${unknown.join(', ')}`, { option: 'body' });
  try {
    return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
  } catch (error) {
    throw new UsageError(`the message does not fit ${type.fullName}: ${(error as Error).message}`, {
      option: 'body',
    });
  }
}

/** protobuf's default JSON name of a field: lower camel case. */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A gRPC length-prefixed message: flag 0 (uncompressed), the length (big-endian), the bytes. */
function frameMessage(bytes: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + bytes.length);
  framed[0] = 0;
  framed.writeUInt32BE(bytes.length, 1);
  framed.set(bytes, 5);
  return framed;
}
