import type { Action } from '../domain/status.ts';
import type { Submission } from '../domain/submission.ts';
import { type ApplyOptions, isStoreError, type SubmissionStore } from '../ports/store.ts';
import {
  type Done,
  done,
  type NotAllowed,
  type NotFound,
  notAllowed,
  notFound,
} from './outcomes.ts';

type Applied = Done<{ submission: Submission; applied: boolean }>;

/**
 * Moves a submission through the status machine once. When the machine refuses (a second
 * approver, a double click, a stale button) the answer says what the submission is now.
 */
export async function applyOnce(
  store: SubmissionStore,
  id: string,
  action: Action,
  options: ApplyOptions,
): Promise<Applied | NotAllowed | NotFound> {
  try {
    const { submission, applied } = await store.apply(id, action, options);
    return done({ submission, applied });
  } catch (error) {
    if (isStoreError(error, 'not_found')) return notFound(id);
    if (!isStoreError(error, 'invalid_transition')) throw error;
    const current = await store.get(id);
    return current ? notAllowed(current, action) : notFound(id);
  }
}
