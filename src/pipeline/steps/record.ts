// Storing a run and what it owes people: every step saves what it learned through here
// before doing anything else, with the messages that change owes (the status message,
// milestones) in the same write; the ends of a pipeline (failed, live) are here.
import type { Milestone, PipelineFailure, PipelineRun } from '../../domain/pipeline-run.ts';
import { markAnnounced, needsTracking } from '../../domain/run-transitions.ts';
import type { Action } from '../../domain/status.ts';
import type { Actor, Submission } from '../../domain/submission.ts';
import { type MessageIntent, milestoneMessages } from '../../ports/notifier.ts';
import type { StepContext, StepOutcome } from './context.ts';

/** The pipeline acts on its own behalf in the audit trail. */
export const PIPELINE_ACTOR: Actor = { userId: 'pipeline', name: 'playground-deploy pipeline' };

/**
 * Stores the run (moving the submission on by `action`) with the messages it owes: by
 * default the status message's update, once the attempt has one (its first milestone).
 */
export function save(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  action?: Action,
  detail?: string,
  messages: MessageIntent[] = hasStatusMessage(run)
    ? [{ kind: 'status', attempt: run.attempt }]
    : [],
): Promise<Submission> {
  return ctx.store.saveRun(
    submission.id,
    ctx.owner,
    run,
    action ? { action, actor: PIPELINE_ACTOR, ...(detail ? { detail } : {}) } : undefined,
    messages,
  );
}

/**
 * Whether the attempt's status message is owed already: any milestone of it was announced,
 * or it had to wait for its service (the message said so).
 */
function hasStatusMessage(run: PipelineRun): boolean {
  const waited = run.turn?.state === 'waiting' || run.turn?.waited !== undefined;
  return waited || Object.values(run.announced).includes(run.attempt);
}

/** Stores that a milestone is announced, with what it owes (the status message first). */
export function announce(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  kind: Milestone,
): Promise<Submission> {
  const messages = milestoneMessages(run.attempt, kind);
  return save(ctx, submission, markAnnounced(run, kind), undefined, undefined, messages);
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
  // The checklist shows the end before the milestone reply tells it (outbox order).
  const saved = await save(ctx, submission, run, action, detail);
  return stillTracked(await announce(ctx, saved, run, kind));
}

/** After telling an end: the pipeline ends, unless the run still has work (housekeeping). */
export function stillTracked(told: Submission): StepOutcome {
  const run = told.pipeline;
  return run && needsTracking(told.status, run) ? 'changed' : 'ended';
}
