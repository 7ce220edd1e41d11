// Who owns a deployed service (a target project + App Engine service id), what is live on
// it, and what was deployed before. The first approved submission for a free service
// claims it for its partner; only the owner (or a member of the owning team) may submit
// for it afterwards, until an approver transfers it. Pure data and pure rules.
import type { ServiceOperation } from './service-operation.ts';
import type { Actor } from './submission.ts';
import { SPEC_CATALOGUE, type SubmissionSpec } from './submission-spec/index.ts';

/** What is live on a service: the version and the revision it was built from. */
export interface LiveVersion {
  version: string;
  /** The partner image the version was built from, as the spec names it. */
  image: string;
  /** The digest that image named when it was approved (absent when approved by tag). */
  digest?: string;
  submissionId: string;
  revision: number;
  /** The spec that went live, kept so a later update can be compared with it field by field. */
  spec: SubmissionSpec;
  at: Date;
}

/** One version deployed on the service, newest last. */
export interface VersionHistoryEntry {
  submissionId: string;
  revision: number;
  version: string;
  at: Date;
}

export interface ServiceRecord {
  project: string;
  service: string;
  owner: Actor;
  /** A Slack user group (S…) whose members count as owners, so a departed owner's service is not orphaned. */
  team?: string;
  /** The submission whose approval claimed the service. */
  claimedBy: { submissionId: string; revision: number };
  live?: LiveVersion;
  /** Bounded: the last MAX_HISTORY versions, oldest first. */
  history: VersionHistoryEntry[];
  /**
   * The promote or rollback in progress, or the last one. While it runs, its versions are
   * never stopped or deleted (version-lifecycle.ts).
   */
  operation?: ServiceOperation;
  createdAt: Date;
  updatedAt: Date;
}

/** Versions kept in a record's history (the record stays one small document). */
export const MAX_HISTORY = 20;

/** The record's document id: `<project>~<service>` (neither may hold a `~`). */
export function serviceKey(project: string, service: string): string {
  return `${project}~${service}`;
}

/** A new record: the partner of the submission being approved claims the free service. */
export function claimService(input: {
  project: string;
  service: string;
  owner: Actor;
  submissionId: string;
  revision: number;
  at: Date;
}): ServiceRecord {
  const { project, service, owner, submissionId, revision, at } = input;
  return {
    project,
    service,
    owner,
    claimedBy: { submissionId, revision },
    history: [],
    createdAt: at,
    updatedAt: at,
  };
}

/**
 * Whether `userId` may deploy to the service: it is free, theirs, or they are in its team
 * (`inTeam` says whether they are a member of `record.team`, which only Slack knows).
 */
export function mayUseService(
  record: ServiceRecord | undefined,
  userId: string,
  inTeam = false,
): boolean {
  return !record || record.owner.userId === userId || (record.team !== undefined && inTeam);
}

/** The record once `live` went live: the live version replaced, the history extended (bounded). */
export function withLive(record: ServiceRecord, live: LiveVersion): ServiceRecord {
  const entry: VersionHistoryEntry = {
    submissionId: live.submissionId,
    revision: live.revision,
    version: live.version,
    at: live.at,
  };
  return {
    ...record,
    live,
    history: [...record.history, entry].slice(-MAX_HISTORY),
    updatedAt: live.at,
  };
}

/** How a person reads an owner in plain text (modal errors cannot mention). */
export function ownerName(owner: Actor): string {
  return owner.name ? `@${owner.name}` : owner.userId;
}

/** What a partner reads when the service they name is someone else's: who, where, what to do. */
export function serviceOwnedMessage(record: ServiceRecord): string {
  const team = record.team ? ` (team ${record.team})` : '';
  return `"${record.service}" is owned by ${ownerName(record.owner)}${team} in ${record.project}: ask them to submit it, or ask an approver to run /playground transfer ${record.service} @you`;
}

/**
 * A submission that updates what is live on a service its partner owns: which version it
 * replaces, and the live spec to compare with. Kept on the revision, as it was at submit.
 */
export interface UpdateOfLive {
  project: string;
  /** Why this project: the default target project, or the only one where the service is live. */
  chosen: 'default_project' | 'only_project' | 'first_project';
  live: LiveVersion;
}

/**
 * The live version an update is compared with: the one in the default target project (the
 * first), else the one project where the service is live, else the first in project order.
 */
export function updateOfLive(
  owned: readonly ServiceRecord[],
  targetProjects: readonly string[],
): UpdateOfLive | undefined {
  const live = targetProjects
    .map((project) => owned.find((r) => r.project === project && r.live))
    .filter((r): r is ServiceRecord & { live: LiveVersion } => r?.live !== undefined);
  const first = live[0];
  if (!first) return undefined;
  const chosen =
    first.project === targetProjects[0]
      ? 'default_project'
      : live.length === 1
        ? 'only_project'
        : 'first_project';
  return { project: first.project, chosen, live: first.live };
}

/** One line of a service's own audit trail: claimed, went live, transferred, refused. */
export interface ServiceEvent {
  at: Date;
  actor: Actor;
  action: 'claim' | 'live' | 'transfer' | 'refused' | 'promote' | 'rollback';
  requestId?: string;
  detail?: string;
}

/** One field an update changes: its spec path, and the old and new values as text. */
export interface SpecChange {
  path: string;
  before: string;
  after: string;
}

/** The fields compared: every field of the spec but the service id (the same by definition), in catalogue order. */
const COMPARED: readonly string[] = SPEC_CATALOGUE.map((field) => field.path).filter(
  (path) => path !== 'service',
);

/** What an update changes against what is live: only the fields that differ, old → new. */
export function specChanges(live: SubmissionSpec, next: SubmissionSpec): SpecChange[] {
  return COMPARED.flatMap((path) => {
    const before = valueAt(live, path);
    const after = valueAt(next, path);
    return before === after ? [] : [{ path, before, after }];
  });
}

/** The value at a dotted path as text; `(none)` when it is not set (an old spec may lack it). */
function valueAt(spec: SubmissionSpec, path: string): string {
  let value: unknown = spec;
  for (const key of path.split('.')) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value === undefined || value === '' ? '(none)' : String(value);
}
