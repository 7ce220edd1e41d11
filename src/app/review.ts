// The Playground team's review: open a decision on a submission waiting for review, then
// approve it (which starts the pipeline), reject it or send it back for changes.
import {
  changedSince,
  describeChange,
  type OpenedOn,
  type StaleChange,
} from '../domain/approval-binding.ts';
import { currentRevision, type Submission } from '../domain/submission.ts';
import { testMachineProblem } from '../domain/test-machine.ts';
import { type DecisionAction, decisionMessages } from '../ports/notifier.ts';
import { isStoreError, type SubmissionPatch } from '../ports/store.ts';
import { applyOnce } from './apply.ts';
import { imageAtApproval } from './approve-image.ts';
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
  type Stale,
} from './outcomes.ts';
import { partnerInTeam, refusedOwned } from './ownership.ts';

export type ReviewAction = 'approve' | 'reject' | 'request_changes';

export type ReviewOutcome =
  | Done<{ submission: Submission }>
  | Stale
  | Refused
  | RefusedApproval
  | NotFound
  | NotAllowed
  | Invalid<Record<string, string>>;

interface ReviewInput extends UserRequest {
  id: string;
}

/** A decision sent from its form: what the form was opened on comes with it. */
interface DecisionInput extends ReviewInput {
  opened: OpenedOn;
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
  /** Approve the image's tag when its registry still does not resolve it (behind a confirm). */
  byTag?: boolean;
}

/**
 * Approves a submission once and starts its pipeline. The form can only be checked
 * against the submission (its service, its default version id), so `checkForm` is given
 * the submission once the approver is known to be one.
 */
export async function approve(
  deps: Pick<
    AppDeps,
    'store' | 'access' | 'pipeline' | 'registry' | 'services' | 'ownership' | 'logger'
  >,
  input: DecisionInput & { checkForm: (submission: Submission) => FormCheck<ApprovalChoice> },
): Promise<Result<ReviewOutcome>> {
  const { actor, id, requestId } = input;
  const found = await deps.access.forApprover(actor, 'approve', { id, requestId });
  if (found.kind !== 'done') return { outcome: found };
  const { submission } = found;
  const changed = staleForm(input.opened, submission);
  if (changed) return { outcome: await refuseStale(deps, 'approve', input, changed) };
  const form = input.checkForm(submission);
  if (!form.ok) return { outcome: { kind: 'invalid', errors: form.errors } };
  // No Cloud Build machine could test it: said now, shown on the form's first field,
  // rather than when the build request is made.
  const tooLarge = testMachineProblem(currentRevision(submission).spec.resources.memory_gb);
  if (tooLarge) return { outcome: { kind: 'invalid', errors: { project: tooLarge } } };
  // Checked again here: the modal may be stale or forged.
  const refused = await deps.access.mayApprove(actor, submission, {
    project: form.project,
    requestId,
  });
  if (refused) return { outcome: refused };
  // What is approved is a digest: resolved at submit, else now, else the tag by choice.
  const byTag = form.byTag === true;
  const image = await imageAtApproval(deps, { actor, submission, byTag, requestId });
  if (image.kind === 'refused') return { outcome: image };
  const inTeam = await partnerInTeam(deps, submission, form.project);
  const approval = {
    project: form.project,
    ...(form.versionLabel ? { versionLabel: form.versionLabel } : {}),
    promote: form.promote,
    by: actor,
    at: new Date(),
  };
  const { image: resolution, detail } = image;
  const change = {
    approval,
    ...(resolution && { image: resolution }),
    ...(detail && { detail }),
    partnerInTeam: inTeam,
  };
  try {
    return await decide(deps, 'approve', input, change, (approved) =>
      deps.pipeline.start(approved),
    );
  } catch (error) {
    // The approval claims the service; someone else's in that project refuses it.
    if (!isStoreError(error, 'service_owned')) throw error;
    return { outcome: await refusedOwned(deps, actor, submission, form.project, requestId) };
  }
}

