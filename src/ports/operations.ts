// What promote and rollback ask of storage (firestore-store.ts, service-operations.ts): an
// operation begun in one transaction with everything it depends on, and its progress saved
// by the tracker under the submission's lease.
import type {
  OperationRequest,
  OperationRun,
  ServiceOperation,
} from '../domain/service-operation.ts';
import type { Submission } from '../domain/submission.ts';
import type { MessageIntent } from './notifier.ts';

export interface BeginOperation extends OperationRequest {
  /** When the asker's confirm form was opened: an operation that ended since then is theirs. */
  opened: Date;
  /** The record's live version the form was opened on; another one now makes it stale. */
  live?: string;
}

export type BeginOutcome =
  | { kind: 'started'; operation: OperationRun; submission: Submission }
  /** An operation runs on the service (or this very one just ended): nothing new begins. */
  | { kind: 'running'; operation: ServiceOperation; repeat: boolean }
  /** The service changed since the form was opened (another version went live). */
  | { kind: 'stale'; live?: string }
  /** A pipeline deploys the service (or waits to): it goes first. */
  | { kind: 'busy'; submissionId: string }
  /** The service has no record, or the target's submission is gone. */
  | { kind: 'missing' };

export interface OperationStore {
  /**
   * In one transaction: checks the service (a running or repeated operation, a stale
   * form, a pipeline on it), then stores the operation on the target's submission (to be
   * tracked, with its status message owed), its summary on the service record, an audit
   * line on both trails, and takes the service's turn. The same request id answers
   * `running` with `repeat: true`.
   */
  beginOperation(input: BeginOperation): Promise<BeginOutcome>;
  /**
   * Saves the operation's progress under the pipeline lease (StoreError `conflict` when
   * `owner` no longer holds it), with the messages it owes. Its end (done or failed) also
   * updates the service record (done: the target is live and in the history), audits it on
   * both trails and gives the service's turn up, in the same transaction.
   */
  saveOperation(
    id: string,
    owner: string,
    run: OperationRun,
    messages: MessageIntent[],
  ): Promise<Submission>;
}
