// JSON shapes of the App Engine Admin API v1 as the stand-in keeps and serves them
// (https://cloud.google.com/appengine/docs/admin-api/reference/rest/v1). Enums are kept
// as names; the server writes them as numbers when the client asks for
// `$alt=json;enum-encoding=int`, as google-gax's REST transport does.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface AppSeed {
  /** The project id, which is the application id. */
  id: string;
  /** Default `europe-west`. */
  locationId?: string;
  /** The region code in `*.REGION.r.appspot.com` host names; default `ew`. */
  regionCode?: string;
}

/** How one deploy operation goes; every field optional. */
export interface DeployScript {
  /** Only the deploy of this version id (otherwise the next deploy, whichever it is). */
  versionId?: string;
  /** The operation reports done on this poll of it (1: the first GET). Default 1. */
  polls?: number;
  /** And not before this many milliseconds after it started (stand-in clock). Default 0. */
  durationMs?: number;
  /** The operation ends with this error (google.rpc.Status) instead of a version. */
  error?: { code: number; message: string };
  /** The resulting version carries no `versionUrl` (as some API answers do). */
  omitVersionUrl?: boolean;
}

/** Which requests a scripted fault applies to; absent fields match anything. */
export interface RequestMatch {
  method?: string;
  /** A path prefix (`/v1/apps/p1/operations/`) or a pattern. */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  /** The URL path, decoded: `/v1/apps/p1/services/s1/versions`. */
  path: string;
  /** Query parameters, decoded: `{ $alt: 'json;enum-encoding=int', updateMask: 'split' }`. */
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** The HTTP status answered (0 while a stalled request waits). */
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
