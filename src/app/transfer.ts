// An approver gives a service to another partner: `/playground transfer SERVICE @user
// [--project P]`. Audited on the service's own trail (refusals too); the old and the new
// owner are told through the outbox of the submission that last deployed it.
import type { Actor } from '../domain/submission.ts';
import { type ServiceTransfer, transferMessages } from '../ports/notifier.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type Result } from './outcomes.ts';
import { notATargetProject, refuseOnService } from './ownership.ts';

interface TransferRequest extends UserRequest {
  /** The service id as typed; empty when none was given. */
  service: string;
  /** The new owner, from a mention; undefined when none was given. */
  to?: Actor;
  /** The Slack user group (S…) that owns it with them, when one is given. */
  team?: string;
  project?: string;
}

export type TransferOutcome =
  | Done<{ transfer: ServiceTransfer; team?: string; applied: boolean }>
  | { kind: 'refused' }
  /** Something to name is missing or wrong: `problem` says what. */
  | { kind: 'usage'; problem: string }
  | { kind: 'unknown_service'; service: string; projects: readonly string[] }
  /** Owned in several target projects and no `--project` said which. */
  | { kind: 'ambiguous'; service: string; projects: readonly string[] };

export async function transfer(
  deps: Pick<AppDeps, 'access' | 'services' | 'ownership' | 'logger'>,
  input: TransferRequest,
): Promise<Result<TransferOutcome>> {
  const { actor, requestId, service, to, team, project } = input;
  const { targetProjects } = deps.ownership;
  const projects = project ? [project] : targetProjects;
  if (!(await deps.access.isApprover(actor.userId))) {
    // On the trail of every record the attempt names (none when the service has none).
    const records = service ? await deps.services.serviceRecords(service, projects) : [];
    const detail = `transfer ${service || '(no service)'}${to ? ` to ${to.userId}` : ''}: not an approver`;
    for (const record of records) await refuseOnService(deps, record, actor, requestId, detail);
    if (records.length === 0) deps.logger.warn({ userId: actor.userId, detail }, 'refused');
    return { outcome: { kind: 'refused' } };
  }
  if (!service) return { outcome: { kind: 'usage', problem: 'Name the service to transfer' } };
  if (!to) return { outcome: { kind: 'usage', problem: 'Name the new owner as @user' } };
  const problem = project ? notATargetProject(deps.ownership, project) : undefined;
  if (problem) return { outcome: { kind: 'usage', problem } };
  const records = await deps.services.serviceRecords(service, projects);
  const [record, ...more] = records;
  if (!record) return { outcome: { kind: 'unknown_service', service, projects } };
  if (more.length > 0) {
    return { outcome: { kind: 'ambiguous', service, projects: records.map((r) => r.project) } };
  }
  const result = await deps.services.transferService({
    project: record.project,
    service,
    to,
    ...(team ? { team } : {}),
    actor,
    requestId,
    messages: (before, seq) =>
      transferMessages({ ...place(before), from: before.owner, to, by: actor }, seq),
  });
  const { before, after, applied } = result;
  deps.logger.info(
    { ...place(before), from: before.owner.userId, to: to.userId, applied, requestId },
    'transferred',
  );
  return {
    outcome: done({
      transfer: { ...place(before), from: before.owner, to, by: actor },
      ...(after.team ? { team: after.team } : {}),
      applied,
    }),
  };
}

function place(record: { project: string; service: string }) {
  return { project: record.project, service: record.service };
}
