import type { Actor } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { VersionLogPort } from '../ports/app-logs.ts';
import type { BuildLogPort } from '../ports/build-logs.ts';
import type { DeployPort } from '../ports/deploy.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { OperationStore } from '../ports/operations.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { RegistryPort } from '../ports/registry.ts';
import type { ServiceStore } from '../ports/services.ts';
import type { SubmissionStore } from '../ports/store.ts';
import type { AccessPolicy } from './access.ts';
import type { DoctorSetup } from './doctor.ts';
import type { Ownership } from './ownership.ts';

/** What every use case may call: ports and the access policy, nothing of Slack. */
export interface AppDeps {
  store: SubmissionStore;
  pipeline: Pipeline;
  notifier: Notifier;
  /** The partner images' registries: the digest a tag names. */
  registry: RegistryPort;
  access: AccessPolicy;
  /** Service records: who owns which service where, what is live. */
  services: ServiceStore;
  ownership: Ownership;
  logger: Logger;
  /** What the doctor checks and asks (absent where no doctor is wired). */
  setup?: DoctorSetup;
  /** Where Show log reads a failed step's lines (absent: the failure's own words). */
  logs?: FailureLogs;
  /** App Engine and the operations' store, for promote and roll back (absent where not wired). */
  ops?: { deploys: DeployPort; store: OperationStore };
}

/** The logs a failed step's lines are read from: the builds', the App Engine versions'. */
export interface FailureLogs {
  builds?: BuildLogPort;
  versions?: VersionLogPort;
}

/** Who asks, and from which request (the same request id never changes anything twice). */
export interface UserRequest {
  actor: Actor;
  requestId: string;
}
