// Housekeeping after a version took all of its service's traffic: once it has stayed healthy
// for the grace period, the service's older versions are stopped (their VMs released) or
// deleted as version-lifecycle.ts decides, one App Engine call per step, and the thread is
// told what was done. Until the grace has passed the step only waits (no call at all).
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { versionRef } from '../../domain/service-operation.ts';
import type { ServiceRecord } from '../../domain/service-record.ts';
import type { Submission } from '../../domain/submission.ts';
import {
  type Housekeeping,
  housekeepingPlan,
  protectedVersions,
  unhealthyBecause,
  type VersionRef,
} from '../../domain/version-lifecycle.ts';
import { isRefusal } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { save } from './record.ts';

export async function housekeep(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  const work = run.housekeeping;
  try {
    if (!work) return await begin(ctx, submission, run);
    if (work.operation) return await follow(ctx, submission, run, work, work.operation);
    return await carryOn(ctx, submission, run, work);
  } catch (error) {
    // Refused (no permission to stop or delete, say): the live version is fine as it is.
    if (!isRefusal(error)) throw error;
    ctx.log.warn({ err: error }, 'housekeeping refused');
    return finish(ctx, submission, run, { ...(work ?? nothingDone()), skipped: error.message });
  }
}

/** After the grace: is the version still healthy and live? Then plan what to stop and delete. */
async function begin(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  const tookTraffic = run.steps.promote.endedAt?.getTime() ?? 0;
  if (Date.now() < tookTraffic + ctx.lifecycle.graceMs) return 'waiting';
  const versions = await ctx.deploys.listVersions(run.project, run.service);
  const record = await serviceRecord(ctx, run);
  const why = notLive(record, run) ?? unhealthyBecause(run.versionId, versions);
  if (why) return finish(ctx, submission, run, { ...nothingDone(), skipped: why });
  const plan = housekeepingPlan(run.versionId, versions, protectedVersions(record), ctx.lifecycle);
  const refs = (ids: string[]) => ids.map((id) => versionRef(record, id));
  const work: Housekeeping = {
    ...nothingDone(),
    state: 'working',
    stop: refs(plan.stop),
    remove: refs(plan.remove),
    keptServing: refs(plan.keptServing),
  };
  ctx.log.info({ stop: plan.stop, remove: plan.remove }, 'housekeeping planned');
  await save(ctx, submission, { ...run, housekeeping: work }, undefined, undefined, []);
  return 'changed';
}

/** Stops the next version to stop, else deletes the next to delete, else ends. */
async function carryOn(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  work: Housekeeping,
): Promise<StepOutcome> {
  const kind = work.stop.length > 0 ? 'stop' : 'delete';
  const next = work.stop[0] ?? work.remove[0];
  if (!next) return finish(ctx, submission, run, work);
  // Read again before each call: another version may have gone live, a rollback started.
  const record = await serviceRecord(ctx, run);
  const why = notLive(record, run);
  if (why) return finish(ctx, submission, run, { ...work, skipped: why });
  const { version } = next;
  if (protectedVersions(record).has(version)) {
    ctx.log.info({ version }, 'housekeeping spares a version an operation needs');
    return saveWork(ctx, submission, run, without(work, version));
  }
  try {
    const { operation } =
      kind === 'stop'
        ? await ctx.deploys.setServingStatus(run.project, run.service, version, 'STOPPED')
        : await ctx.deploys.deleteVersion(run.project, run.service, version);
    return saveWork(ctx, submission, run, {
      ...work,
      operation: { name: operation, version, kind },
    });
  } catch (error) {
    if (!isRefusal(error)) throw error;
    // Another operation on the version runs: later. Anything else: leave that version be.
    if (error.code === 'version_busy') return 'unchanged';
    ctx.log.warn({ err: error, version }, `housekeeping could not ${kind} a version`);
    return saveWork(ctx, submission, run, without(work, version));
  }
}

/** One poll of the stop or delete under way; once it ended, what it did is noted. */
async function follow(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  work: Housekeeping,
  operation: NonNullable<Housekeeping['operation']>,
): Promise<StepOutcome> {
  const state = await ctx.deploys.getOperation(operation.name);
  if (!state.done) return 'unchanged';
  const { version, kind } = operation;
  const item = [...work.stop, ...work.remove].find((ref) => ref.version === version) ?? {
    version,
  };
  const rest = without(work, version);
  if (state.error) {
    ctx.log.warn({ version, error: state.error }, `housekeeping: the ${kind} failed`);
    return saveWork(ctx, submission, run, rest);
  }
  const done =
    kind === 'stop'
      ? { ...rest, stopped: [...rest.stopped, item] }
      : { ...rest, removed: [...rest.removed, item] };
  return saveWork(ctx, submission, run, done);
}

/** Housekeeping is over: stored as done, the thread told when anything was stopped or deleted. */
async function finish(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  work: Housekeeping,
): Promise<StepOutcome> {
  const { operation: _operation, ...rest } = work;
  const done: Housekeeping = { ...rest, state: 'done' };
  if (done.skipped) ctx.log.info({ why: done.skipped }, 'housekeeping: nothing done');
  const told = done.stopped.length + done.removed.length > 0;
  await save(
    ctx,
    submission,
    { ...run, housekeeping: done },
    undefined,
    undefined,
    told ? [{ kind: 'housekeeping', attempt: run.attempt }] : [],
  );
  return 'ended';
}

async function saveWork(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  work: Housekeeping,
): Promise<StepOutcome> {
  // No status message update: the checklist does not change.
  await save(ctx, submission, { ...run, housekeeping: work }, undefined, undefined, []);
  return 'changed';
}

function nothingDone(): Housekeeping {
  return { state: 'working', stop: [], remove: [], keptServing: [], stopped: [], removed: [] };
}

/** The work without `version` to do, and without the operation on it. */
function without(work: Housekeeping, version: string): Housekeeping {
  const { operation: _operation, ...rest } = work;
  const other = (ref: VersionRef) => ref.version !== version;
  return { ...rest, stop: rest.stop.filter(other), remove: rest.remove.filter(other) };
}

/** The run's service record (what is live, a running operation), read from the store. */
export async function serviceRecord(
  ctx: StepContext,
  run: PipelineRun,
): Promise<ServiceRecord | undefined> {
  const [record] = await ctx.store.serviceRecords(run.service, [run.project]);
  return record;
}

function notLive(record: ServiceRecord | undefined, run: PipelineRun): string | undefined {
  const live = record?.live?.version;
  if (live === run.versionId) return undefined;
  return `${run.versionId} is no longer the live version of ${run.service} (${live ?? 'none is'})`;
}
