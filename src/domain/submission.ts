import type { ImageResolution } from './image-resolution.ts';
import type { PipelineRun } from './pipeline-run.ts';
import type { OperationRun } from './service-operation.ts';
import type { UpdateOfLive } from './service-record.ts';
import type { Action, Status } from './status.ts';
import type { SubmissionSpec } from './submission-spec/index.ts';

/** Who did something, as Slack knows them. */
export interface Actor {
  userId: string;
  /** Display name at the time, for readable history; the id is what counts. */
  name?: string;
}

export interface Revision {
  number: number;
  spec: SubmissionSpec;
  warnings: { path: string; message: string }[];
  submittedBy: Actor;
  submittedAt: Date;
  /**
   * What the spec's image named when the bot last asked its registry (at submit, again at
   * approval when unresolved); absent on revisions stored before digests were kept.
   */
  image?: ImageResolution;
  /** When its partner owns the service and it is live: what this revision updates. */
  updateOf?: UpdateOfLive;
}

export interface Approval {
  project: string;
  /** Approver's App Engine version label, when given; otherwise derived from id and revision. */
  versionLabel?: string;
  promote: boolean;
  by: Actor;
  at: Date;
}

/** Where the submission's review thread lives: its root message. */
export interface ThreadRef {
  channel: string;
  ts: string;
}

export interface Submission {
  /** Short readable id, e.g. PG-0042. */
  id: string;
  status: Status;
  partner: Actor;
  revision: number;
  revisions: Revision[];
  thread?: ThreadRef;
  approval?: Approval;
  /** The reason given with the last reject or request for changes. */
  reason?: string;
  /** The build-and-deploy pipeline, once approved. */
  pipeline?: PipelineRun;
  /**
   * The promote or rollback that makes this submission's version serve (the one in progress,
   * or the last one): driven by the tracker, told in this submission's thread. Added for
   * promote and roll back (issue 14).
   */
  operation?: OperationRun;
  /** The latest audit event that changed the submission (refusals excluded), for lists. */
  lastEvent?: AuditEvent;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What an audit line records: a status action, the first submission, a refused attempt,
 * a pipeline the watchdog found making no progress, or a promote or rollback moving
 * traffic to the submission's version (no status change).
 */
export type AuditAction = Action | 'submit' | 'refused' | 'stalled' | 'promote' | 'rollback';

/** One line of the append-only audit trail. */
export interface AuditEvent {
  at: Date;
  actor: Actor;
  /** A status action, or a non-transition event such as a refused click. */
  action: AuditAction;
  from?: Status;
  to?: Status;
  /** Slack request that caused it (for tracing retries and duplicates). */
  requestId?: string;
  detail?: string;
}

/** The revision a submission is at, or undefined if its record is incomplete. */
export function revisionOf(submission: Submission): Revision | undefined {
  return submission.revisions.find((r) => r.number === submission.revision);
}

/** The revision a submission is at; throws when its record is incomplete. */
export function currentRevision(submission: Submission): Revision {
  const revision = revisionOf(submission);
  if (!revision) throw new Error(`${submission.id} has no revision ${submission.revision}`);
  return revision;
}

/** The revisions with the current one's image replaced (resolved again at approval). */
export function revisionsWithImage(submission: Submission, image: ImageResolution): Revision[] {
  return submission.revisions.map((r) => (r.number === submission.revision ? { ...r, image } : r));
}

/** PG-0042 from a counter value; ids stay readable and sortable up to PG-9999, then widen. */
export function formatSubmissionId(counter: number): string {
  return `PG-${String(counter).padStart(4, '0')}`;
}

export const SUBMISSION_ID = /^PG-\d{4,}$/;

/**
 * The canonical id from what a person typed: `PG-0042`, `pg-42`, `PG42` and `42` all give
 * `PG-0042`; anything else gives undefined.
 */
export function parseSubmissionId(text: string): string | undefined {
  const match = /^(?:PG-?)?0*(\d{1,9})$/i.exec(text.trim());
  if (!match?.[1]) return undefined;
  const counter = Number(match[1]);
  return counter > 0 ? formatSubmissionId(counter) : undefined;
}

/** Revision `number` of a submission as its partner gave it, for the first one and resubmits. */
export function newRevision(
  number: number,
  by: Actor,
  at: Date,
  content: Pick<Revision, 'spec' | 'warnings' | 'image' | 'updateOf'>,
): Revision {
  const { spec, warnings, image, updateOf } = content;
  return {
    number,
    spec,
    warnings,
    submittedBy: by,
    submittedAt: at,
    ...(image && { image }),
    ...(updateOf && { updateOf }),
  };
}

/** A partner's first revision, as every store keeps it: submitted, with its audit event. */
export function newSubmission(input: {
  id: string;
  partner: Actor;
  spec: SubmissionSpec;
  warnings: Revision['warnings'];
  image?: ImageResolution;
  updateOf?: UpdateOfLive;
  requestId: string;
  at: Date;
}): { submission: Submission; event: AuditEvent } {
  const { id, partner, spec, warnings, image, updateOf, requestId, at } = input;
  const event: AuditEvent = { at, actor: partner, action: 'submit', to: 'submitted', requestId };
  const submission: Submission = {
    id,
    status: 'submitted',
    partner,
    revision: 1,
    revisions: [newRevision(1, partner, at, { spec, warnings, image, updateOf })],
    lastEvent: event,
    createdAt: at,
    updatedAt: at,
  };
  return { submission, event };
}
