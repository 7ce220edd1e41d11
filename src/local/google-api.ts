/**
 * What the Cloud Build and App Engine Admin stand-ins share: Google's JSON error shape,
 * the record of requests, and scripted faults (UNAVAILABLE, PERMISSION_DENIED, or no
 * answer at all).
 */

/** Which requests a scripted fault applies to; absent fields match anything. */
export interface RequestMatch {
  method?: string;
  /** A path prefix (`/v1/apps/p1/operations/`) or a pattern. */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  /** The URL path, decoded: `/v1/projects/p1/builds/abc:cancel`. */
  path: string;
  /** Query parameters, decoded: `{ $alt: 'json;enum-encoding=int' }`. */
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The HTTP status answered (0 for a stalled request, never answered). */
  status: number;
  time: number;
}

/** A Google JSON API error: `{ error: { code, message, status } }` with that HTTP code. */
export class ApiError extends Error {
  readonly httpStatus: number;
  readonly status: string;
  constructor(httpStatus: number, status: string, message: string) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;
  }
}

export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const invalid = (message: string) => new ApiError(400, 'INVALID_ARGUMENT', message);
export const alreadyExists = (message: string) => new ApiError(409, 'ALREADY_EXISTS', message);
export const unavailable = () =>
  new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
/** What Google answers when the caller's service account lacks the role for the call. */
export const permissionDenied = () =>
  new ApiError(403, 'PERMISSION_DENIED', 'The caller does not have permission');

export function matches(match: RequestMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.startsWith(match.path) : match.path.test(path);
}

export type FaultKind = 'unavailable' | 'denied' | 'stall';

/** Scripted faults: the next `times` matching requests answer 503 or 403, or never answer. */
export class Faults {
  readonly #pending: { kind: FaultKind; times: number; match: RequestMatch }[] = [];

  add(kind: FaultKind, times: number, match: RequestMatch = {}): void {
    this.#pending.push({ kind, times, match });
  }

  /** The fault this request meets, used up by it; undefined when none applies. */
  take(method: string, path: string): FaultKind | undefined {
    const fault = this.#pending.find((f) => f.times > 0 && matches(f.match, method, path));
    if (!fault) return undefined;
    fault.times -= 1;
    return fault.kind;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}