/** Rejects a submission for good, with the reason the partner reads. */
export function reject(
  deps: Pick<AppDeps, 'store' | 'access' | 'logger'>,
  input: DecisionInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  return withReason(deps, 'reject', input);
}

/** Sends a submission back to its partner, with what to change; they can resubmit. */
export function requestChanges(
  deps: Pick<AppDeps, 'store' | 'access' | 'logger'>,
  input: DecisionInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  return withReason(deps, 'request_changes', input);
}

async function withReason(
  deps: Pick<AppDeps, 'store' | 'access' | 'logger'>,
  action: 'reject' | 'request_changes',
  input: DecisionInput & { reason: FormCheck<{ reason: string }> },
): Promise<Result<ReviewOutcome>> {
  const { actor, id, requestId, reason } = input;
  const found = await deps.access.forApprover(actor, action, { id, requestId });
  if (found.kind !== 'done') return { outcome: found };
  const changed = staleForm(input.opened, found.submission);
  if (changed) return { outcome: await refuseStale(deps, action, input, changed) };
  if (!reason.ok) return { outcome: { kind: 'invalid', errors: reason.errors } };
  return decide(deps, action, input, { reason: reason.reason });
}

/**
 * A form's submission that changed under it, checked while it waits for review. Once it is
 * decided the store answers instead: a retry of this very decision finds it done (even if
 * approval pinned the image's digest since), any other is refused with the new status.
 */
function staleForm(opened: OpenedOn, submission: Submission): StaleChange | undefined {
  return submission.status === 'submitted' ? changedSince(opened, submission) : undefined;
}

/**
 * Applies a reviewer's decision once, with the messages it owes (the review thread and the
 * partner are told through the outbox); afterwards `next` runs (the pipeline starts). The
 * store writes it only at the revision the form was opened on and from a status that
 * allows it; otherwise the form is stale, and the answer says what changed.
 */
async function decide(
  deps: Pick<AppDeps, 'store' | 'logger'>,
  action: DecisionAction & ReviewAction,
  input: DecisionInput,
  change: SubmissionPatch & { detail?: string; partnerInTeam?: boolean | undefined },
  next?: (submission: Submission) => Promise<void>,
): Promise<Result<ReviewOutcome>> {
  const { actor, id, requestId, opened } = input;
  const { detail, partnerInTeam: inTeam, ...patch } = change;
  const reason = patch.reason;
  const messages = decisionMessages({ action, actor, ...(reason ? { reason } : {}) });
  const options = {
    actor,
    requestId,
    patch,
    messages,
    revision: opened.revision,
    ...(detail && { detail }),
    ...(inTeam !== undefined && { partnerInTeam: inTeam }),
  };
  const result = await applyOnce(deps.store, id, action, options);
  if (result.kind === 'not_allowed') {
    const now = result.submission;
    const change: StaleChange =
      now.revision !== opened.revision
        ? { kind: 'revision', now: now.revision, opened: opened.revision }
        : { kind: 'status', status: now.status };
    return { outcome: await refuseStale(deps, action, input, change) };
  }
  if (result.kind !== 'done') return { outcome: result };
  const { submission, applied } = result;
  return {
    outcome: done({ submission }),
    ...(applied && next ? { afterwards: () => next(submission) } : {}),
  };
}

/** A decision on what the submission no longer is: logged, audited, and said what changed. */
async function refuseStale(
  deps: Pick<AppDeps, 'store' | 'logger'>,
  action: Stale['action'],
  { actor, id, requestId }: DecisionInput,
  change: StaleChange,
): Promise<Stale> {
  const detail = `${action}: changed since the form was opened: ${describeChange(change)}`;
  deps.logger.warn({ submissionId: id, requestId, userId: actor.userId, detail }, 'refused');
  // Its own request id: the same form's decision is not taken for a reused request.
  await deps.store.recordRefusal(id, { actor, requestId: `${requestId}:stale`, detail });
  return { kind: 'stale', id, action, change };
}
