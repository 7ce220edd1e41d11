// The deploy and promote steps: App Engine creates the flexible version from the pushed
// image, then (when the approver asked) moves the service's traffic to it; the live check
// (verify.ts) follows. One call per step: ask for the operation, or poll it once.
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import {
  deployImage,
  deployRequested,
  endStep,
  promoteRequested,
  promoteSkipped,
} from '../../domain/run-transitions.ts';
import { currentRevision, type Submission } from '../../domain/submission.ts';
import { ServiceError } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { fail, save } from './record.ts';
import { makeRoom, refusedForLimit } from './version-room.ts';

export async function createVersion(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  let operation: string | undefined;
  let requested = run;
  if (run.deployRequestedAt) {
    // An earlier step asked App Engine for this version and stopped before storing
    // the operation: follow that create rather than answer "already exists" to ourselves.
    operation = await ctx.deploys.findCreateOperation(
      run.project,
      run.service,
      run.versionId,
      run.deployRequestedAt,
    );
    if (operation) ctx.log.info({ operation }, 'deploy adopted after a restart');
  } else {
    // Room under App Engine's version limit first (version-room.ts).
    const making = await makeRoom(ctx, submission, run);
    if (making) return making;
    // Written before the call, so a crash right after it is noticed on resume.
    requested = deployRequested(run, new Date());
    submission = await save(ctx, submission, requested);
  }
  if (!operation) {
    try {
      ({ operation } = await ctx.deploys.createVersion({
        project: run.project,
        spec: currentRevision(submission).spec,
        versionId: run.versionId,
        imageUrl: deployImage(run),
      }));
    } catch (error) {
      if (!(error instanceof ServiceError && error.code === 'version_limit')) throw error;
      return refusedForLimit(ctx, submission, requested);
    }
  }
  await save(ctx, submission, { ...requested, deployOperation: operation });
  return 'changed';
}

/** One poll of the deploy's or the promote's operation; when it is done, the next step. */
export async function pollOperation(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  step: 'deploy' | 'promote',
  operation: string,
): Promise<StepOutcome> {
  const state = await ctx.deploys.getOperation(operation);
  if (!state.done) return 'unchanged';
  const now = new Date();
  if (state.error) {
    const failed = endStep(run, step, 'failed', now);
    return fail(ctx, submission, failed, { step, detail: state.error.message });
  }
  const ended = endStep(run, step, 'done', now);
  if (step === 'promote') {
    // Traffic moved: the live check (verify.ts) comes next.
    await save(ctx, submission, ended);
    return 'changed';
  }
  return promote(ctx, submission, {
    ...ended,
    ...(state.versionUrl ? { versionUrl: state.versionUrl } : {}),
  });
}

/** A deployed version: move traffic to it when the approver asked, else it is live. */
export async function promote(
  ctx: StepContext,
  submission: Submission,
  deployed: PipelineRun,
): Promise<StepOutcome> {
  if (!deployed.promote) {
    // No traffic asked for: the live check (verify.ts) comes next.
    await save(ctx, submission, promoteSkipped(deployed));
    return 'changed';
  }
  // Stored first: the version exists whatever becomes of the promote (a retry then only
  // moves the traffic).
  if (submission.pipeline?.steps.deploy.state !== 'done') {
    submission = await save(ctx, submission, deployed);
  }
  const { operation } = await ctx.deploys.promote(
    deployed.project,
    deployed.service,
    deployed.versionId,
  );
  await save(ctx, submission, promoteRequested(deployed, operation, new Date()));
  return 'changed';
}
