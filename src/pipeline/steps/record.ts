// Storing a run and telling people about it: every step saves what it learned through
// here before doing anything else, and the ends of a pipeline (failed, live) are here.
import type { Milestone, PipelineFailure, PipelineRun } from '../../domain/pipeline-run.ts';
import { markAnnounced } from '../../domain/run-transitions.ts';
import type { Action } from '../../domain/status.ts';
import type { Actor, Submission } from '../../domain/submission.ts';
import type { StepContext, StepOutcome } from './context.ts';

/** The pipeline acts on its own behalf in the audit trail. */
export const PIPELINE_ACTOR: Actor = { userId: 'pipeline', name: 'playground-deploy pipeline' };

/** Stores the run (moving the submission on by `action`), then shows it in the thread. */
export async function save(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  action?: Action,
  detail?: string,
): Promise<Submission> {
  const saved = await ctx.store.saveRun(
    submission.id,
    ctx.owner,
    run,
    action ? { action, actor: PIPELINE_ACTOR, ...(detail ? { detail } : {}) } : undefined,
  );
  if (run.statusMessage) ctx.progress.update(saved, run);
  return saved;
}

/** Posts a milestone (and the status message, the first time) and stores that it was. */
export async function announce(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  kind: Milestone,
): Promise<Submission> {
  let current = run;
  if (!current.statusMessage && submission.thread) {
    current = { ...current, statusMessage: await ctx.progress.postStatus(submission, current) };
  }
  await ctx.progress.milestone(submission, current, kind);
  return save(ctx, submission, markAnnounced(current, kind));
}

/** Stores the run as failed for `failure`, tells the thread and the partner, ends it. */
export function fail(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  failure: PipelineFailure,
): Promise<StepOutcome> {
  const failed = { ...run, failure };
  return end(ctx, submission, failed, 'fail', `${failure.step}: ${failure.detail}`, 'failed');
}

/** Stores the run as live, tells the thread and the partner, ends it. */
export function goLive(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  return end(ctx, submission, run, 'go_live', run.versionUrl, 'live');
}

async function end(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  action: Action,
  detail: string | undefined,
  kind: Milestone,
): Promise<StepOutcome> {
  const saved = await save(ctx, submission, run, action, detail);
  // The checklist shows the end before the milestone reply tells it.
  await ctx.progress.flush();
  await announce(ctx, saved, run, kind);
  return 'ended';
}
