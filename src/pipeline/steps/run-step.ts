// One step of one pipeline: read the stored run, do the one next thing, store what was
// learned. A crash anywhere is followed, on any instance, by the right next step.

import { adviceFor } from '../../domain/advice.ts';
import {
  currentStep,
  endStep,
  isWorking,
  nextStep,
  wasAnnounced,
} from '../../domain/run-transitions.ts';
import { isRunning } from '../../domain/service-operation.ts';
import { overdue } from '../../domain/step-deadlines.ts';
import { isRefusal, type ServiceError } from '../../ports/service-error.ts';
import { pollBuild, startBuild } from './build.ts';
import { windDown } from './cancel.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { pastDeadline } from './deadline.ts';
import { createVersion, pollOperation, promote } from './deploy.ts';
import { housekeep } from './lifecycle.ts';
import { stepOperation } from './operation.ts';
import { announce, fail, stillTracked } from './record.ts';
import { takeTurn } from './turn.ts';
import { verify } from './verify.ts';

/** Reads the run and does the one next thing; the caller holds the pipeline's lease and lock. */
export async function runStep(ctx: StepContext, id: string): Promise<StepOutcome> {
  const submission = await ctx.store.get(id);
  // A promote or rollback of the submission's version goes first (its pipeline has ended).
  const operation = submission?.operation;
  if (operation && isRunning(operation)) return stepOperation(ctx, id, operation);
  const run = submission?.pipeline;
  if (!submission || !run) return 'ended';
  const next = nextStep(submission.status, run);
  if (next.step === 'wind_down') return windDown(ctx, submission, run);
  if (next.step === 'tell_outcome') {
    if (wasAnnounced(run, next.milestone)) return 'ended';
    return stillTracked(await announce(ctx, submission, run, next.milestone));
  }
  // Past its step's deadline the run fails there, before asking again (watchdog).
  const late = next.step === 'take_turn' ? undefined : overdue(run, ctx.deadlines, new Date());
  if (late) return pastDeadline(ctx, submission, run, late);
  try {
    switch (next.step) {
      case 'take_turn':
        return await takeTurn(ctx, submission, run);
      case 'start_build':
        return await startBuild(ctx, submission, run);
      case 'poll_build':
        return await pollBuild(ctx, submission, run);
      case 'create_version':
        return await createVersion(ctx, submission, run);
      case 'poll_deploy':
        return await pollOperation(ctx, submission, run, 'deploy', next.operation);
      case 'promote':
        return await promote(ctx, submission, run);
      case 'poll_promote':
        return await pollOperation(ctx, submission, run, 'promote', next.operation);
      case 'housekeeping':
        return await housekeep(ctx, submission, run);
      case 'verify':
        return await verify(ctx, submission, run);
    }
  } catch (error) {
    if (!isRefusal(error)) throw error;
    return refused(ctx, id, error);
  }
}

/**
 * Cloud Build or App Engine refused the step for good (no permission, no App Engine
 * application in the project, a version id already taken...): trying again would not
 * help, so the pipeline fails at the step it was on, with the service's own words.
 */
async function refused(ctx: StepContext, id: string, error: ServiceError): Promise<StepOutcome> {
  ctx.log.warn({ err: error }, 'the step was refused');
  // Read again: the step may have saved the run before the call that was refused.
  const submission = await ctx.store.get(id);
  const run = submission?.pipeline;
  if (!submission || !run || !isWorking(submission.status)) return 'unchanged';
  const step = currentStep(run);
  const advice = adviceFor(error, { service: run.service, project: run.project });
  // Google's words first, as a sentence, then what to do about them.
  const words = /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
  const detail = advice ? `${words} ${advice}` : error.message;
  return fail(ctx, submission, endStep(run, step, 'failed', new Date()), { step, detail });
}
