import type { Submission } from '../domain/submission.ts';
import { decisionMessages } from '../ports/notifier.ts';
import { applyOnce } from './apply.ts';
import type { AppDeps, UserRequest } from './context.ts';
import {
  type Done,
  done,
  type NotAllowed,
  type NotFound,
  notFound,
  type Result,
} from './outcomes.ts';

export type CancelOutcome = Done<{ submission: Submission }> | NotFound | NotAllowed;

/**
 * Withdraws a submission (its partner, or an approver) at any point before it is live:
 * once per request, with what it owes the thread and the partner; afterwards a pipeline
 * that is running is stopped.
 */
export async function cancel(
  deps: Pick<AppDeps, 'store' | 'access' | 'pipeline'>,
  input: UserRequest & { id: string },
): Promise<Result<CancelOutcome>> {
  const { actor, requestId } = input;
  const submission = await deps.access.find(actor, 'cancel', { id: input.id, requestId });
  if (!submission) return { outcome: notFound(input.id) };
  const result = await applyOnce(deps.store, submission.id, 'cancel', {
    actor,
    requestId,
    messages: decisionMessages({ action: 'cancel', actor }),
  });
  if (result.kind !== 'done') return { outcome: result };
  const cancelled = result.submission;
  return {
    outcome: done({ submission: cancelled }),
    ...(result.applied && cancelled.pipeline
      ? { afterwards: () => deps.pipeline.cancel(cancelled) }
      : {}),
  };
}
