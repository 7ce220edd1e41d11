import { currentRevision, type Submission } from '../domain/submission.ts';
import { parseSpec, type SpecIssue } from '../domain/submission-spec/index.ts';
import { submittedMessages } from '../ports/notifier.ts';
import type { ChangeResult } from '../ports/store.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type Invalid, type Result } from './outcomes.ts';
import { checkOwnership } from './ownership.ts';
import { resolveImage } from './resolve-image.ts';

interface SubmitInput extends UserRequest {
  /** The spec as the partner gave it (the form's values, or the parsed YAML). */
  form: unknown;
}

type SubmitOutcome = Done<{ submission: Submission }> | Invalid<SpecIssue[]>;

type SubmitDeps = Pick<AppDeps, 'store' | 'registry' | 'services' | 'ownership' | 'logger'>;

/**
 * A partner's first submission: checked against the spec (reserved service ids included)
 * and against who owns the service, stored once per request, answered. Only then, after
 * the answer Slack waits for, its image's digest is asked of the registry and stored with
 * the messages it owes (the review channel's post shows the digest approvers approve; the
 * partner's confirmation), whatever the registry said: see finishSubmit. Someone else's
 * service is a field problem on `service` naming the owner, so the form stays open with
 * what was typed; the refusal is written to the service's trail after the answer.
 */
export async function submit(deps: SubmitDeps, input: SubmitInput): Promise<Result<SubmitOutcome>> {
  const { reservedServices } = deps.ownership;
  const parsed = parseSpec(input.form, { reservedServices });
  if (!parsed.ok) return { outcome: { kind: 'invalid', errors: parsed.errors } };
  const { actor, requestId } = input;
  const owned = await checkOwnership(deps, actor, parsed.spec, requestId);
  if ('refused' in owned) {
    return { outcome: { kind: 'invalid', errors: [owned.refused] }, afterwards: owned.audit };
  }
  const change = await deps.store.create({
    partner: actor,
    spec: parsed.spec,
    warnings: parsed.warnings,
    imagePending: true,
    ...owned,
    requestId,
    messages: submittedMessages({ revision: 1 }, actor),
  });
  return storedPending(deps, change, requestId);
}

/**
 * The answer once a change stored `imagePending` (what it owes held with it), with its
 * finishing as the follow-up. A retried request's change is finished by its first arrival
 * (or, if that instance stopped in between, by the pending-images sweep of any instance).
 */
export function storedPending(
  deps: Pick<AppDeps, 'store' | 'registry' | 'logger'>,
  { submission, applied }: ChangeResult,
  requestId: string,
): Result<Done<{ submission: Submission }>> {
  deps.logger.info(
    { submissionId: submission.id, revision: submission.revision, applied, requestId },
    'stored',
  );
  const answer = { outcome: done({ submission }) };
  return applied ? { ...answer, afterwards: () => finishSubmit(deps, submission) } : answer;
}

/**
 * The rest of a submission or resubmission once its partner has the answer: the image
 * resolved (never throws for the registry's sake, see resolveImage) and stored, which
 * releases the messages it held. Run by the request that stored it and, for one whose
 * instance stopped before this, by the pending-images sweep; the store records it once
 * whoever runs it.
 */
export async function finishSubmit(
  deps: Pick<AppDeps, 'store' | 'registry' | 'logger'>,
  submission: Submission,
): Promise<void> {
  const image = await resolveImage(deps, currentRevision(submission).spec.image);
  await deps.store.recordImage(submission.id, image);
}
