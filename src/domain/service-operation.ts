/**
 * Promote and roll back: moving a service's traffic to one of its versions after its
 * pipeline ended. Each is a recorded operation kept on the submission whose version is made
 * to serve (so the tracker drives it like a pipeline, and its progress goes to that
 * submission's thread), summed up on the service record. Pure data and pure rules.
 */
import type { PipelineRun } from './pipeline-run.ts';
import type { ServiceRecord, VersionHistoryEntry } from './service-record.ts';
import type { Actor } from './submission.ts';
import type { VersionRef } from './version-lifecycle.ts';

export type OperationKind = 'promote' | 'rollback';

/** Where an operation is: starting a stopped target, moving traffic, or ended. */
export type OperationPhase = 'starting' | 'promoting' | 'done' | 'failed';

/** One promote or rollback, as the submission whose version it makes serve keeps it. */
export interface OperationRun {
  id: string;
  kind: OperationKind;
  project: string;
  service: string;
  /** What served before (the version with most of the traffic), when anything did. */
  from?: VersionRef;
  to: VersionRef & { submissionId: string; revision: number };
  /** The approver who asked, and the service's owner: both are told how it ends. */
  by: Actor;
  owner: Actor;
  requestId: string;
  phase: OperationPhase;
  /** The target was stopped: it is started (and serving) before traffic moves. */
  start: boolean;
  startOperation?: string;
  promoteOperation?: string;
  startedAt: Date;
  endedAt?: Date;
  versionUrl?: string;
  /** Why it failed, in App Engine's words (or what it waited for, past its deadline). */
  failure?: string;
}

/** The service record's summary of the operation in progress, or the last one. */
export interface ServiceOperation {
  id: string;
  kind: OperationKind;
  from?: string;
  to: string;
  submissionId: string;
  state: 'running' | 'done' | 'failed';
  at: Date;
}

export function isRunning(operation: OperationRun | undefined): boolean {
  const phase = operation?.phase;
  return phase === 'starting' || phase === 'promoting';
}

/** The record's summary of `run`. */
export function summaryOf(run: OperationRun): ServiceOperation {
  const state = isRunning(run) ? 'running' : run.phase === 'done' ? 'done' : 'failed';
  return {
    id: run.id,
    kind: run.kind,
    ...(run.from ? { from: run.from.version } : {}),
    to: run.to.version,
    submissionId: run.to.submissionId,
    state,
    at: run.endedAt ?? run.startedAt,
  };
}

/** A version as App Engine lists it, as far as choosing a target needs. */
export interface ListedVersion {
  id: string;
  servingStatus: 'SERVING' | 'STOPPED';
  traffic: number;
  url?: string;
}

/** The version that serves now: the one with the largest share of the traffic. */
export function servingVersion(listed: readonly ListedVersion[]): ListedVersion | undefined {
  const serving = listed.filter((v) => v.traffic > 0);
  return serving.sort((a, b) => b.traffic - a.traffic)[0];
}

/** What a rollback or promote would do, or why there is nothing to do. */
export type OperationPlan =
  | {
      kind: 'plan';
      from?: VersionRef;
      to: VersionRef & { submissionId: string; revision: number };
      /** The target is stopped: start it first. */
      start: boolean;
      /** The target's own URL, as App Engine lists it. */
      url?: string;
    }
  /** No earlier version the bot deployed is still listed. */
  | { kind: 'nothing_to_roll_back'; serving?: string }
  /** The named version is not one App Engine lists for the service. */
  | { kind: 'unknown_version'; version: string; listed: string[] }
  /** The named version exists but no submission of the bot created it (no spec to make live). */
  | { kind: 'not_ours'; version: string }
  /** The target already has all the traffic. */
  | { kind: 'already_serving'; version: string };

function refOf(
  entry: VersionHistoryEntry,
): VersionRef & { submissionId: string; revision: number } {
  return { version: entry.version, submissionId: entry.submissionId, revision: entry.revision };
}

/** The version, with the submission that made it when the record's history knows it. */
export function versionRef(record: ServiceRecord | undefined, version: string): VersionRef {
  const entry = record?.history.findLast((e) => e.version === version);
  return entry ? refOf(entry) : { version };
}

/**
 * What a rollback of `record`'s service does: to `named` (one App Engine lists), or to the
 * previous serving version: the newest in the history that is not serving now and that
 * App Engine still lists.
 */
