import { approvalNotStarted } from '../domain/approval-binding.ts';
import { needsTracking } from '../domain/run-transitions.ts';
import { canApply } from '../domain/status.ts';
import type { Submission } from '../domain/submission.ts';
import { parseSpec, type SpecIssue } from '../domain/submission-spec/index.ts';
import { submittedMessages } from '../ports/notifier.ts';
import { isStoreError } from '../ports/store.ts';
import type { AppDeps, UserRequest } from './context.ts';
import {
  type Done,
  done,
  type Invalid,
  type NotAllowed,
  type NotFound,
  notAllowed,
  notFound,
  type Result,
} from './outcomes.ts';
import { checkOwnership } from './ownership.ts';
import { storedPending } from './submit.ts';

/**
 * The partner's "Edit and resubmit": their submission, to fill the form with its last
 * revision. Only the partner may resubmit; anyone else's click is refused and audited.
 */
export async function resubmitForm(
  deps: Pick<AppDeps, 'access'>,
  input: UserRequest & { id: string },
): Promise<Result<Done<{ submission: Submission }> | NotFound | NotAllowed>> {
  const { actor, id, requestId } = input;
  const submission = await deps.access.find(actor, 'resubmit', { id, requestId });
  if (!submission) return { outcome: notFound(input.id) };
  // No form to fill in vain: sent back for changes, approved and not started yet, or
  // failed or cancelled with its end told (the store refuses it while winding down).
  const run = submission.pipeline;
  const open =
    submission.status === 'approved'
      ? approvalNotStarted(submission)
      : canApply(submission.status, 'resubmit') && !(run && needsTracking(submission.status, run));
  return { outcome: open ? done({ submission }) : notAllowed(submission, 'resubmit') };
}

interface ResubmitRequest extends UserRequest {
  id: string;
  /** The spec as the partner gave it (the form's values, or the parsed YAML). */
  form: unknown;
}

export type ResubmitOutcome =
  | Done<{ submission: Submission }>
  | Invalid<SpecIssue[]>
  | NotFound
  | NotAllowed;

/**
 * Revision n+1 of a submission the team sent back for changes, approved but not started
 * (which voids that approval), or whose pipeline failed or was cancelled (its run cleared
 * once its end was told): stored once per request with
 * what it owes (shown in the same review thread, confirmed to the partner). Whose it is comes
 * first, so a forged resubmission of someone else's is refused (and audited) whatever its
 * form holds. As for a first submission, the image is asked of its registry after the
 * answer, and what the revision owes is held until then (see finishSubmit).
 */
export async function resubmit(
  deps: Pick<AppDeps, 'store' | 'access' | 'registry' | 'services' | 'ownership' | 'logger'>,
  input: ResubmitRequest,
): Promise<Result<ResubmitOutcome>> {
  const { actor, id, requestId } = input;
  const existing = await deps.access.find(actor, 'resubmit', { id, requestId });
  if (!existing) return { outcome: notFound(id) };
  const { reservedServices } = deps.ownership;
  const parsed = parseSpec(input.form, { reservedServices });
  if (!parsed.ok) return { outcome: { kind: 'invalid', errors: parsed.errors } };
  const owned = await checkOwnership(deps, actor, parsed.spec, requestId);
  if ('refused' in owned) {
    await owned.audit();
    // The submission stays as it was; its trail says what was tried. Under a request id of
    // its own: the same form, fixed, may be sent again and must not look like a reused request.
    await deps.store.recordRefusal(existing.id, {
      actor,
      requestId: `${requestId}:owned`,
      detail: `resubmit: ${owned.refused.message}`,
    });
    return { outcome: { kind: 'invalid', errors: [owned.refused] } };
  }
  try {
    const change = await deps.store.resubmit(existing.id, {
      actor,
      requestId,
      spec: parsed.spec,
      warnings: parsed.warnings,
      imagePending: true,
      ...owned,
      // An approval whose pipeline has not started is voided by the store with this
      // change (and the change refused once it has); its approver is told.
      // A failed or cancelled run's end is said in the thread's reply.
      messages: submittedMessages({ revision: existing.revision + 1 }, actor, {
        ...(existing.status === 'approved' && existing.approval
          ? { voids: existing.approval.by }
          : {}),
        ...(existing.status === 'failed' || existing.status === 'cancelled'
          ? { after: existing.status }
          : {}),
      }),
    });
    return storedPending(deps, change, requestId);
  } catch (error) {
    if (!isStoreError(error, 'invalid_transition')) throw error;
    return { outcome: notAllowed(existing, 'resubmit') };
  }
}
