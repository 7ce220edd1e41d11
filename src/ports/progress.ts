// What the pipeline tells people about a run (adapter: src/slack/progress.ts, which shows
// it in the submission's review thread and the partner's DM).
import type { Milestone, PipelineRun } from '../domain/pipeline-run.ts';
import type { Submission } from '../domain/submission.ts';

export interface Progress {
  /** Posts the run's live status message and says where it is; rejects if it cannot. */
  postStatus(submission: Submission, run: PipelineRun): Promise<{ channel: string; ts: string }>;
  /** Shows this state in `run.statusMessage` soon; returns at once, never throws. */
  update(submission: Submission, run: PipelineRun): void;
  /**
   * Posts a milestone reply (for `failed` and `live`, tells the partner too); rejects only
   * when the reply could not be posted, so it can be tried again without doubles.
   */
  milestone(submission: Submission, run: PipelineRun, kind: Milestone): Promise<unknown>;
  /** Resolves when every state handed to `update` so far was sent or its attempt failed. */
  flush(): Promise<void>;
}
