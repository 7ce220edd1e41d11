/**
 * Which versions of a service to stop or delete, as pure decisions: housekeeping once a new
 * version has taken all traffic and stayed healthy, and making room before a deploy when the
 * application nears App Engine's version limit. The steps in src/pipeline make the calls.
 */
import { z } from 'zod';

/** How many of a service's previous versions (all but the live one) are kept. */
export interface LifecyclePolicy {
  /** Previous versions left serving, newest first: instant rollback targets. */
  keepRunning: number;
  /** Previous versions kept at all, serving or stopped, newest first; older ones are deleted. */
  keepVersions: number;
}

/** A version as App Engine lists it (the fields decided on). */
export interface VersionFacts {
  id: string;
  servingStatus: 'SERVING' | 'STOPPED';
  createTime: Date | undefined;
  /** Its share of the service's traffic, 0 to 1. */
  traffic: number;
}

/** What of a service record protects versions: the live one, a running operation's. */
export interface VersionGuards {
  live?: { version: string };
  operation?: { state: 'running' | 'done' | 'failed'; to: string; from?: string };
}

/** Versions nobody may stop or delete now: the live one, and those a running operation needs. */
export function protectedVersions(guards: VersionGuards | undefined): Set<string> {
  const spared = new Set<string>();
  if (guards?.live) spared.add(guards.live.version);
  const operation = guards?.operation;
  if (operation?.state === 'running') {
    spared.add(operation.to);
    if (operation.from) spared.add(operation.from);
  }
  return spared;
}

/**
 * Why `live` is not healthy enough to clean up after, or undefined when it is: it must be
 * listed, serving, and hold all of the service's traffic.
 */
export function unhealthyBecause(live: string, versions: readonly VersionFacts[]) {
  const version = versions.find((v) => v.id === live);
  if (!version) return `${live} is no longer listed`;
  if (version.servingStatus !== 'SERVING') return `${live} is ${version.servingStatus}`;
  if (version.traffic < 1)
    return `${live} holds ${Math.round(version.traffic * 100)}% of the traffic`;
  return undefined;
}

export interface HousekeepingPlan {
  /** Serving versions beyond the ones kept serving: stopped (their VMs released). */
  stop: string[];
  /** Versions beyond the retention: deleted. */
  remove: string[];
  /** Previous versions left serving for a rollback. */
  keptServing: string[];
}

/**
 * What to do with the service's previous versions once `live` took all traffic: the newest
 * `keepRunning` serving ones stay; older serving ones within the newest `keepVersions` are
 * stopped; any beyond those are deleted. Versions in `spared`, or with a share of the
 * traffic, are left alone (they still count in the retention).
 */
export function housekeepingPlan(
  live: string,
  versions: readonly VersionFacts[],
  spared: ReadonlySet<string>,
  policy: LifecyclePolicy,
): HousekeepingPlan {
  const previous = newestFirst(versions.filter((v) => v.id !== live));
  const plan: HousekeepingPlan = { stop: [], remove: [], keptServing: [] };
  previous.forEach((version, index) => {
    if (spared.has(version.id) || version.traffic > 0) return;
    const serving = version.servingStatus === 'SERVING';
    if (serving && plan.keptServing.length < policy.keepRunning) {
      plan.keptServing.push(version.id);
    } else if (index >= policy.keepVersions) {
      plan.remove.push(version.id);
    } else if (serving) {
      plan.stop.push(version.id);
    }
  });
  return plan;
}

/** App Engine's most versions per application, and how close to it a deploy makes room first. */
export interface VersionLimit {
  max: number;
  margin: number;
}

/** https://cloud.google.com/appengine/docs/standard/quotas#Deployments: 210 versions per app (paid). */
export const APP_ENGINE_VERSION_LIMIT: VersionLimit = { max: 210, margin: 10 };

export interface RoomPlan {
  /** This service's stopped versions to delete first, oldest first. */
  remove: string[];
  /** Whether the create can go through once they are deleted (under the limit). */
  enough: boolean;
}

/**
 * Before creating a version in an application holding `count` versions: nothing when it is
 * not within the margin of the limit; else the oldest stopped versions of the service
 * (not spared, no traffic) to delete until under the margin, and whether that leaves room.
 */
export function roomPlan(
  count: number,
  versions: readonly VersionFacts[],
  spared: ReadonlySet<string>,
  limit: VersionLimit,
): RoomPlan | undefined {
  const under = limit.max - limit.margin;
  if (count < under) return undefined;
  const candidates = oldestFirst(versions).filter(
    (v) => v.servingStatus === 'STOPPED' && v.traffic === 0 && !spared.has(v.id),
  );
  const remove = candidates.slice(0, count - under + 1).map((v) => v.id);
  return { remove, enough: count - remove.length < limit.max };
}

function oldestFirst(versions: readonly VersionFacts[]): VersionFacts[] {
  const at = (v: VersionFacts) => v.createTime?.getTime() ?? 0;
  return [...versions].sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
}

function newestFirst(versions: readonly VersionFacts[]): VersionFacts[] {
  return oldestFirst(versions).reverse();
}

/** A version, with the submission (and revision) that created it when the bot knows it. */
export interface VersionRef {
  version: string;
  submissionId?: string;
  revision?: number;
}

/** A VersionRef read back (from Firestore, or a modal's private_metadata). */
export const versionRefSchema = z.object({
  version: z.string().min(1),
  submissionId: z.string().optional(),
  revision: z.number().int().positive().optional(),
});

/**
 * A live run's clean-up of its service's older versions (PipelineRun.housekeeping), one
 * App Engine call per step: what is to do, what was done, the call under way.
 */
export interface Housekeeping {
  /** working: carrying out the plan; done: nothing more to do (told when anything was). */
  state: 'working' | 'done';
  stop: VersionRef[];
  remove: VersionRef[];
  keptServing: VersionRef[];
  stopped: VersionRef[];
  removed: VersionRef[];
  /** The stop or delete App Engine is carrying out. */
  operation?: { name: string; version: string; kind: 'stop' | 'delete' };
  /** Why nothing was done (not healthy after the grace, no longer the live version). */
  skipped?: string;
}

/**
 * Room made under the version limit before an attempt's create (PipelineRun.versionRoom):
 * the count, once the service's versions were read the ones to delete, and those deleted.
 */
export interface VersionRoom {
  /** The attempt it was made for: a retry counts again. */
  attempt: number;
  /** The application's versions when counted (the limit, after App Engine refused a create). */
  count: number;
  remove?: VersionRef[];
  removed: VersionRef[];
  operation?: { name: string; version: string };
  /** Room enough: the create may be asked for. */
  ready?: boolean;
}

/**
 * What became of the version App Engine was creating when the run was cancelled
 * (PipelineRun.removal): being deleted, or stopped when the delete was refused because it
 * holds the service's traffic (`to_stop`: refused, the stop not asked yet), or the end.
 */
export type VersionRemoval =
  | { state: 'deleting' | 'stopping'; operation: string }
  | { state: 'to_stop'; detail: string }
  | { state: 'deleted' | 'stopped' | 'not_created' | 'failed'; detail?: string };

/**
 * Whether a run still owes its service's clean-up: its version took all traffic (a version
 * deployed without moving traffic triggers nothing) and the clean-up is not done.
 */
export function housekeepingOwed(run: {
  steps: { promote: { state: string } };
  housekeeping?: Housekeeping;
}): boolean {
  return run.steps.promote.state === 'done' && run.housekeeping?.state !== 'done';
}
