/**
 * What the Slack layer (and later the pipeline) asks of storage. One implementation talks to
 * Firestore (firestore-store.ts); tests run it against the emulator rather than a fake.
 *
 * Exactly-once: every write takes the Slack request's id. A request id seen before writes
 * nothing and answers with the current state (`applied: false`), so Slack
 * retries, double clicks and duplicate deliveries produce one change and let the caller skip
 * its Slack messages when `applied` is false.
 */
import { CodedError } from '../domain/errors.ts';
import type { ImageResolution } from '../domain/image-resolution.ts';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import type { UpdateOfLive } from '../domain/service-record.ts';
import type { TurnAnswer } from '../domain/service-turn.ts';
import type { Action, Status } from '../domain/status.ts';
import type {
  Actor,
  Approval,
  AuditEvent,
  Revision,
  Submission,
  ThreadRef,
} from '../domain/submission.ts';
import type { SubmissionSpec } from '../domain/submission-spec/index.ts';
import type { MessageIntent } from './notifier.ts';

export type StoreErrorCode =
  /** No submission with that id (or the id is not of the PG-0042 form); `get` answers undefined. */
  | 'not_found'
  /** The status machine refuses the action; the message says why, for the user. */
  | 'invalid_transition'
  /** The service is owned by someone else in that project; the message names the owner. */
  | 'service_owned'
  /** Firestore could not be reached (or answered too late): nothing was written, try again. */
  | 'unavailable'
  /** Too much contention or a request id reused for a different change: nothing was written. */
  | 'conflict'
  /** A stored document does not have the shape this code expects. */
  | 'invalid_data'
  /** Anything else (a bug); `cause` has the original error. */
  | 'internal';

export class StoreError extends CodedError<StoreErrorCode> {}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

/** A problem the spec check found that does not block the submission (e.g. an unpinned tag). */
export type SpecWarning = Revision['warnings'][number];

export interface NewSubmission {
  partner: Actor;
  spec: SubmissionSpec;
  warnings: SpecWarning[];
  /** What the registry said of the spec's image (stored resolved or not). */
  image?: ImageResolution;
  /**
   * The image is asked of its registry after the answer: stored without a resolution, its
   * messages held until `recordImage` (the review post shows the digest).
   */
  imagePending?: boolean;
  /** What it updates, when its partner owns the service and a version of it is live. */
  updateOf?: UpdateOfLive;
  /** The Slack request that asked for it; the same id never creates twice. */
  requestId: string;
  /** The messages it owes, written to the outbox (or held, see `imagePending`) with it. */
  messages?: MessageIntent[];
}

/** Who asks for a change and from which Slack request. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  /** Free text for the audit trail (e.g. the reason, the chosen project). */
  detail?: string;
}

/** Fields written together with a status change. */
export interface SubmissionPatch {
  approval?: Approval;
  reason?: string;
  /** The current revision's image, resolved again (at approval). */
  image?: ImageResolution;
}

export interface ApplyOptions extends RequestContext {
  patch?: SubmissionPatch;
  /**
   * The revision the decision was taken on (a review form's): `invalid_transition` when the
   * submission is at another one by the time the change is written.
   */
  revision?: number;
  /**
   * With approve: whether the partner is a member of the team that owns the service (Slack
   * knows; asked beforehand). The approval claims the service, or is refused with
   * `service_owned` when it is someone else's.
   */
  partnerInTeam?: boolean;
  /** The messages the change owes, written to the outbox in the same transaction. */
  messages?: MessageIntent[];
}

export interface ResubmitInput extends RequestContext {
  spec: SubmissionSpec;
  warnings: SpecWarning[];
  /** What the registry said of the spec's image (stored resolved or not). */
  image?: ImageResolution;
  /** As for a new submission: the image asked after the answer, the messages held until then. */
  imagePending?: boolean;
  updateOf?: UpdateOfLive;
  /** The messages the new revision owes, written to the outbox (or held) in the same transaction. */
  messages?: MessageIntent[];
}

export interface ChangeResult {
  submission: Submission;
  /**
   * False when nothing was written: the request id was seen before (a retry or double
   * click; `submission` is the current state), or setThread found a thread already set.
   * Send Slack messages only when true.
   */
  applied: boolean;
}

export interface ListOptions {
  /** At most this many, newest first (default 50, at most 200). */
  limit?: number;
}

export interface ListAllOptions extends ListOptions {
  /** Only these statuses (all when omitted or empty). */
  statuses?: readonly Status[];
}

