// The build step: Cloud Build wraps the partner's image, tests it (the acceptance check,
// observed as the checklist's test line) and pushes it. One call per step: start the
// build, or read it once and store what changed.
import { render } from '../../bundle/render.ts';
import { buildReference } from '../../domain/image-resolution.ts';
import { LOG_TAIL_LINES, type PipelineRun } from '../../domain/pipeline-run.ts';
import { parseCheckLines } from '../../domain/results.ts';
import { buildStarted, wasAnnounced } from '../../domain/run-transitions.ts';
import type { Action, Status } from '../../domain/status.ts';
import { currentRevision, type Submission } from '../../domain/submission.ts';
import type { StartedBuild } from '../../ports/build.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { observeBuild, withChecks } from './observe-build.ts';
import { announce, fail, PIPELINE_ACTOR, save } from './record.ts';

export async function startBuild(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  const revision = currentRevision(submission);
  const now = new Date();
  let started: StartedBuild | undefined;
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
  // FROM the digest that was approved (the Dockerfile's ARG and the wrap step's base_id),
  // never the tag, which may name another image by now; the tag only when approved by tag.
  const spec = { ...revision.spec, image: buildReference(revision.spec.image, revision.image) };
  started ??= await ctx.builds.start({
    submissionId: submission.id,
    revision: revision.number,
    spec,
    bundle: render(spec, { project: run.project }),
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
      const logTail = await tailOf(ctx, run.buildId, build.failure?.step, build.createdAt);
      // Cloud Logging shows lines seconds after they are written, so a tail read as the build
      // ends may be empty. Then the failure waits for a later poll (the scheduler's backoff:
      // nothing here sleeps, so no pipeline is held up) until lines come or the window ends.
      if (logTail?.length === 0 && mayStillBeLogging(build.endedAt)) return 'unchanged';
      // A failed test step ends its log with the checks (build-request.ts): read them there
      // when Cloud Build gave no step output.
      const fromLog = observed.failure.step === 'test' ? parseCheckLines(logTail ?? []) : [];
      const checks = next.checks ?? fromLog;
      return fail(
        ctx,
        current,
        { ...next, ...withChecks(checks) },
        {
          ...observed.failure,
          ...(logTail?.length ? { logTail } : {}),
          ...(build.failure?.step ? { buildStep: build.failure.step } : {}),
        },
      );
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

/** How long after a build ended its last lines may still be on their way into Cloud Logging. */
const LOG_LAG_MS = 15_000;

/**
 * Whether the build ended recently enough that its log may not be readable yet. A build end
 * far from this machine's clock either way (a skewed clock) is not waited for.
 */
function mayStillBeLogging(endedAt: Date | undefined): boolean {
  if (!endedAt) return false;
  const age = Date.now() - endedAt.getTime();
  return Math.abs(age) < LOG_LAG_MS;
}

/**
 * The last lines the failed build step printed, for the failure reply: [] when there are
 * none (yet), undefined when they cannot be read (the failure is told without them).
 */
async function tailOf(
  ctx: StepContext,
  buildId: string,
  stepId: string | undefined,
  since: Date | undefined,
) {
  if (!ctx.buildLogs) return undefined;
  try {
    return await ctx.buildLogs.tail({
      buildId,
      ...(stepId ? { stepId } : {}),
      ...(since ? { since } : {}),
      lines: LOG_TAIL_LINES,
    });
  } catch (error) {
    ctx.log.warn({ err: error, buildId }, 'could not read the build log');
    return undefined;
  }
}
