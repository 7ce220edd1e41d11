// What a use case answers: a typed outcome the Slack side draws with its views, and the
// work to do once the person has that answer (starting or stopping the pipeline; the
// messages the change owes are stored with it).
import type { StaleChange } from '../domain/approval-binding.ts';
import type { UnresolvedImage } from '../domain/image-resolution.ts';
import type { Action } from '../domain/status.ts';
import type { Actor, Submission } from '../domain/submission.ts';
import type { ApproverAction } from './access.ts';

/** The use case did what was asked (or had already done it for this request). */
export type Done<T = object> = { kind: 'done' } & T;

/** The actor may not do this; the attempt is logged and audited. */
export interface Refused {
  kind: 'refused';
  action: ApproverAction;
}

/**
 * An approval refused: the approver's own submission, a project with its own approvers, or
 * an image the registry still does not resolve (and the approver did not choose by tag).
 */
export interface RefusedApproval extends Refused {
  action: 'approve';
  rule:
    | { name: 'self_approval'; id: string }
    | { name: 'project_approvers'; project: string; approvers: readonly string[] }
    | { name: 'unresolved_image'; id: string; image: string; unresolved: UnresolvedImage }
    | { name: 'service_owned'; project: string; service: string; owner: Actor };
}

/** A decision form opened on what the submission no longer is; refused and audited. */
export interface Stale {
  kind: 'stale';
  id: string;
  action: 'approve' | 'reject' | 'request_changes';
  change: StaleChange;
}

/** No such submission, or not one the actor may see: the same answer either way. */
export interface NotFound {
  kind: 'not_found';
  id: string;
}

/** The status machine refuses `action` for the submission as it is now. */
export interface NotAllowed {
  kind: 'not_allowed';
  submission: Submission;
  action: Action;
}

/** The form does not hold; `errors` are what the form checker said, field by field. */
export interface Invalid<E> {
  kind: 'invalid';
  errors: E;
}

export interface Result<O> {
  outcome: O;
  /**
   * Runs after the person got their answer (Slack gives 3 seconds), once: only when the
   * change was applied now, not on a retried or duplicate request.
   */
  afterwards?: () => Promise<void>;
}

/** A form already read and checked by the side that knows its fields. */
export type FormCheck<T> = ({ ok: true } & T) | { ok: false; errors: Record<string, string> };

export function done<T extends object>(value: T): Done<T> {
  return { kind: 'done', ...value };
}

export function notFound(id: string): NotFound {
  return { kind: 'not_found', id };
}

export function notAllowed(submission: Submission, action: Action): NotAllowed {
  return { kind: 'not_allowed', submission, action };
}
