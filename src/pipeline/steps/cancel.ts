// A cancelled submission's pipeline: its build stopped or its version removed, its checklist
// closed, the thread told.
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { cancelSteps, wasAnnounced } from '../../domain/run-transitions.ts';
import type { Submission } from '../../domain/submission.ts';
import { isRefusal } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { announce, save } from './record.ts';
import { removeVersion } from './remove-version.ts';

export async function windDown(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  if (wasAnnounced(run, 'cancelled')) return 'ended';
  // A version App Engine was creating is removed once created (remove-version.ts).
  const removing = await removeVersion(ctx, submission, run);
  if (removing) return removing;
  // A build that has not pushed may still be running; cancelling a finished one is a no-op.
  if (run.buildId && !run.imageDigest) {
    try {
      await ctx.builds.cancel(run.buildId);
    } catch (error) {
      // A build Cloud Build no longer knows, or may not stop, cannot hold the cancel up.
      if (!isRefusal(error)) throw error;
      ctx.log.warn({ err: error }, 'build not cancelled');
    }
  }
  const cancelled = cancelSteps(run, new Date());
  const saved = await save(ctx, submission, cancelled);
  await announce(ctx, saved, cancelled, 'cancelled');
  return 'ended';
}
