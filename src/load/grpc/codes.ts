/** gRPC status codes by number (grpc/doc/statuscodes.md). */
const NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** The name of a gRPC status code (`OK`, `UNAVAILABLE`, …; `CODE_<n>` for codes outside the standard set). */
export function grpcCodeName(code: number): string {
  return NAMES[code] ?? `CODE_${code}`;
}
