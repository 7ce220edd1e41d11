import type { Submission } from '../domain/submission.ts';
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

/**
 * A partner's first submission: checked against the spec (reserved service ids included)
 * and against who owns the service, its image's digest asked of the registry, stored once
 * per request with the messages it owes (the review channel's post, the partner's
 * confirmation) whatever the registry said. Someone else's service is a field problem on
 * `service` naming the owner, so the form stays open with what was typed.
 */
export async function submit(
  deps: Pick<AppDeps, 'store' | 'registry' | 'services' | 'ownership' | 'logger'>,
  input: SubmitInput,
): Promise<Result<SubmitOutcome>> {
  const { reservedServices } = deps.ownership;
  const parsed = parseSpec(input.form, { reservedServices });
  if (!parsed.ok) return { outcome: { kind: 'invalid', errors: parsed.errors } };
  const { actor, requestId } = input;
  const owned = await checkOwnership(deps, actor, parsed.spec, requestId);
  if ('refused' in owned) return { outcome: { kind: 'invalid', errors: [owned.refused] } };
  const change = await deps.store.create({
    partner: actor,
    spec: parsed.spec,
    warnings: parsed.warnings,
    image: await resolveImage(deps, parsed.spec.image),
    ...owned,
    requestId,
    messages: submittedMessages({ revision: 1 }, actor),
  });
  return stored(deps, change, requestId);
}

/** The answer once a submission or a new revision is stored (its messages are in the outbox). */
export function stored(
  deps: Pick<AppDeps, 'logger'>,
  { submission, applied }: ChangeResult,
  requestId: string,
): Result<Done<{ submission: Submission }>> {
  deps.logger.info(
    { submissionId: submission.id, revision: submission.revision, applied, requestId },
    'stored',
  );
  return { outcome: done({ submission }) };
}
