// The build step: Cloud Build wraps the partner's image, tests it (the acceptance check,
// observed as the checklist's test line) and pushes it. One call per step: start the
// build, or read it once and store what changed.
import { render } from '../../bundle/render.ts';
import { LOG_TAIL_LINES, type PipelineRun } from '../../domain/pipeline-run.ts';
import { buildStarted, wasAnnounced } from '../../domain/run-transitions.ts';
import type { Action, Status } from '../../domain/status.ts';
import { currentRevision, type Submission } from '../../domain/submission.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { observeBuild } from './observe-build.ts';
import { announce, fail, PIPELINE_ACTOR, save } from './record.ts';

export async function startBuild(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  const revision = currentRevision(submission);
  const now = new Date();
  let started: { buildId: string; logUrl?: string } | undefined;
  if (run.buildRequested) {
    // An earlier step asked for this build and stopped before storing its id.
    const found = await ctx.builds.findAttempt(submission.id, revision.number, run.attempt);
    if (found) {
      started = { buildId: found.id, ...(found.logUrl ? { logUrl: found.logUrl } : {}) };
      ctx.log.info({ buildId: found.id }, 'build adopted after a restart');
    }
  } else {
    // Written before the call, so a crash right after it is noticed on resume.
    submission = await save(ctx, submission, { ...run, buildRequested: true });
  }
  started ??= await ctx.builds.start({
    submissionId: submission.id,
    revision: revision.number,
    spec: revision.spec,
    bundle: render(revision.spec, { project: run.project }),
    image: run.image,
    attempt: run.attempt,
  });
  ctx.log.info({ buildId: started.buildId }, 'build started');
  const next = buildStarted(run, started, now, new Date());
  const saved = await save(
    ctx,
    submission,
    next,
    submission.status === 'approved' ? 'start_build' : undefined,
  );
  if (!wasAnnounced(next, 'started')) await announce(ctx, saved, next, 'started');
  return 'changed';
}

export async function pollBuild(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  if (!run.buildId) return 'unchanged';
  const build = await ctx.builds.get(run.buildId);
  const observed = observeBuild(run, build);
  const next = observed.run;
  const changed = JSON.stringify(next) !== JSON.stringify(run);
  let current = submission;
  const walk = async (action: Action, to: Status) => {
    if (current.status !== to) current = await save(ctx, current, next, action);
  };
  switch (observed.phase) {
    case 'building':
      if (!changed) return 'unchanged';
      await save(ctx, current, next);
      return 'changed';
    case 'testing':
      await walk('start_test', 'testing');
      if (changed) await save(ctx, current, next);
      return 'changed';
    case 'built':
      if (current.status === 'building') await walk('start_test', 'testing');
      await save(ctx, current, next, 'start_deploy');
      return 'changed';
    case 'failed': {
      const logTail = await tailOf(ctx, run.buildId, build.failure?.step);
      return fail(ctx, current, next, { ...observed.failure, ...(logTail ? { logTail } : {}) });
    }
    case 'cancelled':
      await ctx.store.apply(submission.id, 'cancel', {
        actor: PIPELINE_ACTOR,
        requestId: `pipeline:${submission.id}:${run.attempt}:build-cancelled`,
        detail: 'the build was cancelled outside the bot',
      });
      return 'changed';
  }
}

/**
 * The last lines the failed build step printed, for the failure reply; undefined when
 * there are none or they cannot be read (the failure is told without them).
 */
async function tailOf(ctx: StepContext, buildId: string, stepId: string | undefined) {
  if (!ctx.buildLogs) return undefined;
  try {
    const lines = await ctx.buildLogs.tail({
      buildId,
      ...(stepId ? { stepId } : {}),
      lines: LOG_TAIL_LINES,
    });
    return lines.length > 0 ? lines : undefined;
  } catch (error) {
    ctx.log.warn({ err: error, buildId }, 'could not read the build log');
    return undefined;
  }
}
