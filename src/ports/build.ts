// What the pipeline asks of Cloud Build (adapter: src/gcp/cloud-build.ts). Calls reject with
// a ServiceError (src/ports/service-error.ts).
import type { Bundle } from '../bundle/render.ts';
import type { SubmissionSpec } from '../domain/submission-spec/index.ts';

export interface BuildPlan {
  /** e.g. `PG-0042`. */
  submissionId: string;
  revision: number;
  spec: SubmissionSpec;
  /** The wrap bundle rendered for this revision (`render(spec, { project })`). */
  bundle: Bundle;
  /** The wrapped image to push, e.g. `europe-docker.pkg.dev/p/playground/my-service:pg-0042-r1`. */
  image: string;
  /** Whole-build timeout; default: the health wait (App Engine's app start timeout) plus 20 minutes. */
  timeoutSeconds?: number;
  /** The pipeline attempt, tagged so a build can be found again after a crash. */
  attempt?: number;
}

export type BuildStatus =
  | 'pending'
  | 'queued'
  | 'working'
  | 'success'
  | 'failure'
  | 'internal_error'
  | 'timeout'
  | 'cancelled'
  | 'expired';

export interface BuildStepState {
  /** The step's id (`bundle`, `wrap`, `test-start`, `test`, `push`). */
  id: string;
  /** `pending` for a step that has not started (or never will, after a failure). */
  status: BuildStatus;
  startedAt?: Date;
  endedAt?: Date;
}

export interface BuildState {
  id: string;
  status: BuildStatus;
  /** The build has ended (success or not): nothing will change any more. */
  done: boolean;
  steps: BuildStepState[];
  logUrl?: string;
  /** Why a build that is done did not succeed; `step` names the step that failed, if one did. */
  failure?: { step?: string; detail: string };
  /** Cloud Build's own word on the build while it runs (`statusDetail`). */
  detail?: string;
  /** `sha256:...` of the pushed wrapped image, once the build succeeded. */
  imageDigest?: string;
  /**
   * What steps wrote to `$BUILDER_OUTPUT/output` (Cloud Build's `results.buildStepOutputs`),
   * by step id, as text; steps that wrote nothing are absent.
   */
  stepOutputs?: Record<string, string>;
  /** When Cloud Build accepted the build (`createTime`): its log has no older line. */
  createdAt?: Date;
  startedAt?: Date;
  endedAt?: Date;
}

export interface StartedBuild {
  buildId: string;
  logUrl?: string;
  timeoutSeconds?: number;
}

/** What the pipeline needs from Cloud Build. */
export interface BuildPort {
  /**
   * Creates the build and returns its id at once, without waiting for it, with the
   * timeout the request gave Cloud Build (the pipeline's deadline for the build).
   */
  start(plan: BuildPlan): Promise<StartedBuild>;
  /** One read of the build. */
  get(buildId: string): Promise<BuildState>;
  /** Asks Cloud Build to cancel the build; a finished build stays as it is. */
  cancel(buildId: string): Promise<void>;
  /** The newest build of a pipeline attempt (by its tag), to adopt after a crash. */
  findAttempt(
    submissionId: string,
    revision: number,
    attempt: number,
  ): Promise<BuildState | undefined>;
}
