import type { Logger } from '../../log.ts';
import type { BuildPort } from '../../ports/build.ts';
import type { BuildLogPort } from '../../ports/build-logs.ts';
import type { DeployPort } from '../../ports/deploy.ts';
import type { LiveCheckPort } from '../../ports/live-check.ts';
import type { PipelineStore, SubmissionStore } from '../../ports/store.ts';

/** What a step works with: the ports, and the lease owner it writes the run as. */
export interface StepContext {
  store: SubmissionStore & PipelineStore;
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
}

/**
 * What a step did: changed something (the pipeline is polled again soon), nothing (it
 * backs off), waits for its service's turn (it backs off, and its polls spend no call
 * budget: they call neither Cloud Build nor App Engine), or ended the pipeline (the
 * scheduler lets go of it).
 */
export type StepOutcome = 'changed' | 'unchanged' | 'waiting' | 'ended';
