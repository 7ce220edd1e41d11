// A run cancelled while App Engine creates its version: a create cannot be stopped, so the
// cancelled run waits for it to end, then removes the version: deleted, or stopped when App
// Engine refuses the delete because the version holds the service's traffic (a service's
// first version does). One App Engine call per step; the cancel is told once it is over.
import { formatDuration } from '../../domain/duration.ts';
import { GRPC } from '../../domain/grpc-status.ts';
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import type { Submission } from '../../domain/submission.ts';
import type { VersionRemoval } from '../../domain/version-lifecycle.ts';
import { isRefusal } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { save } from './record.ts';

/** One step of the removal: undefined once there is nothing (more) to do. */
export async function removeVersion(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome | undefined> {
  try {
    return await removalStep(ctx, submission, run);
  } catch (error) {
    // An operation App Engine no longer knows, say: the cancel is told with why.
    if (!isRefusal(error)) throw error;
    return saveRemoval(ctx, submission, run, { state: 'failed', detail: error.message });
  }
}

async function removalStep(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome | undefined> {
  const { removal } = run;
  if (!removal) {
    if (!run.deployOperation || run.steps.deploy.state === 'done') return undefined;
    const created = await ctx.deploys.getOperation(run.deployOperation);
    if (!created.done) {
      const waitMs = ctx.deadlines.deployMs + CREATE_WAIT_MARGIN_MS;
      if (!waitedTooLong(run, waitMs)) return 'unchanged';
      const detail = `App Engine had not created it ${formatDuration(waitMs)} after the deploy started`;
      return saveRemoval(ctx, submission, run, { state: 'failed', detail });
    }
    if (created.error) {
      return saveRemoval(ctx, submission, run, {
        state: 'not_created',
        detail: created.error.message,
      });
    }
    return ask(ctx, submission, run, 'delete');
  }
  switch (removal.state) {
    case 'to_stop':
      return ask(ctx, submission, run, 'stop');
    case 'deleting':
    case 'stopping': {
      const state = await ctx.deploys.getOperation(removal.operation);
      if (!state.done) return 'unchanged';
      const end: VersionRemoval = state.error
        ? { state: 'failed', detail: state.error.message }
        : { state: removal.state === 'deleting' ? 'deleted' : 'stopped' };
      return saveRemoval(ctx, submission, run, end);
    }
    default:
      return undefined;
  }
}

/**
 * A cancelled run waits for the create to end past the deploy's own deadline by this much
 * (a cancel may come after that deadline failed the run); then the cancel is told without
 * the removal.
 */
const CREATE_WAIT_MARGIN_MS = 15 * 60_000;

function waitedTooLong(run: PipelineRun, waitMs: number): boolean {
  const started = run.steps.deploy.startedAt?.getTime();
  return started !== undefined && Date.now() - started > waitMs;
}

/** Asks App Engine to delete (or stop) the version; stores what it answered. */
async function ask(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  what: 'delete' | 'stop',
): Promise<StepOutcome> {
  const { project, service, versionId } = run;
  try {
    const { operation } =
      what === 'delete'
        ? await ctx.deploys.deleteVersion(project, service, versionId)
        : await ctx.deploys.setServingStatus(project, service, versionId, 'STOPPED');
    const state = what === 'delete' ? 'deleting' : 'stopping';
    return saveRemoval(ctx, submission, run, { state, operation });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if (error.code === 'version_busy') return 'unchanged';
    ctx.log.warn({ err: error }, `the cancelled run's version: ${what} refused`);
    // A version with traffic cannot be deleted (INVALID_ARGUMENT): it is stopped instead.
    if (what === 'delete' && error.grpcCode === GRPC.INVALID_ARGUMENT) {
      return saveRemoval(ctx, submission, run, { state: 'to_stop', detail: error.message });
    }
    return saveRemoval(ctx, submission, run, { state: 'failed', detail: error.message });
  }
}

async function saveRemoval(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  removal: VersionRemoval,
): Promise<StepOutcome> {
  await save(ctx, submission, { ...run, removal }, undefined, undefined, []);
  return 'changed';
}
