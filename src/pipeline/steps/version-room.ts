// Room under App Engine's per-application version limit, made before a version is created:
// the application's versions counted, and when within the margin of the limit the service's
// oldest stopped versions deleted (as version-lifecycle.ts decides), one App Engine call per
// step, said in the submission's thread; when that cannot make room, the deploy fails with
// what to do. A create App Engine refuses for the limit comes back here too.
import { GRPC } from '../../domain/grpc-status.ts';
import { type PipelineRun, versionsConsoleUrl } from '../../domain/pipeline-run.ts';
import { endStep } from '../../domain/run-transitions.ts';
import { versionRef } from '../../domain/service-operation.ts';
import type { Submission } from '../../domain/submission.ts';
import {
  APP_ENGINE_VERSION_LIMIT,
  protectedVersions,
  roomPlan,
  type VersionRoom,
} from '../../domain/version-lifecycle.ts';
import { isRefusal } from '../../ports/service-error.ts';
import type { StepContext, StepOutcome } from './context.ts';
import { serviceRecord } from './lifecycle.ts';
import { fail, save } from './record.ts';

const LIMIT = APP_ENGINE_VERSION_LIMIT;

/**
 * One step towards room for the run's version: undefined once there is room (the create
 * may be asked for), else what this step did.
 */
export async function makeRoom(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome | undefined> {
  const room = run.versionRoom?.attempt === run.attempt ? run.versionRoom : undefined;
  if (room?.ready) return undefined;
  if (!room) {
    const count = await ctx.deploys.countVersions(run.project);
    const near = count >= LIMIT.max - LIMIT.margin;
    if (near) ctx.log.info({ count, limit: LIMIT.max }, 'near the version limit');
    return saveRoom(ctx, submission, run, {
      attempt: run.attempt,
      count,
      removed: [],
      ...(near ? {} : { ready: true }),
    });
  }
  if (room.operation) return follow(ctx, submission, run, room, room.operation);
  if (!room.remove) {
    const versions = await versionsOf(ctx, run);
    const record = await serviceRecord(ctx, run);
    const plan = roomPlan(room.count, versions, protectedVersions(record), LIMIT);
    const remove = (plan?.remove ?? []).map((id) => versionRef(record, id));
    return saveRoom(ctx, submission, run, { ...room, remove });
  }
  const [next, ...rest] = room.remove;
  if (next) {
    // Read again before the call: a rollback may need the version by now.
    if (protectedVersions(await serviceRecord(ctx, run)).has(next.version)) {
      return saveRoom(ctx, submission, run, { ...room, remove: rest });
    }
    try {
      const { operation } = await ctx.deploys.deleteVersion(run.project, run.service, next.version);
      return saveRoom(ctx, submission, run, {
        ...room,
        operation: { name: operation, version: next.version },
      });
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (error.code === 'version_busy') return 'unchanged';
      ctx.log.warn({ err: error, version: next.version }, 'could not delete a stopped version');
      return saveRoom(ctx, submission, run, { ...room, remove: rest });
    }
  }
  const left = room.count - room.removed.length;
  if (left >= LIMIT.max) {
    const failed = endStep(run, 'deploy', 'failed', new Date());
    return fail(ctx, submission, failed, { step: 'deploy', detail: noRoom(run, room, left) });
  }
  const ready = { ...room, ready: true };
  const messages =
    room.removed.length > 0 ? [{ kind: 'version_room' as const, attempt: run.attempt }] : [];
  await save(ctx, submission, { ...run, versionRoom: ready }, undefined, undefined, messages);
  return 'changed';
}

/**
 * App Engine refused the create for the limit (it counts versions being created, or another
 * deploy came first): make room again as if the application held the most versions.
 */
export async function refusedForLimit(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
): Promise<StepOutcome> {
  ctx.log.info('App Engine refused the create for its version limit');
  const { deployRequestedAt: _asked, ...unasked } = run;
  const steps = { ...run.steps, deploy: { state: 'pending' as const } };
  const room: VersionRoom = { attempt: run.attempt, count: LIMIT.max, removed: [] };
  return saveRoom(ctx, submission, { ...unasked, steps }, room);
}

/** One poll of the delete under way; once it ended, the version is noted as deleted. */
async function follow(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  room: VersionRoom,
  operation: NonNullable<VersionRoom['operation']>,
): Promise<StepOutcome> {
  const state = await ctx.deploys.getOperation(operation.name);
  if (!state.done) return 'unchanged';
  const { operation: _done, ...rest } = room;
  const [deleted, ...remove] = room.remove ?? [];
  if (state.error) {
    ctx.log.warn({ version: operation.version, error: state.error }, 'a delete failed');
    return saveRoom(ctx, submission, run, { ...rest, remove });
  }
  const removed = [...room.removed, deleted ?? { version: operation.version }];
  return saveRoom(ctx, submission, run, { ...rest, remove, removed });
}

/** The service's versions; none when it has none yet (App Engine knows no such service). */
async function versionsOf(ctx: StepContext, run: PipelineRun) {
  try {
    return await ctx.deploys.listVersions(run.project, run.service);
  } catch (error) {
    if (isRefusal(error) && error.grpcCode === GRPC.NOT_FOUND) return [];
    throw error;
  }
}

async function saveRoom(
  ctx: StepContext,
  submission: Submission,
  run: PipelineRun,
  room: VersionRoom,
): Promise<StepOutcome> {
  await save(ctx, submission, { ...run, versionRoom: room }, undefined, undefined, []);
  return 'changed';
}

/** Why the deploy cannot go on, and what to do. */
function noRoom(run: PipelineRun, room: VersionRoom, left: number): string {
  const console = versionsConsoleUrl(run.project);
  const deleted = room.removed.length;
  const why =
    deleted > 0
      ? `even after deleting ${deleted} stopped version${deleted === 1 ? '' : 's'} of ${run.service}`
      : `and ${run.service} has no stopped version to delete`;
  return `The application in ${run.project} holds ${left} of App Engine's ${LIMIT.max} versions ${why}: delete versions of other services (${console}) and retry.`;
}
