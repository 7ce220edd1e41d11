// What the pipeline asks of App Engine (adapter: src/gcp/app-engine.ts). Calls reject with
// a ServiceError (src/ports/service-error.ts) whose code is a DeployErrorCode.
import type { SubmissionSpec } from '../domain/submission-spec/index.ts';

/** What one deploy needs: where, what (the submission), which version, which image. */
export interface DeployPlan {
  /** The target project (its App Engine application). */
  project: string;
  spec: SubmissionSpec;
  versionId: string;
  /** The wrapped image by digest: `registry/path@sha256:...` (a tag before it is allowed). */
  imageUrl: string;
}

/** `version_exists`: createVersion found the version id taken (ALREADY_EXISTS). */
export type DeployErrorCode = 'unavailable' | 'version_exists' | 'appengine_api_error';

/** Where an operation stands; `done` with neither `error` nor a URL is a finished promote. */
export interface OperationState {
  done: boolean;
  /** The operation's google.rpc.Status when it failed (e.g. 9 "readiness check failed"). */
  error?: { code: number; message: string };
  /** A finished deploy's URL: the version's `versionUrl`, or one built on the default host. */
  versionUrl?: string;
  /** A finished promote's traffic split: version id -> share. */
  split?: Record<string, number>;
}

/** What the pipeline needs from App Engine. */
export interface DeployPort {
  /** Starts creating the version; returns the operation's name without waiting for it. */
  createVersion(plan: DeployPlan): Promise<{ operation: string }>;
  /**
   * The name of the newest createVersion operation on this version that App Engine
   * started at or after `since` (give or take clock skew), to adopt a create whose
   * answer was lost; undefined when there is none.
   */
  findCreateOperation(
    project: string,
    service: string,
    versionId: string,
    since: Date,
  ): Promise<string | undefined>;
  /** One poll of an operation started by createVersion or promote. */
  getOperation(name: string): Promise<OperationState>;
  /** Moves all of the service's traffic to the version; returns the operation's name. */
  promote(project: string, service: string, versionId: string): Promise<{ operation: string }>;
  /** The application's default host name, e.g. `p1.ew.r.appspot.com`. */
  defaultHostname(project: string): Promise<string>;
}
