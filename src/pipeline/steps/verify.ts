// The last step: before saying "is live", the bot calls the deployed version's own URL
// (health, describe, a process call with a generated tile) and keeps what it found, for
// the live reply, or fails the pipeline at `verify` with it (Retry checks again only).
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { liveCheckProblem } from '../../domain/results.ts';
import { endStep, verified, verifyStarted } from '../../domain/run-transitions.ts';
import { currentRevision, type Submission } from '../../domain/submission.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { fail, goLive, save } from './record.ts';

export async function verify(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  if (!ctx.liveCheck) {
    // A tracker made without a live check (benchmarks): nothing to call.
    return goLive(ctx, submission, {
      ...run,
      steps: { ...run.steps, verify: { state: 'skipped' } },
    });
  }
  if (!run.versionUrl) {
    const detail = 'App Engine gave no URL for the version, so the bot could not check it.';
    return fail(ctx, submission, endStep(run, 'verify', 'failed', new Date()), {
      step: 'verify',
      detail,
    });
  }
  // Stored first, so the checklist shows the check running while it waits (up to a minute
  // for the process call); a resume after a crash simply checks again.
  let started = run;
  if (run.steps.verify.state !== 'running') {
    started = verifyStarted(run, new Date());
    submission = await save(ctx, submission, started);
  }
  const spec = currentRevision(submission).spec;
  const check = await ctx.liveCheck.check({
    url: run.versionUrl,
    padding: spec.PADDING,
    zoom: spec.ZOOM_LEVEL,
  });
  ctx.log.info({ url: check.url, ok: check.ok, probes: check.probes }, 'live check');
  const next = verified(started, check);
  if (check.ok) return goLive(ctx, submission, next);
  return fail(ctx, submission, next, { step: 'verify', detail: liveCheckProblem(check) });
}
