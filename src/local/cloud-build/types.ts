// Shapes of the Cloud Build REST API v1 stand-in
// (https://cloud.google.com/build/docs/api/reference/rest/v1/projects.builds).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** How a step ends when the stand-in runs it. */
export type StepEnd = 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'CANCELLED';

/** One step's scripted run; every field optional. */
export interface StepScript {
  /** How long the step runs (stand-in clock). Default: the scenario's `stepMs`. */
  durationMs?: number;
  /** How it ends. Default SUCCESS. */
  status?: StepEnd;
  /** What it prints; returned by `logs()` (the real API serves no logs, see server.ts). */
  logs?: string[];
  /** Its exit code on FAILURE. Default 1. */
  exitCode?: number;
}

/** How one build goes. Steps are scripted by index or by step id; unscripted ones succeed. */
export interface Scenario {
  /** Time spent QUEUED before WORKING. Default 10 ms. */
  queuedMs?: number;
  /** Default duration of a step. Default 20 ms. */
  stepMs?: number;
  steps?: StepScript[] | Record<string, StepScript>;
  /** The whole-build timeout, from startTime. Default: the request's `timeout` (or 1 h). */
  timeoutMs?: number;
  /** Time to push `images` after the last step. Default 5 ms. */
  pushMs?: number;
  /**
   * `live` (default): steps report QUEUED / WORKING / their end as they go. `on-completion`:
   * as the API reference warns ("build step status is only updated on build completion"),
   * steps carry only `timing` until the build ends.
   */
  stepStatus?: 'live' | 'on-completion';
}

/** Which requests a scripted fault applies to; absent fields match anything. */
export interface RequestMatch {
  method?: string;
  /** A path prefix (`/v1/projects/p1/builds/`) or a pattern. */
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
export const unavailable = () =>
  new ApiError(503, 'UNAVAILABLE', 'The service is currently unavailable.');
