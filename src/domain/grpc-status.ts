/**
 * gRPC status codes (google.rpc.Code) by name: what Google's clients report, whichever
 * transport they use (https://grpc.github.io/grpc/core/md_doc_statuscodes.html).
 */
export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** The code of a status name (`"PERMISSION_DENIED"` in a Google JSON error), if it is one. */
export function grpcCodeNamed(name: string): number | undefined {
  return Object.hasOwn(GRPC, name) ? GRPC[name as keyof typeof GRPC] : undefined;
}

/** A Node network error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET...): nothing answered. */
export function isNetworkError(code: unknown): boolean {
  return typeof code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(code);
}
