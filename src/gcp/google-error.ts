// Reading what Google's clients throw, for the adapters that turn it into a ServiceError
// (src/ports/service-error.ts).
import { GRPC, grpcCodeNamed, isNetworkError } from '../domain/grpc-status.ts';
import { withDeadline } from '../lib/deadline.ts';
import type { Unreached } from '../ports/setup-probes.ts';

/** The gRPC codes of the HTTP statuses Google's REST APIs answer with. */
const HTTP_TO_GRPC: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};
/** Worth trying again later. */
export const RETRYABLE_CODES: ReadonlySet<number> = new Set([
  GRPC.DEADLINE_EXCEEDED,
  GRPC.RESOURCE_EXHAUSTED,
  GRPC.UNAVAILABLE,
]);

/**
 * What a failed call of a Google client says. With gRPC that is a GoogleError whose `code`
 * is the gRPC status; over REST (stand-ins) gaxios rejects a non-2xx answer with the HTTP
 * status and Google's JSON error as its message, or with a network error code when
 * nothing answered (then UNAVAILABLE).
 */
export function readGoogleError(error: unknown): {
  grpcCode: number | undefined;
  message: string;
  retryable: boolean;
} {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    status?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const raw = typeof e.message === 'string' ? e.message : String(error);
  const body = googleErrorBody(raw);
  let grpcCode: number | undefined;
  const named = body?.status === undefined ? undefined : grpcCodeNamed(body.status);
  if (named !== undefined) {
    grpcCode = named;
  } else if (typeof e.code === 'number') {
    grpcCode = e.code < 100 ? e.code : HTTP_TO_GRPC[e.code];
  } else if (typeof e.status === 'number') {
    grpcCode = HTTP_TO_GRPC[e.status];
  }
  const details = typeof e.details === 'string' && e.details !== '' ? e.details : undefined;
  const message = body?.message ?? details ?? raw;
  if (isNetworkError(e.code)) return { grpcCode: GRPC.UNAVAILABLE, message, retryable: true };
  return { grpcCode, message, retryable: grpcCode !== undefined && RETRYABLE_CODES.has(grpcCode) };
}

function googleErrorBody(text: string): { message?: string; status?: string } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(text.slice(start)) as {
      error?: { message?: unknown; status?: unknown };
    };
    const inner = parsed.error;
    if (!inner) return undefined;
    return {
      ...(typeof inner.message === 'string' ? { message: inner.message } : {}),
      ...(typeof inner.status === 'string' ? { status: inner.status } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A probe's answer for a failed call (src/ports/setup-probes.ts): what kind, in Google's words. */
export function unreachedFrom(error: unknown): Unreached {
  const { grpcCode, message } = readGoogleError(error);
  const code =
    grpcCode === GRPC.PERMISSION_DENIED || grpcCode === GRPC.UNAUTHENTICATED
      ? 'denied'
      : grpcCode === GRPC.NOT_FOUND
        ? 'not_found'
        : grpcCode === GRPC.INVALID_ARGUMENT || grpcCode === GRPC.FAILED_PRECONDITION
          ? 'invalid'
          : 'unavailable';
  return { reached: false, code, message };
}

/**
 * One call of a probe, given up after `ms` as UNAVAILABLE ("SERVICE did not answer in
 * time"). The call itself is left to end on its own; its late failure (a client closed
 * meanwhile) is ignored rather than left unhandled.
 */
export function probeCall<T>(call: Promise<T>, ms: number, service: string): Promise<T> {
  call.catch(() => undefined);
  return withDeadline(call, ms, () =>
    Object.assign(new Error(`${service} did not answer in time`), { code: GRPC.UNAVAILABLE }),
  );
}
