import type { Actor, Submission } from '../domain/submission.ts';
import { parseSpec, type SpecIssue } from '../domain/submission-spec/index.ts';
import type { ChangeResult } from '../ports/store.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type Invalid, type Result } from './outcomes.ts';

interface SubmitInput extends UserRequest {
  /** The spec as the partner gave it (the form's values, or the parsed YAML). */
  form: unknown;
}

type SubmitOutcome = Done<{ submission: Submission }> | Invalid<SpecIssue[]>;

/**
 * A partner's first submission: checked against the spec, stored once per request, then
 * posted to the review channel and confirmed to the partner.
 */
export async function submit(
  deps: Pick<AppDeps, 'store' | 'notifier' | 'logger'>,
  input: SubmitInput,
): Promise<Result<SubmitOutcome>> {
  const parsed = parseSpec(input.form);
  if (!parsed.ok) return { outcome: { kind: 'invalid', errors: parsed.errors } };
  const { actor, requestId } = input;
  const change = await deps.store.create({
    partner: actor,
    spec: parsed.spec,
    warnings: parsed.warnings,
    requestId,
  });
  return stored(deps, change, input);
}

/**
 * The answer once a submission or a new revision is stored; when the change is new (not a
 * retried request), it is posted for review and the partner is told, after that answer.
 */
export function stored(
  deps: Pick<AppDeps, 'store' | 'notifier' | 'logger'>,
  { submission, applied }: ChangeResult,
  { actor, requestId }: UserRequest,
): Result<Done<{ submission: Submission }>> {
  deps.logger.info(
    { submissionId: submission.id, revision: submission.revision, applied, requestId },
    'stored',
  );
  return {
    outcome: done({ submission }),
    ...(applied ? { afterwards: () => announceSubmission(deps, submission, actor) } : {}),
  };
}

/** Posts a submission (or its new revision) for review, keeps its thread, tells the partner. */
async function announceSubmission(
  deps: Pick<AppDeps, 'store' | 'notifier'>,
  submission: Submission,
  actor: Actor,
): Promise<void> {
  let current = submission;
  const thread = await deps.notifier.forReview(submission, actor);
  if (thread && !submission.thread) {
    await deps.store.setThread(submission.id, thread);
    current = { ...submission, thread };
  }
  await deps.notifier.received(current);
}