export function rollbackPlan(
  record: ServiceRecord,
  listed: readonly ListedVersion[],
  named?: string,
): OperationPlan {
  const serving = servingVersion(listed);
  const from = serving ? versionRef(record, serving.id) : undefined;
  const byId = new Map(listed.map((v) => [v.id, v]));
  if (named !== undefined) {
    const target = byId.get(named);
    if (!target)
      return { kind: 'unknown_version', version: named, listed: listed.map((v) => v.id) };
    if (target.id === serving?.id && target.traffic >= 1) {
      return { kind: 'already_serving', version: named };
    }
    const ref = versionRef(record, named);
    if (ref.submissionId === undefined || ref.revision === undefined) {
      return { kind: 'not_ours', version: named };
    }
    const to = { version: named, submissionId: ref.submissionId, revision: ref.revision };
    return planTo(from, to, target);
  }
  const entry = [...record.history]
    .reverse()
    .find((e) => e.version !== serving?.id && byId.has(e.version));
  const target = entry && byId.get(entry.version);
  if (!entry || !target) {
    return { kind: 'nothing_to_roll_back', ...(serving ? { serving: serving.id } : {}) };
  }
  return planTo(from, refOf(entry), target);
}

/** The move from what serves to `to`, listed as `target`: started first when stopped. */
function planTo(
  from: VersionRef | undefined,
  to: VersionRef & { submissionId: string; revision: number },
  target: ListedVersion,
): OperationPlan {
  return {
    kind: 'plan',
    ...(from ? { from } : {}),
    to,
    start: target.servingStatus === 'STOPPED',
    ...(target.url ? { url: target.url } : {}),
  };
}

/** What promoting `to` (a version its pipeline deployed without traffic) does. */
export function promotePlan(
  record: ServiceRecord | undefined,
  listed: readonly ListedVersion[],
  to: VersionRef & { submissionId: string; revision: number },
): OperationPlan {
  const target = listed.find((v) => v.id === to.version);
  if (!target) {
    return { kind: 'unknown_version', version: to.version, listed: listed.map((v) => v.id) };
  }
  if (target.traffic >= 1) return { kind: 'already_serving', version: to.version };
  const serving = servingVersion(listed);
  const from = serving && versionRef(record, serving.id);
  return planTo(from, to, target);
}

/**
 * Whether an operation asked now repeats `last` (two clicks, two confirm forms, a retried
 * request): the same move, still running or ended since the asker's form was opened.
 */
export function repeats(
  last: ServiceOperation | undefined,
  ask: { from?: string; to: string; opened: Date },
): boolean {
  if (!last || last.state === 'failed' || last.to !== ask.to || last.from !== ask.from)
    return false;
  return last.state === 'running' || last.at >= ask.opened;
}

/** What begins an operation: which move, where, asked by whom in which request. */
export interface OperationRequest {
  /** A fresh id (letters and digits): the operation's messages are keyed by it. */
  id: string;
  kind: OperationKind;
  project: string;
  service: string;
  plan: Extract<OperationPlan, { kind: 'plan' }>;
  by: Actor;
  requestId: string;
}

/** The operation, begun now: it starts the target first when it is stopped. */
export function newOperation(input: OperationRequest & { owner: Actor; now: Date }): OperationRun {
  const { plan, now, ...rest } = input;
  return {
    ...rest,
    ...(plan.from ? { from: plan.from } : {}),
    to: plan.to,
    start: plan.start,
    ...(plan.url ? { versionUrl: plan.url } : {}),
    phase: plan.start ? 'starting' : 'promoting',
    startedAt: now,
  };
}

/** "`v2` (PG-0002 r1)", or the bare version when no submission is known. */
export function describeVersion(ref: VersionRef): string {
  return ref.submissionId
    ? `${ref.version} (${ref.submissionId} r${ref.revision ?? '?'})`
    : ref.version;
}

/**
 * The run of the submission whose version a finished Promote moved all traffic to, when that
 * run had deployed it without moving any: its promote step is now done, so its old versions
 * are cleaned up after the grace as after a deploy that moved traffic (version-lifecycle.ts).
 */
export function promotedRun(
  pipeline: PipelineRun | undefined,
  operation: OperationRun,
  now: Date,
): PipelineRun | undefined {
  if (operation.kind !== 'promote' || operation.phase !== 'done') return undefined;
  if (!pipeline || pipeline.versionId !== operation.to.version) return undefined;
  if (pipeline.steps.promote.state !== 'skipped') return undefined;
  const promote = { state: 'done' as const, startedAt: operation.startedAt, endedAt: now };
  const { housekeeping: _old, ...rest } = pipeline;
  return { ...rest, steps: { ...pipeline.steps, promote } };
}
