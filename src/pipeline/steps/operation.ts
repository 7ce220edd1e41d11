// A promote or rollback, one call at a time like a pipeline step: start the target when it
// is stopped (and poll until it serves), then move all the traffic to it (and poll until
// moved). Every change is saved with its status message; the end also replies in the thread.
import { formatDuration } from '../../domain/duration.ts';
import type { OperationRun } from '../../domain/service-operation.ts';
import { operationMessages } from '../../ports/notifier.ts';
import { isRefusal } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';

/** PLAYGROUND_ROLLBACK_DEADLINE's default: starting the target and moving traffic, together. */
export const ROLLBACK_DEADLINE_MS = 10 * 60_000;

/** The submission's operation in progress (`run`): its one next call. */
export async function stepOperation(
  ctx: StepContext,
  id: string,
  run: OperationRun,
): Promise<StepOutcome> {
  const deadlineMs = ctx.rollbackDeadlineMs ?? ROLLBACK_DEADLINE_MS;
  const waited = Date.now() - run.startedAt.getTime();
  if (waited > deadlineMs) {
    const what = run.phase === 'starting' ? `${run.to.version} to start` : 'the traffic to move';
    const failure = `Waited ${formatDuration(waited)} for ${what} (the deadline is ${formatDuration(deadlineMs)}, PLAYGROUND_ROLLBACK_DEADLINE); App Engine has not finished.`;
    return end(ctx, id, { ...run, phase: 'failed', failure });
  }
  try {
    return run.phase === 'starting' ? await start(ctx, id, run) : await promote(ctx, id, run);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    ctx.log.warn({ err: error }, 'App Engine refused the operation');
    return end(ctx, id, { ...run, phase: 'failed', failure: error.message });
  }
}

/** A stopped target: ask for it to serve, then poll until it does. */
async function start(ctx: StepContext, id: string, run: OperationRun): Promise<StepOutcome> {
  const { project, service } = run;
  if (!run.startOperation) {
    const { operation } = await ctx.deploys.setServingStatus(
      project,
      service,
      run.to.version,
      'SERVING',
    );
    await save(ctx, id, { ...run, startOperation: operation });
    return 'changed';
  }
  const state = await ctx.deploys.getOperation(run.startOperation);
  if (!state.done) return 'unchanged';
  if (state.error) return end(ctx, id, { ...run, phase: 'failed', failure: state.error.message });
  const url = state.versionUrl ?? run.versionUrl;
  await save(ctx, id, { ...run, phase: 'promoting', ...(url ? { versionUrl: url } : {}) });
  return 'changed';
}

/** A serving target: move all the traffic to it (a repeat moves it again, harmlessly). */
async function promote(ctx: StepContext, id: string, run: OperationRun): Promise<StepOutcome> {
  if (!run.promoteOperation) {
    const { operation } = await ctx.deploys.promote(run.project, run.service, run.to.version);
    await save(ctx, id, { ...run, promoteOperation: operation });
    return 'changed';
  }
  const state = await ctx.deploys.getOperation(run.promoteOperation);
  if (!state.done) return 'unchanged';
  if (state.error) return end(ctx, id, { ...run, phase: 'failed', failure: state.error.message });
  return end(ctx, id, { ...run, phase: 'done' });
}

function save(ctx: StepContext, id: string, run: OperationRun) {
  return ctx.store.saveOperation(id, ctx.owner, run, operationMessages(run.id, false));
}

/** Done or failed: the record learns it, the thread is told; the pipeline (if any) goes on. */
async function end(ctx: StepContext, id: string, run: OperationRun): Promise<StepOutcome> {
  const ended = { ...run, endedAt: new Date() };
  await ctx.store.saveOperation(id, ctx.owner, ended, operationMessages(run.id, true));
  ctx.log.info({ operation: run.id, kind: run.kind, phase: run.phase }, 'operation ended');
  return 'changed';
}
