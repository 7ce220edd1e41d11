import { randomUUID } from 'node:crypto';
// Promote and roll back, for approvers: move a service's traffic to a version its pipeline
// deployed without traffic (Promote on the live message), or back to the previous serving
// version or a named one (Roll back, `/playground rollback SERVICE [--project P] [VERSION]`).
// Asking gives a confirmation that binds from → to (plan*); confirming begins a recorded
// operation that the tracker drives (confirmOperation). Every refusal is audited on the
// service's trail.
import {
  type OperationKind,
  type OperationPlan,
  promotePlan,
  repeats,
  rollbackPlan,
  type ServiceOperation,
  servingVersion,
} from '../domain/service-operation.ts';
import type { ServiceRecord } from '../domain/service-record.ts';
import type { Submission } from '../domain/submission.ts';
import type { DeployPort, VersionSummary } from '../ports/deploy.ts';
import type { OperationStore } from '../ports/operations.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type Result } from './outcomes.ts';
import { notATargetProject, refuseOnService } from './ownership.ts';

/** What the confirmation binds: the move as it was shown, and when it was shown. */
export interface OperationAsk {
  kind: OperationKind;
  project: string;
  service: string;
  plan: Extract<OperationPlan, { kind: 'plan' }>;
  /** The record's live version when asked: another one by the time it is confirmed is stale. */
  live?: string;
  opened: Date;
}

/** Why no operation can begin (shared by asking and confirming). */
export type OperationRefusal =
  /** Not an approver, or not one of the project's own approvers. */
  | { kind: 'refused'; project?: string; approvers?: readonly string[] }
  | { kind: 'usage'; problem: string }
  /** Promote: the submission has no live version (not deployed, or another state). */
  | { kind: 'not_live'; id: string }
  | { kind: 'unknown_service'; service: string; project: string }
  /** A promote or rollback already runs on the service (or this one just ended). */
  | { kind: 'running'; operation: ServiceOperation; repeat: boolean }
  /** A pipeline deploys the service, or waits to: it goes first. */
  | { kind: 'busy'; submissionId: string; service: string; project: string }
  /** The service changed since the confirmation was shown. */
  | { kind: 'stale'; ask: OperationAsk; serving?: string }
  | Exclude<OperationPlan, { kind: 'plan' }>;

export type AskOutcome = Done<{ ask: OperationAsk }> | OperationRefusal;
export type ConfirmOutcome = Done<{ ask: OperationAsk; submission: Submission }> | OperationRefusal;

type Deps = Pick<AppDeps, 'access' | 'services' | 'ownership' | 'logger' | 'ops' | 'pipeline'>;

function ops(deps: Deps): { deploys: DeployPort; store: OperationStore } {
  if (!deps.ops) throw new Error('promote and roll back need App Engine and the operation store');
  return deps.ops;
}

/**
 * `/playground rollback SERVICE [--project P] [VERSION]`, and the Roll back button (on a
 * live message: `id` names its submission, whose service and project it is): the move a
 * rollback would make.
 */
export async function askRollback(
  deps: Deps & Pick<AppDeps, 'store'>,
  input: UserRequest & ({ service: string; project?: string; version?: string } | { id: string }),
): Promise<Result<AskOutcome>> {
  const named = 'id' in input ? await serviceOf(deps, input.id) : input;
  if (!named)
    return { outcome: { kind: 'usage', problem: 'That submission has no deployed version' } };
  const { service, version } = named;
  const project = named.project ?? deps.ownership.targetProjects[0] ?? '';
  if (!service) return { outcome: { kind: 'usage', problem: 'Name the service to roll back' } };
  const problem = notATargetProject(deps.ownership, project);
  if (problem) return { outcome: { kind: 'usage', problem } };
  const found = await operable(deps, input, project, service, 'rollback');
  if ('kind' in found) return { outcome: found };
  const { record, listed } = found;
  const plan = rollbackPlan(record, listed, version);
  return answer(deps, input, record, 'rollback', plan);
}

/** The service and project a submission deployed to, from its pipeline run. */
async function serviceOf(
  deps: Pick<AppDeps, 'store'>,
  id: string,
): Promise<{ service: string; project: string; version?: string } | undefined> {
  const run = (await deps.store.get(id))?.pipeline;
  return run && { service: run.service, project: run.project };
}

/** The Promote button on a live message: move all traffic to that run's version. */
export async function askPromote(
  deps: Deps & Pick<AppDeps, 'store'>,
  input: UserRequest & { id: string },
): Promise<Result<AskOutcome>> {
  const submission = await deps.store.get(input.id);
  const run = submission?.pipeline;
  if (!submission || !run || submission.status !== 'live') {
    return { outcome: { kind: 'not_live', id: input.id } };
  }
  const found = await operable(deps, input, run.project, run.service, 'promote');
  if ('kind' in found) return { outcome: found };
  const { record, listed } = found;
  const to = { version: run.versionId, submissionId: submission.id, revision: submission.revision };
  return answer(deps, input, record, 'promote', promotePlan(record, listed, to));
}

