import type { DeadlineTuning } from '../../domain/step-deadlines.ts';
import type { LifecyclePolicy } from '../../domain/version-lifecycle.ts';
import type { Logger } from '../../log.ts';
import type { BuildPort } from '../../ports/build.ts';
import type { BuildLogPort } from '../../ports/build-logs.ts';
import type { DeployPort } from '../../ports/deploy.ts';
import type { LiveCheckPort } from '../../ports/live-check.ts';
import type { OperationStore } from '../../ports/operations.ts';
import type { ServiceStore } from '../../ports/services.ts';
import type { PipelineStore, SubmissionStore } from '../../ports/store.ts';

/** What a step works with: the ports, and the lease owner it writes the run as. */
export interface StepContext {
  /** The service records too: what is live, and what a running operation protects. */
  store: SubmissionStore & PipelineStore & OperationStore & Pick<ServiceStore, 'serviceRecords'>;
  builds: BuildPort;
  deploys: DeployPort;
  /** Where a failed step's last log lines are read from; without it failures show none. */
  buildLogs?: BuildLogPort;
  /** Calls a deployed version's URL before "is live"; without it the `verify` step is skipped. */
  liveCheck?: LiveCheckPort;
  /** This instance's name on leases: the store takes a run only from its lease holder. */
  owner: string;
  /** Carries the submission id. */
  log: Logger;
  /** How long each step may wait on Cloud Build or App Engine (TRACKER_DEFAULTS.deadlines). */
  deadlines: DeadlineTuning;
  /** Which old versions stay after a new one took all traffic, and after how long a grace. */
  lifecycle: LifecyclePolicy & { graceMs: number };
  /** How long a promote or rollback may take (PLAYGROUND_ROLLBACK_DEADLINE), in ms. */
  rollbackDeadlineMs?: number;
}

/**
 * What a step did: changed something (the pipeline is polled again soon), nothing (it
 * backs off), waits for its service's turn (it backs off, and its polls spend no call
 * budget: they call neither Cloud Build nor App Engine), or ended the pipeline (the
 * scheduler lets go of it).
 */
export type StepOutcome = 'changed' | 'unchanged' | 'waiting' | 'ended';
