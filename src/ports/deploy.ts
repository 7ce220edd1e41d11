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

/**
 * `version_exists`: createVersion found the version id taken (ALREADY_EXISTS).
 * `version_limit`: createVersion refused because the application holds App Engine's
 * most versions (210); deleting some lets a create through.
 * `version_busy`: the version has an operation still running (ABORTED); later may work.
 */
export type DeployErrorCode =
  | 'unavailable'
  | 'version_exists'
  | 'version_limit'
  | 'version_busy'
  | 'appengine_api_error';

export type ServingStatus = 'SERVING' | 'STOPPED';

/** One version of a service, as App Engine lists it. */
export interface VersionSummary {
  id: string;
  /** STOPPED: no instances run (a flexible version's VMs are released). */
  servingStatus: ServingStatus;
  /** When App Engine created it; undefined when it does not say. */
  createTime: Date | undefined;
  /** Its share of the service's traffic, 0 to 1. */
  traffic: number;
  /** The version's own URL (`versionUrl`, or one built on the default host). */
  url: string;
}

/** How a service's traffic is divided: version id -> share (summing to 1). */
export interface TrafficSplit {
  shardBy: 'UNSPECIFIED' | 'COOKIE' | 'IP' | 'RANDOM';
  allocations: Record<string, number>;
}

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
  /**
   * One poll of an operation started by createVersion, promote, setServingStatus or
   * deleteVersion. A finished setServingStatus carries the version's URL, a finished
   * deleteVersion nothing but `done`.
   */
  getOperation(name: string): Promise<OperationState>;
  /**
   * Moves all of the service's traffic to the version (promote, and rollback to an older
   * one); returns the operation's name. App Engine refuses traffic to a stopped version.
   */
  promote(project: string, service: string, versionId: string): Promise<{ operation: string }>;
  /** The service's versions, oldest first, with their serving status and traffic share. */
  listVersions(project: string, service: string): Promise<VersionSummary[]>;
  /** The service's current traffic split. */
  trafficSplit(project: string, service: string): Promise<TrafficSplit>;
  /** Starts or stops a version (versions.patch of servingStatus); returns the operation. */
  setServingStatus(
    project: string,
    service: string,
    versionId: string,
    status: ServingStatus,
  ): Promise<{ operation: string }>;
  /**
   * Deletes a version; returns the operation. Refused (appengine_api_error, gRPC 3) while
   * the version has a share of the traffic; NOT_FOUND (gRPC 5) once it is gone.
   */
  deleteVersion(
    project: string,
    service: string,
    versionId: string,
  ): Promise<{ operation: string }>;
  /** How many versions the application holds across all its services (the limit is 210). */
  countVersions(project: string): Promise<number>;
  /** The application's default host name, e.g. `p1.ew.r.appspot.com`. */
  defaultHostname(project: string): Promise<string>;
}
