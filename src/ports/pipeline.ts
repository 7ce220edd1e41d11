import type { Actor, Submission } from '../domain/submission.ts';

/** What the Slack side asks of the build-and-deploy pipeline. */
export interface Pipeline {
  /** An approved submission: build, test, push, deploy. */
  start(submission: Submission): Promise<void>;
  /** A failed pipeline again: a new build, or only the deploy when the image was pushed. */
  retry(submission: Submission, actor: Actor): Promise<void>;
  /** The submission was cancelled: stop its build or deploy as soon as possible. */
  cancel(submission: Submission): Promise<void>;
  /** A promote or rollback was stored on the submission: drive it now. */
  operate(submission: Submission): Promise<void>;
}
