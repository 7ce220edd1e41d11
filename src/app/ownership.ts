// Who may submit for which service, and what a submission updates: the rules the submit,
// resubmit and approve use cases share. A service is owned per target project; a partner
// may submit for a service only where it is free, theirs, or their team's.
import {
  mayUseService,
  type ServiceRecord,
  serviceOwnedMessage,
  type UpdateOfLive,
  updateOfLive,
} from '../domain/service-record.ts';
import type { Actor, Submission } from '../domain/submission.ts';
import { currentRevision } from '../domain/submission.ts';
import type { SpecIssue, SubmissionSpec } from '../domain/submission-spec/index.ts';
import type { UserGroups } from '../ports/services.ts';
import type { AppDeps } from './context.ts';
import type { RefusedApproval } from './outcomes.ts';

/** The configuration the rules need: where services live, which ids are kept, who is in a team. */
export interface Ownership {
  /** PLAYGROUND_TARGET_PROJECTS: the first is the default. */
  targetProjects: readonly string[];
  /** PLAYGROUND_RESERVED_SERVICES (`default` is refused whatever this holds). */
  reservedServices: readonly string[];
  teams: UserGroups;
}

type Deps = Pick<AppDeps, 'services' | 'ownership' | 'logger'>;

/** What is wrong with a `--project` a command named: undefined when it is a target project. */
export function notATargetProject(ownership: Ownership, project: string): string | undefined {
  const { targetProjects } = ownership;
  if (targetProjects.includes(project)) return undefined;
  return `${project} is not a target project (${targetProjects.join(', ')})`;
}

/** Whether `userId` may deploy to the service the record holds (theirs, their team's or free). */
async function mayUse(deps: Deps, record: ServiceRecord | undefined, userId: string) {
  const inTeam = record?.team ? await deps.ownership.teams.includes(record.team, userId) : false;
  return mayUseService(record, userId, inTeam);
}

/**
 * At submit and resubmit: refused (a `service` field problem naming the owner, and `audit`
 * that logs it and writes it to the service's trail, which may wait until the partner has
 * the answer) when the service is someone else's in any target project; otherwise what it
 * updates, when the partner's service is live.
 */
export async function checkOwnership(
  deps: Deps,
  actor: Actor,
  spec: SubmissionSpec,
  requestId: string,
): Promise<{ refused: SpecIssue; audit: () => Promise<void> } | { updateOf?: UpdateOfLive }> {
  const { targetProjects } = deps.ownership;
  const records = await deps.services.serviceRecords(spec.service, targetProjects);
  for (const record of records) {
    if (await mayUse(deps, record, actor.userId)) continue;
    const detail = `submit: owned by ${record.owner.userId}`;
    return {
      refused: { path: 'service', message: serviceOwnedMessage(record) },
      audit: () => refuseOnService(deps, record, actor, requestId, detail),
    };
  }
  const updateOf = updateOfLive(records, targetProjects);
  return updateOf ? { updateOf } : {};
}

/** At approval: whether the submission's partner is in the team that owns its service there. */
export async function partnerInTeam(deps: Deps, submission: Submission, project: string) {
  const { service } = currentRevision(submission).spec;
  const [record] = await deps.services.serviceRecords(service, [project]);
  return record?.team
    ? deps.ownership.teams.includes(record.team, submission.partner.userId)
    : false;
}

/**
 * An approval the store refused because the service is someone else's in that project:
 * audited on the submission and the service, answered with who owns it.
 */
export async function refusedOwned(
  deps: Deps & Pick<AppDeps, 'store'>,
  actor: Actor,
  submission: Submission,
  project: string,
  requestId: string,
): Promise<RefusedApproval> {
  const { service } = currentRevision(submission).spec;
  const [record] = await deps.services.serviceRecords(service, [project]);
  const owner = record?.owner ?? { userId: 'someone else' };
  const detail = `approve into ${project}: ${service} is owned by ${owner.userId}`;
  try {
    await deps.store.recordRefusal(submission.id, {
      actor,
      requestId: `${requestId}:owned`,
      detail,
    });
  } catch (error) {
    deps.logger.error({ err: error, submissionId: submission.id }, 'could not audit a refusal');
  }
  if (record) await refuseOnService(deps, record, actor, requestId, detail);
  return {
    kind: 'refused',
    action: 'approve',
    rule: { name: 'service_owned', project, service, owner },
  };
}

/** Logs a refused attempt on a service and writes it to the service's trail. */
export async function refuseOnService(
  deps: Deps,
  record: Pick<ServiceRecord, 'project' | 'service'>,
  actor: Actor,
  requestId: string,
  detail: string,
): Promise<void> {
  const { project, service } = record;
  deps.logger.warn({ project, service, userId: actor.userId, requestId, detail }, 'refused');
  try {
    await deps.services.recordServiceRefusal(project, service, { actor, requestId, detail });
  } catch (error) {
    // The refusal stands even when it cannot be written down.
    deps.logger.error({ err: error, project, service }, 'could not audit a refusal');
  }
}
