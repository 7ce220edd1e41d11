// The first step of every attempt: its turn on the service (one pipeline per target project
// and service at a time). A waiting attempt shows whom it waits for in its status message
// and is asked again on the scheduler's backoff; nothing here calls Cloud Build or App Engine.
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { holdingRun, waitingRun } from '../../domain/service-turn.ts';
import type { Submission } from '../../domain/submission.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { save } from './record.ts';

export async function takeTurn(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  const claim = await ctx.store.claimTurn(submission.id);
  const now = new Date();
  switch (claim.kind) {
    case 'ended':
      // Cancelled meanwhile: the next step reads it again and winds it down.
      return 'changed';
    case 'holding': {
      const holding = holdingRun(run, now);
      await save(ctx, submission, holding);
      if (holding.turn?.state === 'holding' && holding.turn.waited) {
        ctx.log.info({ waitedFor: holding.turn.waited.for }, 'service free: pipeline starts');
      }
      return 'changed';
    }
    case 'waiting': {
      if (run.turn?.state === 'waiting' && run.turn.for === claim.for) return 'waiting';
      // The status message is posted now (or updated), saying whom it waits for.
      const waiting = waitingRun(run, claim.for, now);
      await save(ctx, submission, waiting, undefined, undefined, [
        { kind: 'status', attempt: run.attempt },
      ]);
      ctx.log.info({ waitingFor: claim.for }, 'waiting for the service');
      return 'waiting';
    }
  }
}
