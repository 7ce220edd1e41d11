import type { Submission } from '../domain/submission.ts';
import { isStoreError } from '../ports/store.ts';
import type { AppDeps, UserRequest } from './context.ts';
import {
  type Done,
  done,
  type NotAllowed,
  type NotFound,
  notAllowed,
  type Refused,
  type Result,
} from './outcomes.ts';

export type RetryOutcome = Done<{ submission: Submission }> | Refused | NotFound | NotAllowed;

/** An approver starts a new pipeline attempt for a failed submission (same revision). */
export async function retry(
  deps: Pick<AppDeps, 'store' | 'access' | 'pipeline'>,
  input: UserRequest & { id: string },
): Promise<Result<RetryOutcome>> {
  const { actor, id, requestId } = input;
  const found = await deps.access.forApprover(actor, 'retry', { id, requestId });
  if (found.kind !== 'done') return { outcome: found };
  const { submission } = found;
  if (submission.status !== 'failed') return { outcome: notAllowed(submission, 'start_build') };
  try {
    await deps.pipeline.retry(submission, actor);
  } catch (error) {
    // A second click, or another approver first: the pipeline already moved on.
    if (!isStoreError(error, 'invalid_transition') && !isStoreError(error, 'conflict')) {
      throw error;
    }
    const current = (await deps.store.get(id)) ?? submission;
    return { outcome: notAllowed(current, 'start_build') };
  }
  return { outcome: done({ submission }) };
}
