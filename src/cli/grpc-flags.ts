/**
 * The gRPC flags `headroom load` and `headroom limits` share (`--proto`, `--import-paths`, `--reflect`, `--call`,
 * `--metadata`, `--data-file`; the message itself is `-b`), and what they become in `LoadOptions`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { LoadOptions } from '../load/types.js';
import { parseHeaders, repeatable } from './flags.js';

/** The gRPC flags as commander parses them. */
export interface GrpcFlags {
  proto?: string;
  importPaths?: string[];
  reflect?: boolean;
  call?: string;
  metadata?: string[];
  dataFile?: string;
}

/** Adds the gRPC flags to `command`, with the same words in every subcommand. */
export function addGrpcOptions(command: Command): Command {
  return command
    .option('--proto <file>', 'grpc:// targets: the .proto file defining --call')
    .option(
      '--import-paths <dirs>',
      "grpc:// targets: folders searched for the proto's imports, comma-separated (repeatable), as protoc's -I",
      importPathsArg,
    )
    .option('--reflect', 'grpc:// targets: definitions from the server (gRPC server reflection), not --proto')
    .option(
      '--call <method>',
      'grpc:// targets: the method (unary or server-streaming), pkg.Service/Method (-b: its message as JSON)',
    )
    .option('--metadata <metadata>', "grpc:// targets: metadata 'key: value' (repeatable)", repeatable)
    .option('--data-file <file>', 'grpc:// targets: the request message as a JSON file');
}

/** Appends comma-separated folders to the ones already given. For commander's argParser. */
function importPathsArg(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((dir) => dir.trim())
      .filter(Boolean),
  ];
}

/** The `LoadOptions` the gRPC flags stand for (the message from `--data-file`, when given, as `body`). */
export function grpcLoadOptions(
  flags: GrpcFlags,
): Pick<LoadOptions, 'proto' | 'importPaths' | 'reflect' | 'call' | 'metadata'> & { body?: Buffer } {
  return {
    proto: flags.proto,
    importPaths: flags.importPaths,
    reflect: flags.reflect,
    call: flags.call,
    metadata: parseHeaders(flags.metadata),
    ...(flags.dataFile === undefined ? {} : { body: readInput(flags.dataFile, 'dataFile') }),
  };
}

/** Reads a file named by `option`, or fails with one line. */
export function readInput(file: string, option: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`, {
      option,
      code: 'unreadable-file',
    });
  }
}
