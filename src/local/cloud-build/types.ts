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
  /**
   * What it writes to `$BUILDER_OUTPUT/output`: returned, cut to its first 4 KB, as
   * `results.buildStepOutputs[i]` of a build that succeeded (builds.ts).
   */
  output?: string;
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
  /** The build's `statusDetail` while it runs (e.g. that it is simulated). */
  statusDetail?: string;
}

export {
  ApiError,
  invalid,
  notFound,
  type RecordedRequest,
} from '../google-api.ts';