/**
 * The service's record and App Engine's versions of it, when the service is known and
 * `actor` may move its traffic; else the refusal (audited).
 */
async function operable(
  deps: Deps,
  { actor, requestId }: UserRequest,
  project: string,
  service: string,
  kind: OperationKind,
): Promise<{ record: ServiceRecord; listed: VersionSummary[] } | OperationRefusal> {
  const [record] = await deps.services.serviceRecords(service, [project]);
  if (!record) return { kind: 'unknown_service', service, project };
  const rule = await deps.access.mayMoveTraffic(actor, project);
  if (rule !== undefined) {
    const detail = `${kind} ${service}: ${rule.approvers ? `not an approver of ${project}` : 'not an approver'}`;
    await refuseOnService(deps, record, actor, requestId, detail);
    return { kind: 'refused', ...rule };
  }
  return { record, listed: await ops(deps).deploys.listVersions(project, service) };
}

/** The plan as the confirmation to show, or why there is nothing to confirm (audited). */
async function answer(
  deps: Deps,
  { actor, requestId }: UserRequest,
  record: ServiceRecord,
  kind: OperationKind,
  plan: OperationPlan,
): Promise<Result<AskOutcome>> {
  const running = record.operation?.state === 'running' ? record.operation : undefined;
  if (running) return { outcome: { kind: 'running', operation: running, repeat: false } };
  if (plan.kind !== 'plan') {
    await refuseOnService(deps, record, actor, requestId, `${kind}: ${plan.kind}`);
    return { outcome: plan };
  }
  const { project, service } = record;
  const live = record.live?.version;
  const ask: OperationAsk = {
    kind,
    project,
    service,
    plan,
    ...(live ? { live } : {}),
    opened: new Date(),
  };
  return { outcome: done({ ask }) };
}

/**
 * The confirmation sent: checked again against App Engine (what serves, whether the target
 * is stopped) and the store (in its transaction), then begun; the tracker takes it from
 * there. A repeat (a second form, Slack retrying the request) begins nothing.
 */
export async function confirmOperation(
  deps: Deps,
  input: UserRequest & { ask: OperationAsk },
): Promise<Result<ConfirmOutcome>> {
  const { actor, requestId, ask } = input;
  const { project, service, kind } = ask;
  const found = await operable(deps, input, project, service, kind);
  if ('kind' in found) return { outcome: found };
  const { record, listed } = found;
  const serving = servingVersion(listed)?.id;
  const target = listed.find((v) => v.id === ask.plan.to.version);
  const stale = async (why: string) => {
    await refuseOnService(deps, record, actor, requestId, `${kind}: stale, ${why}`);
    return { outcome: { kind: 'stale' as const, ask, ...(serving ? { serving } : {}) } };
  };
  // A repeat (running, or just done by this very move) is the store's to answer; anything
  // else must find App Engine as the confirmation showed it.
  const last = record.operation;
  const move = { to: ask.plan.to.version, opened: ask.opened, from: ask.plan.from?.version };
  if (last?.state !== 'running' && !repeats(last, move)) {
    if (serving !== ask.plan.from?.version) return stale(`${serving ?? 'nothing'} serves now`);
    if (!target) return stale(`${ask.plan.to.version} is gone`);
  }
  const plan = { ...ask.plan, start: target?.servingStatus === 'STOPPED' };
  const begun = await ops(deps).store.beginOperation({
    // Letters and digits: the operation's messages are keyed by it.
    id: randomUUID().replaceAll('-', '').slice(0, 16),
    kind,
    project,
    service,
    plan,
    by: actor,
    requestId,
    opened: ask.opened,
    ...(ask.live ? { live: ask.live } : {}),
  });
  switch (begun.kind) {
    case 'started':
      deps.logger.info(
        { project, service, kind, operation: begun.operation.id },
        'operation begun',
      );
      return {
        outcome: done({ ask: { ...ask, plan }, submission: begun.submission }),
        afterwards: () => deps.pipeline.operate(begun.submission),
      };
    case 'running':
      return { outcome: begun };
    case 'busy':
      await refuseOnService(
        deps,
        record,
        actor,
        requestId,
        `${kind}: ${begun.submissionId} deploys ${service}`,
      );
      return { outcome: { ...begun, service, project } };
    case 'stale':
      return stale(`${begun.live ?? 'nothing'} is live now`);
    case 'missing':
      return { outcome: { kind: 'unknown_service', service, project } };
  }
}
