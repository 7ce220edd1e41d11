// What people are owed in Slack when a submission changes. The use cases and the pipeline
// hand these intents to the store with the change itself (one transaction: the outbox);
// the deliverer (src/slack/deliverer.ts) says each one in Slack, rendered from the
// submission as stored when it is delivered, and keeps trying until Slack took it.
import type { Milestone, StepName } from '../domain/pipeline-run.ts';
import type { Actor, Submission } from '../domain/submission.ts';

/** A decision on a submission that reviewers and the partner are told about. */
export type DecisionAction = 'approve' | 'reject' | 'request_changes' | 'cancel';

export interface DecisionEvent {
  action: DecisionAction;
  actor: Actor;
  /** The reason given with a reject or a request for changes. */
  reason?: string;
}

/**
 * A new revision; `voids` names the approver whose approval (not started yet) it voided,
 * `after` the end of the run it follows.
 */
export interface ResubmitEvent {
  action: 'resubmit';
  actor: Actor;
  voids?: Actor;
  after?: 'failed' | 'cancelled';
}

/** One message owed. */
export type MessageIntent =
  /** The review channel's root message: posted for a new submission (which sets its thread), updated for a new revision. */
  | { kind: 'review' }
  /** The root message updated in place, showing the decision when there is one. */
  | { kind: 'root'; decision?: DecisionEvent }
  /** A reply in the review thread recording a decision or a new revision. */
  | { kind: 'reply'; event: DecisionEvent | ResubmitEvent }
  /** The partner's DM: their submission (or revision) is in. */
  | { kind: 'received' }
  /** The partner's DM: a decision was taken. */
  | { kind: 'decided'; decision: DecisionEvent }
  /** The approver's DM: a new revision voided their approval before its pipeline started. */
  | { kind: 'voided'; approver: Actor }
  /** The pipeline's status message in the thread, one per attempt, updated in place. */
  | { kind: 'status'; attempt: number }
  /** A pipeline milestone reply in the thread. */
  | { kind: 'milestone'; attempt: number; milestone: Milestone }
  /** The partner's DM with a pipeline's outcome. */
  | { kind: 'outcome'; attempt: number; milestone: 'failed' | 'live' }
  /** A thread reply: the service's old versions stopped and deleted after this run went live. */
  | { kind: 'housekeeping'; attempt: number }
  /** A thread reply: stopped versions deleted before the create, near App Engine's version limit. */
  | { kind: 'version_room'; attempt: number }
  /**
   * A thread reply: the attempt made no progress at `step` for `quietMs` (its deadline
   * `deadlineMs`, when the step has one); the watchdog's sweep tells it once per attempt.
   */
  | { kind: 'stalled'; attempt: number; step: StepName; quietMs: number; deadlineMs?: number }
  /**
   * A DM to a service's old or new owner: an approver transferred it. Owed by the submission
   * that last deployed the service; `seq` is the transfer's place on the service's trail.
   */
  | {
      kind: 'transferred';
      seq: number;
      recipient: 'old' | 'new';
      transfer: ServiceTransfer;
    }
  /**
   * A promote or rollback (submission.operation `id`) in the thread of the submission whose
   * version it makes serve: its status message updated in place, and the reply at its end.
   */
  | { kind: 'operation'; id: string; part: 'status' | 'end' };

/** A service changing hands, as its old and new owners are told. */
export interface ServiceTransfer {
  project: string;
  service: string;
  from: Actor;
  to: Actor;
  by: Actor;
}

/**
 * Intents that stand for the newest state of one message (updated in place): enqueued again,
 * they replace the pending one instead of adding a message.
 */
export function coalesces(intent: MessageIntent): boolean {
  return (
    intent.kind === 'root' ||
    intent.kind === 'status' ||
    (intent.kind === 'operation' && intent.part === 'status')
  );
}

/**
 * The message's stable key within its submission: the same message is never said twice,
 * however often it is enqueued or the deliverer runs, crashes or is taken over.
 * Letters, digits and `_` only (it is a Firestore field name).
 */
export function messageKey(revision: number, intent: MessageIntent): string {
  switch (intent.kind) {
    case 'review':
    case 'received':
    case 'voided':
      return `r${revision}_${intent.kind}`;
    case 'root':
      return 'root';
    case 'reply':
      return `r${revision}_reply_${intent.event.action}`;
    case 'decided':
      return `r${revision}_decided_${intent.decision.action}`;
    case 'status':
      return `a${intent.attempt}_status`;
    case 'milestone':
      return `a${intent.attempt}_${intent.milestone}`;
    case 'outcome':
      return `a${intent.attempt}_outcome_${intent.milestone}`;
    case 'stalled':
      return `a${intent.attempt}_stalled`;
    case 'transferred':
      return `s${intent.seq}_transferred_${intent.recipient}`;
    case 'housekeeping':
    case 'version_room':
      return `a${intent.attempt}_${intent.kind}`;
    case 'operation':
      return `o${intent.id}_${intent.part}`;
  }
}

/**
 * What a new submission or revision owes: the review message (and thread reply), the
 * partner's DM; and when the revision voids an approval, the approver's DM.
 */
export function submittedMessages(
  submission: Pick<Submission, 'revision'>,
  actor: Actor,
  { voids, after }: Pick<ResubmitEvent, 'voids' | 'after'> = {},
) {
  const intents: MessageIntent[] = [{ kind: 'review' }];
  if (submission.revision > 1) {
    const event: ResubmitEvent = {
      action: 'resubmit',
      actor,
      ...(voids ? { voids } : {}),
      ...(after ? { after } : {}),
    };
    intents.push({ kind: 'reply', event });
  }
  intents.push({ kind: 'received' });
  if (voids) intents.push({ kind: 'voided', approver: voids });
  return intents;
}

/** What a decision owes: the root message updated, a thread reply, the partner's DM. */
export function decisionMessages(decision: DecisionEvent): MessageIntent[] {
  return [
    { kind: 'root', decision },
    { kind: 'reply', event: decision },
    { kind: 'decided', decision },
  ];
}

/** What a pipeline milestone owes: the status message first, the reply, and for an end the root and the partner. */
export function milestoneMessages(attempt: number, milestone: Milestone): MessageIntent[] {
  const intents: MessageIntent[] = [
    { kind: 'status', attempt },
    { kind: 'milestone', attempt, milestone },
  ];
  if (milestone === 'failed' || milestone === 'live') {
    intents.push({ kind: 'root' }, { kind: 'outcome', attempt, milestone });
  }
  return intents;
}

/** What a transfer owes: the old owner and the new one told (once, when they differ). */
export function transferMessages(transfer: ServiceTransfer, seq: number): MessageIntent[] {
  const recipients: ('old' | 'new')[] =
    transfer.from.userId === transfer.to.userId ? ['new'] : ['old', 'new'];
  return recipients.map((recipient) => ({ kind: 'transferred', seq, recipient, transfer }));
}

/** What a promote or rollback owes as it goes: its status message; at its end, the reply too. */
export function operationMessages(id: string, ended: boolean): MessageIntent[] {
  const intents: MessageIntent[] = [{ kind: 'operation', id, part: 'status' }];
  if (ended) intents.push({ kind: 'operation', id, part: 'end' });
  return intents;
}

/** What the use cases ask of Slack directly: a link to a submission's review thread, for answers. */
export interface Notifier {
  threadLink(submission: Submission): Promise<string | undefined>;
}
