// The Playground team's review: open a decision on a submission waiting for review, then
// approve it (which starts the pipeline), reject it or send it back for changes.
import type { Submission } from '../domain/submission.ts';
import { type DecisionAction, decisionMessages } from '../ports/notifier.ts';
import { isStoreError } from '../ports/store.ts';
import { applyOnce } from './apply.ts';
import type { AppDeps, UserRequest } from './context.ts';
import {
  type Done,
  done,
  type FormCheck,
  type Invalid,
  type NotAllowed,
  type NotFound,
  notAllowed,
  type Refused,
  type RefusedApproval,
  type Result,
} from './outcomes.ts';
import { partnerInTeam, refusedOwned } from './ownership.ts';

export type ReviewAction = 'approve' | 'reject' | 'request_changes';

export type ReviewOutcome =
  | Done<{ submission: Submission }>
  | Refused
  | RefusedApproval
  | NotFound
  | NotAllowed
  | Invalid<Record<string, string>>;

interface ReviewInput extends UserRequest {
  id: string;
}

/**
 * An approver starts a decision (opens its form): only on a submission waiting for review,
 * and Approve only on one they may approve (not their own), so no form opens in vain.
 */
export async function openReview(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: ReviewInput & { action: ReviewAction },
): Promise<
  Result<Done<{ submission: Submission }> | Refused | RefusedApproval | NotFound | NotAllowed>
> {
  const { actor, id, requestId, action } = input;
  const found = await deps.access.forApprover(actor, action, { id, requestId });
  if (found.kind !== 'done') return { outcome: found };
  const { submission } = found;
  if (submission.status !== 'submitted') return { outcome: notAllowed(submission, action) };
  const refused =
    action === 'approve'
      ? await deps.access.mayApprove(actor, submission, { requestId })
      : undefined;
  return { outcome: refused ?? found };
}

/** Where and how to deploy, as the approver chose it. */
export interface ApprovalChoice {
  project: string;
  versionLabel?: string;
  promote: boolean;
}

/**
 * Approves a submission once and starts its pipeline. The form can only be checked
 * against the submission (its service, its default version id), so `checkForm` is given
 * the submission once the approver is known to be one.
 */
export async function approve(
  deps: Pick<AppDeps, 'store' | 'access' | 'pipeline' | 'services' | 'ownership' | 'logger'>,
  input: ReviewInput & { checkForm: (submission: Submission) => FormCheck<ApprovalChoice> },
): Promise<Result<ReviewOutcome>> {
  const { actor, id, requestId } = input;
  const found = await deps.access.forApprover(actor, 'approve', { id, requestId });
  if (found.kind !== 'done') return { outcome: found };
  const { submission } = found;
  const form = input.checkForm(submission);
  if (!form.ok) return { outcome: { kind: 'invalid', errors: form.errors } };
  // Checked again here: the modal may be stale or forged.
  const refused = await deps.access.mayApprove(actor, submission, {
    project: form.project,
    requestId,
  });
  if (refused) return { outcome: refused };
  const inTeam = await partnerInTeam(deps, submission, form.project);
  const approval = {
    project: form.project,
    ...(form.versionLabel ? { versionLabel: form.versionLabel } : {}),
    promote: form.promote,
    by: actor,
    at: new Date(),
  };
  try {
    return await decide(
      deps,
      'approve',
      input,
      { approval },
      (approved) => deps.pipeline.start(approved),
      inTeam,
    );
  } catch (error) {
    // The approval claims the service; someone else's in that project refuses it.
    if (!isStoreError(error, 'service_owned')) throw error;
    return { outcome: await refusedOwned(deps, actor, submission, form.project, requestId) };
  }
}

/** Rejects a submission for good, with the reason the partner reads. */
export function reject(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: ReviewInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  return withReason(deps, 'reject', input);
}

/** Sends a submission back to its partner, with what to change; they can resubmit. */
export function requestChanges(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: ReviewInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  return withReason(deps, 'request_changes', input);
}

async function withReason(
  deps: Pick<AppDeps, 'store' | 'access'>,
  action: 'reject' | 'request_changes',
  input: ReviewInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  const { actor, id, requestId, reason } = input;
  const refused = await deps.access.approverOnly(actor, action, { id, requestId });
  if (refused) return { outcome: refused };
  if (!reason.ok) return { outcome: { kind: 'invalid', errors: reason.errors } };
  return decide(deps, action, input, { reason: reason.reason });
}

/**
 * Applies a reviewer's decision once, with the messages it owes (the review thread and the
 * partner are told through the outbox); afterwards `next` runs (the pipeline starts).
 */
async function decide(
  deps: Pick<AppDeps, 'store'>,
  action: DecisionAction & ReviewAction,
  { actor, id, requestId }: ReviewInput,
  patch: { approval?: Submission['approval']; reason?: string },
  next?: (submission: Submission) => Promise<void>,
  partnerInTeam?: boolean,
): Promise<Result<ReviewOutcome>> {
  const reason = patch.reason;
  const messages = decisionMessages({ action, actor, ...(reason ? { reason } : {}) });
  const result = await applyOnce(deps.store, id, action, {
    actor,
    requestId,
    patch,
    messages,
    ...(partnerInTeam !== undefined ? { partnerInTeam } : {}),
  });
  if (result.kind !== 'done') return { outcome: result };
  const { submission, applied } = result;
  return {
    outcome: done({ submission }),
    ...(applied && next ? { afterwards: () => next(submission) } : {}),
  };
}
