import type { Actor, Submission, ThreadRef } from '../domain/submission.ts';

/** A decision on a submission that reviewers and the partner are told about. */
export type DecisionAction = 'approve' | 'reject' | 'request_changes' | 'cancel';

export interface DecisionEvent {
  action: DecisionAction;
  actor: Actor;
  /** The reason given with a reject or a request for changes. */
  reason?: string;
}

/**
 * How the use cases tell people about a stored change (the Slack announcer implements it).
 * Called only after the store said the change was applied, which is what makes each
 * message go out once.
 */
export interface Notifier {
  /**
   * Shows a new submission to the reviewers, or a new revision in its existing thread.
   * Answers where the new thread lives when it started one (the caller stores it).
   */
  forReview(submission: Submission, actor: Actor): Promise<ThreadRef | undefined>;
  /** Tells the partner their submission (or new revision) is in. */
  received(submission: Submission): Promise<void>;
  /** Records a decision where the reviewers see it, and tells the partner. */
  decided(submission: Submission, decision: DecisionEvent): Promise<void>;
  /** A link to the submission's review thread, when it has one and the link can be had. */
  threadLink(submission: Submission): Promise<string | undefined>;
}
