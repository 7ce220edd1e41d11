// A step past its deadline (src/domain/step-deadlines.ts): the pipeline fails at that step
// with what it waited for and how long, rather than polling an operation that may never end.
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { endStep } from '../../domain/run-transitions.ts';
import { deadlineFailure, type overdue } from '../../domain/step-deadlines.ts';
import type { Submission } from '../../domain/submission.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { fail } from './record.ts';

export async function pastDeadline(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  late: NonNullable<ReturnType<typeof overdue>>,
): Promise<StepOutcome> {
  const { deadline, waitedMs } = late;
  ctx.log.warn(
    { step: deadline.step, waitedMs, limitMs: deadline.limitMs, waitingFor: deadline.waitingFor },
    'step past its deadline',
  );
  const failed = endStep(run, deadline.step, 'failed', new Date());
  const outcome = await fail(ctx, submission, failed, deadlineFailure(deadline, waitedMs));
  // A build that never reported an end may still hold a worker: ask Cloud Build to stop it
  // (the failure is stored first; a refusal here changes nothing of it).
  if (run.buildId && !run.imageDigest) {
    await ctx.builds.cancel(run.buildId).catch((error: unknown) => {
      ctx.log.warn({ err: error, buildId: run.buildId }, 'could not cancel the late build');
    });
  }
  return outcome;
}