export interface SubmissionStore {
  /**
   * Stores a new submission (next PG-#### id, revision 1, `submitted`, audit `submit`).
   * The same requestId again returns the same submission with `applied: false`.
   */
  create(input: NewSubmission): Promise<ChangeResult>;
  /**
   * The image resolution of a revision stored with `imagePending`, stored on it with the
   * messages it held moved to the outbox, in one transaction. `applied: false` when it was
   * recorded already (another instance finished it first).
   */
  recordImage(id: string, image: ImageResolution): Promise<ChangeResult>;
  /** Submissions still waiting for their image resolution since before `before`, oldest first. */
  pendingImages(options: { before: Date; limit?: number }): Promise<Submission[]>;
  /** The submission, or undefined when there is none. Accepts `pg-42`, `42` too. */
  get(id: string): Promise<Submission | undefined>;
  /** A partner's own submissions, newest first. */
  listByPartner(userId: string, options?: ListOptions): Promise<Submission[]>;
  /** Everyone's submissions, newest first, optionally only some statuses. */
  listAll(options?: ListAllOptions): Promise<Submission[]>;
  /** The audit trail, oldest first; StoreError `not_found` when there is no such submission. */
  audit(id: string): Promise<AuditEvent[]>;
  /**
   * Moves the submission through the status machine in one transaction: status, patch and
   * an audit event. `invalid_transition` when the machine refuses (e.g. already approved).
   */
  apply(id: string, action: Action, options: ApplyOptions): Promise<ChangeResult>;
  /**
   * Adds revision n+1 and moves changes_requested -> submitted, in one transaction; from
   * approved too while its pipeline has not started, which voids the approval (cleared,
   * audited). `invalid_transition` once the pipeline has started.
   */
  resubmit(id: string, input: ResubmitInput): Promise<ChangeResult>;
  /**
   * Records where the review thread lives. The first thread wins: when one is already set
   * (and `replace` is not given) nothing changes and `applied` is false.
   */
  setThread(id: string, thread: ThreadRef, options?: { replace?: boolean }): Promise<ChangeResult>;
  /** Audits a refused attempt (e.g. a non-approver's click); the submission does not change. */
  recordRefusal(id: string, context: RequestContext): Promise<ChangeResult>;
  /** Messages that failed for good (see OutboxStore), newest submissions first, for approvers. */
  undeliverable(options?: ListOptions): Promise<UndeliveredMessage[]>;
}

/**
 * What the pipeline tracker asks of storage. Each bot instance keeps a heartbeat (renewed
 * on its own clock, one write however many pipelines it drives); a pipeline names the
 * instance that drives it. Exactly one instance drives a pipeline: taking it over needs
 * the named instance's heartbeat to have lapsed, and every write of a run checks, in its
 * transaction, that the submission names the writer and the writer's heartbeat is live.
 */
export interface PipelineStore {
  /** Renews (or starts) `owner`'s heartbeat until `ttlMs` from now. */
  beat(owner: string, ttlMs: number): Promise<void>;
  /** Ends `owner`'s heartbeat now (a graceful stop): its pipelines may be taken at once. */
  endBeat(owner: string): Promise<void>;
  /** The instances whose heartbeat has lapsed (or been ended). */
  lapsedInstances(): Promise<string[]>;
  /**
   * Deletes a lapsed instance's heartbeat (no-op when it is live again, gone, or a tracked
   * pipeline still names it, checked in the same transaction).
   */
  forgetInstance(owner: string): Promise<void>;
  /**
   * Submissions whose pipeline needs a tracker (working, or ended and not yet announced),
   * in id order, a page at a time: pass the last id of a page as `after`. With `ownedBy`,
   * only those no instance drives (`null`) or those named by one of the given instances
   * (at most 30).
   */
  inFlight(
    options?: ListOptions & { after?: string; ownedBy?: null | readonly string[] },
  ): Promise<InFlightPipeline[]>;
  /**
   * Takes the pipeline for `owner`, in one transaction with the current owner's heartbeat:
   * true when nobody drives it, `owner` already does, or its owner's heartbeat lapsed; false
   * otherwise, and when `owner`'s own heartbeat is not live.
   */
  claim(id: string, owner: string): Promise<boolean>;
  /** Gives the pipeline up (no-op when `owner` does not drive it). */
  release(id: string, owner: string): Promise<void>;
  /**
   * Writes the pipeline run, and with `change` moves the status (audited) in the same
   * transaction, with the messages it owes. StoreError `conflict` when `owner` no longer
   * holds the pipeline (another is named, or its heartbeat lapsed); `invalid_transition` when the status machine refuses the action.
   */
  saveRun(
    id: string,
    owner: string,
    run: PipelineRun,
    change?: RunChange,
    messages?: MessageIntent[],
  ): Promise<Submission>;
  /**
   * Asks for the pipeline's turn on its (project, service): one pipeline per service at a
   * time, the others waiting in the order they were approved. `ended` when the submission
   * no longer works (e.g. cancelled meanwhile). Ending a pipeline (saveRun to live or
   * failed, a cancel) gives the turn up in the same transaction.
   */
  claimTurn(id: string): Promise<TurnClaim>;
  /**
   * Tracked pipelines whose run was last stored before `before` (oldest first, a page at a
   * time after `after`): the watchdog's candidates for a stall, whoever drives them.
   */
  quietSince(options: {
    before: Date;
    limit?: number;
    after?: QuietPipeline;
  }): Promise<QuietPipeline[]>;
  /**
   * Audits that the run's attempt made no progress (action `stalled`) with the messages that
   * owes, once per attempt: `applied: false` when told before. StoreError `conflict` when
   * the run moved on since `progressAt` (another attempt, or stored progress).
   */
  recordStall(id: string, stall: StallNote): Promise<ChangeResult>;
}

