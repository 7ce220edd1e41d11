// What the use cases ask about service ownership: the records (who owns which service in
// which target project, what is live), transfers, and the service's own audit trail. The
// claim at approval and the live version at go-live are written by the submission store
// inside those transactions (firestore-store.ts), not through this port.
import type { ServiceEvent, ServiceRecord } from '../domain/service-record.ts';
import type { Actor } from '../domain/submission.ts';
import type { MessageIntent } from './notifier.ts';
import type { RequestContext } from './store.ts';

export interface TransferInput extends RequestContext {
  project: string;
  service: string;
  to: Actor;
  /** The new owning team (a Slack user group, S…); the record's stays when none is given. */
  team?: string;
  /** The messages the transfer owes (the old and new owner told), from the record before it. */
  messages: (before: ServiceRecord, seq: number) => MessageIntent[];
}

export interface TransferResult {
  before: ServiceRecord;
  after: ServiceRecord;
  /** False when this request id already transferred it (a retry): nothing was written. */
  applied: boolean;
}

export interface ServiceStore {
  /** The records of `service` in those projects that have one, in the order of `projects`. */
  serviceRecords(service: string, projects: readonly string[]): Promise<ServiceRecord[]>;
  /**
   * Gives the service to `to`, audited on the service's trail, with the messages written to
   * the outbox of the submission that last deployed it. StoreError `not_found` when there is
   * no record of the service in that project.
   */
  transferService(input: TransferInput): Promise<TransferResult>;
  /** Audits a refused attempt on the service's own trail (nothing when it has no record). */
  recordServiceRefusal(project: string, service: string, context: RequestContext): Promise<void>;
  /** The service's audit trail, oldest first ([] when it has no record). */
  serviceAudit(project: string, service: string): Promise<ServiceEvent[]>;
}

/** Who is in a Slack user group (S…): an owning team's members count as owners. */
export interface UserGroups {
  includes(groupId: string, userId: string): Promise<boolean>;
}