/** A tracked pipeline, when its run was last stored, and who drives or drove it. */
export interface QuietPipeline {
  submission: Submission;
  progressAt: Date;
  /** The instance it names, and until when that instance's heartbeat keeps it. */
  lease?: { owner: string; until: Date };
}

export interface StallNote {
  attempt: number;
  /** The run's progressAt as the sweep read it: told only if still the same. */
  progressAt: Date;
  actor: Actor;
  detail: string;
  messages: MessageIntent[];
}

export type TurnClaim = TurnAnswer | { kind: 'ended' };

export interface InFlightPipeline {
  submission: Submission;
  /** The instance that drives it (or did, if its heartbeat lapsed); absent when none. */
  owner?: string;
}

export interface RunChange {
  action: Action;
  actor: Actor;
  detail?: string;
}

/** Where a delivered message lives in Slack. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** One message in a submission's outbox. */
export interface OutboxEntry {
  key: string;
  intent: MessageIntent;
  /** Order of the submission's messages: delivered in this order. */
  seq: number;
  /** Bumped each time a coalescing intent is enqueued again (a newer state to show). */
  version: number;
  /** pending: to say (again, for a coalescing intent); sent; failed: for good. */
  state: 'pending' | 'sent' | 'failed';
  /** Posts started; above 0 an earlier attempt may have posted without our hearing. */
  tries: number;
  /** Failed attempts since it was last sent (the backoff grows with them). */
  failures: number;
  /** No attempt before this (backoff, Retry-After, the update window). */
  notBefore?: Date;
  /** The message in Slack, once posted (updates go there). */
  ref?: MessageRef;
  sentAt?: Date;
  /** The last error, and for a failure for good what to do about it. */
  error?: string;
  advice?: string;
}

/** What became of a delivery attempt, as the deliverer records it. */
export type DeliveryReport =
  /** About to call Slack: counted, so a later attempt first looks for a lost answer. */
  | { kind: 'trying' }
  /** Slack took it; `version` is the entry's version that was sent (a newer one stays pending). */
  | { kind: 'sent'; version: number; ref?: MessageRef }
  | { kind: 'retry'; notBefore: Date; error: string }
  | { kind: 'failed'; error: string; advice: string };

export interface UndeliveredMessage {
  submission: Submission;
  entry: OutboxEntry;
}

/**
 * What the deliverer asks of storage: the outbox of each submission, under a lease of its
 * own (owner + expiry: one instance delivers a submission's messages at a time, in order).
 */
export interface OutboxStore {
  /** Submissions with messages to deliver, in id order, a page at a time (`after`). */
  undelivered(options?: ListOptions & { after?: string }): Promise<OutboxLane[]>;
  /** Takes or renews the submission's outbox lease; false when another owner holds it. */
  leaseOutbox(id: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseOutbox(id: string, owner: string): Promise<void>;
  /** The submission and its outbox, in delivery order. */
  outbox(id: string): Promise<{ submission: Submission; entries: OutboxEntry[] } | undefined>;
  /**
   * Records an attempt on one entry (and, for the review message, the thread it started).
   * StoreError `conflict` when `owner` no longer holds the outbox lease.
   */
  recordDelivery(id: string, owner: string, key: string, report: DeliveryReport): Promise<void>;
  /** Calls `listener` after this process wrote messages to an outbox (to deliver them soon). */
  onEnqueued(listener: (id: string) => void): void;
}

export interface OutboxLane {
  submissionId: string;
  lease?: { owner: string; until: Date };
}
