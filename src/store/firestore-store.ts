/**
 * SubmissionStore on Firestore.
 *
 * Layout:
 *   counters/submissions                  {value}: the last PG number reserved; each
 *                                         instance takes a block at a time
 *                                         (submission-ids.ts)
 *   counters/upgrades                     which one-time upgrades of stored documents ran
 *                                         (upgrades.ts)
 *   submissions/{PG-0042}                 the submission with its revisions inline (an array),
 *                                         auditSeq (last audit number) and schemaVersion;
 *                                         imagePendingSince until its image is resolved
 *   submissions/{PG-0042}/audit/{000001}  append-only audit events; id = sequence number
 *   requests/{sha256(requestId)}          one per Slack request that wrote something
 *                                         (idempotency); expiresAt is a TTL field
 *   serviceLocks/{project~service}        whose pipeline has the service, who waits
 *                                         (service-lock.ts)
 *   instances/{owner}                     a bot instance's heartbeat (heartbeats.ts); a
 *                                         submission's `owner` names the one driving it
 *
 * Each submission document also holds its outbox (outbox.ts): the Slack messages its
 * changes owe, written in the transaction of the change.
 *
 * Revisions are inline because they are few (a resubmission is a person's edit; capped at
 * MAX_REVISIONS, a few KB each) and always wanted with the submission: one document read
 * gives the summary, the current spec and the history, and a resubmission is one document
 * write in its transaction. The audit trail is a subcollection because it grows without a
 * bound (refusals included) and is read only for history. Its ids are sequence numbers
 * taken from the submission document inside the same transaction, so the order is exact
 * (no ties on equal timestamps) and a bug cannot overwrite an event (`create`, not `set`).
 *
 * Every change is one transaction that reads what it depends on (submission, request record)
 * and writes everything or nothing. Changes from this process are also queued per
 * submission so they do not contend with each other. A create reads only its request
 * record: its number comes from the instance's block, so unrelated creates share no
 * document and are not queued.
 */
import { createHash } from 'node:crypto';
import {
  type DocumentReference,
  FieldPath,
  FieldValue,
  type Firestore,
  type Transaction,
} from '@google-cloud/firestore';
import { approvalNotStarted } from '../domain/approval-binding.ts';
import { GRPC } from '../domain/grpc-status.ts';
import type { ImageResolution } from '../domain/image-resolution.ts';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import { isWorking, needsTracking } from '../domain/run-transitions.ts';
import type { ServiceEvent, ServiceRecord } from '../domain/service-record.ts';
import { ACTIONS, type Action, nextStatus, type Status } from '../domain/status.ts';
import {
  type AuditEvent,
  formatSubmissionId,
  newRevision,
  newSubmission,
  parseSubmissionId,
  revisionsWithImage,
  type Submission,
  type ThreadRef,
} from '../domain/submission.ts';
import { InFlight } from '../lib/in-flight.ts';
import { KeyedLock } from '../lib/keyed-lock.ts';
import { type MessageIntent, submittedMessages } from '../ports/notifier.ts';
import type { BeginOperation, BeginOutcome, OperationStore } from '../ports/operations.ts';
import type { ServiceStore, TransferInput, TransferResult } from '../ports/services.ts';
import {
  type ApplyOptions,
  type ChangeResult,
  type DeliveryReport,
  type InFlightPipeline,
  type ListAllOptions,
  type ListOptions,
  type NewSubmission,
  type OutboxEntry,
  type OutboxLane,
  type OutboxStore,
  type PipelineStore,
  type QuietPipeline,
  type RequestContext,
  type ResubmitInput,
  type RunChange,
  type StallNote,
  StoreError,
  type SubmissionStore,
  type TurnClaim,
  type UndeliveredMessage,
} from '../ports/store.ts';
import { CoalescedReads } from './coalesced-reads.ts';
import {
  auditFromDoc,
  auditToDoc,
  type RequestRecord,
  requestFromDoc,
  type StoredSubmission,
  submissionFromDoc,
  submissionToDoc,
  toFirestoreValue,
} from './codec.ts';
import { codeOf, toStoreError, UNREACHABLE } from './errors.ts';
import {
  beat,
  endBeat,
  forgetIn,
  heartbeatRef,
  heartbeats,
  isLive,
  requireHolder,
} from './heartbeats.ts';
import { enqueue, HELD_FOR_IMAGE, heldForImage, inOrder, outboxFromDoc, report } from './outbox.ts';
import { askForTurn, giveUpTurn, type LockScope, stillWaiting } from './service-lock.ts';
import { beginOperationIn, type OperationScope, saveOperationIn } from './service-operations.ts';
import {
  claimIn,
  claimOf,
  goLiveIn,
  liveOf,
  readServiceAudit,
  readServiceRecords,
  refusalIn,
  serviceRef,
  transferIn,
} from './service-records.ts';
import { SubmissionIds } from './submission-ids.ts';
import { upgrade } from './upgrades.ts';

export interface FirestoreStoreOptions {
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
  /**
   * Longest wait for one store call, queueing included, in ms (default 10 000). Past it the
   * call fails with `unavailable` and its transaction is not committed.
   */
  timeoutMs?: number;
  /** Transaction attempts on contention or transient errors (Firestore's default is 5). */
  maxAttempts?: number;
  /** How long request records are kept for idempotency (TTL field `expiresAt`; default 30 days). */
  requestRetentionMs?: number;
}

/** A submission never grows past this many revisions (keeps the document far below 1 MiB). */
export const MAX_REVISIONS = 50;
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

export const COLLECTIONS = {
  submissions: 'submissions',
  audit: 'audit',
  counters: 'counters',
  requests: 'requests',
} as const;
const COUNTER_ID = 'submissions';
/** Since when a submission's new revision waits for its image resolution (and its messages). */
const IMAGE_PENDING = 'imagePendingSince';

/** The fields of a revision stored before its image is resolved, holding what it owes. */
function pendingImage(now: Date, messages: readonly MessageIntent[]): Record<string, unknown> {
  return {
    [IMAGE_PENDING]: toFirestoreValue(now),
    [HELD_FOR_IMAGE]: toFirestoreValue(messages),
  };
}

/** The request record's document id: Slack ids may contain characters Firestore ids may not. */
export function requestDocId(requestId: string): string {
  return createHash('sha256').update(requestId).digest('hex');
}

/** Audit event document id: the sequence number, zero-padded so ids sort like numbers. */
export function auditDocId(seq: number): string {
  return String(seq).padStart(6, '0');
}

type RequestOp = RequestRecord['op'];

interface Change {
  /** New field values for the submission document (domain values; converted on write). */
  fields: Partial<Submission>;
  /** Fields removed from the document. */
  cleared?: readonly string[];
  /** The audit event to append. */
  event: AuditEvent;
  /** Whether the event becomes the submission's `lastEvent` (refusals do not). */
  isLastEvent: boolean;
  /** Document fields written as they are, beside `fields`. */
  raw?: Record<string, unknown>;
}

export class FirestoreStore
  implements SubmissionStore, PipelineStore, OutboxStore, ServiceStore, OperationStore
{
  readonly #db: Firestore;
  readonly #now: () => Date;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #retentionMs: number;
  readonly #lock = new KeyedLock();
  readonly #ids: SubmissionIds;
  /** Reads outside transactions that may share a request (the submit-time ownership check). */
  readonly #reads: CoalescedReads;
  /** Calls still running, including those abandoned at their deadline. */
  readonly #pending = new InFlight();
  readonly #enqueued: ((id: string) => void)[] = [];
  /** Instances whose heartbeat this process has started (the first beat notes startedAt). */
  readonly #beating = new Set<string>();

  constructor(db: Firestore, options: FirestoreStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retentionMs = options.requestRetentionMs ?? 30 * 24 * 3600 * 1000;
    this.#reads = new CoalescedReads(db);
    this.#ids = new SubmissionIds(db, `${COLLECTIONS.counters}/${COUNTER_ID}`, {
      maxAttempts: this.#maxAttempts,
    });
  }

  // ---- references -------------------------------------------------------------------------

  #submissionRef(id: string): DocumentReference {
    return this.#db.collection(COLLECTIONS.submissions).doc(id);
  }
  #auditRef(id: string, seq: number): DocumentReference {
    return this.#submissionRef(id).collection(COLLECTIONS.audit).doc(auditDocId(seq));
  }
  #requestRef(requestId: string): DocumentReference {
    return this.#db.collection(COLLECTIONS.requests).doc(requestDocId(requestId));
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /**
   * Runs one store call under the deadline, queued behind earlier calls on `key` when given,
   * and turns every failure into a StoreError.
   */
  async #run<T>(what: string, key: string | undefined, body: (signal: AbortSignal) => Promise<T>) {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new StoreError('unavailable', UNREACHABLE, {
            cause: new Error(`${what}: no answer within ${this.#timeoutMs} ms`),
          }),
        );
      }, this.#timeoutMs);
      timer.unref?.();
    });
    const work =
      key === undefined
        ? body(controller.signal)
        : this.#lock.run(key, async (release) => {
            controller.signal.addEventListener('abort', release, { once: true });
            abortIfLate(controller.signal);
            return body(controller.signal);
          });
    // After the deadline the work may still settle; only drain() waits for it.
    const settled = work.then(
      () => {},
      () => {},
    );
    this.#pending.track(settled);
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      throw toStoreError(error, what);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A read-write transaction; an attempt that starts after the deadline stops at once. */
  #transaction<T>(signal: AbortSignal, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#db.runTransaction(
      (tx) => {
        abortIfLate(signal);
        return fn(tx);
      },
      { maxAttempts: this.#maxAttempts },
    );
  }

  /**
   * Waits until every call has settled, including calls abandoned at their deadline that are
   * still retrying. Call before `firestore.terminate()` at shutdown.
   */
  async drain(): Promise<void> {
    await this.#pending.drain();
  }

  #requestRecord(
    requestId: string,
    op: RequestOp,
    submissionId: string,
    at: Date,
    action?: string,
  ): Record<string, unknown> {
    return toFirestoreValue({
      requestId,
      op,
      submissionId,
      action,
      at,
      expiresAt: new Date(at.getTime() + this.#retentionMs),
    }) as Record<string, unknown>;
  }

  // ---- create -----------------------------------------------------------------------------

  async create(input: NewSubmission): Promise<ChangeResult> {
    requireText(input.requestId, 'requestId');
    requireText(input.partner?.userId, 'partner.userId');
    // Queued per request only: unrelated creates share no document (the number comes from
    // this instance's block). A repeat of a request (Slack resending it) spends a number
    // and reads what the first one created: gaps are fine, duplicates never.
    const key = `${COLLECTIONS.requests}/${requestDocId(input.requestId)}`;
    return this.#run('saving the submission', key, async (signal) => {
      const requestRef = this.#requestRef(input.requestId);
      const id = formatSubmissionId(await this.#ids.next());
      const now = this.#now();
      const { submission, event } = newSubmission({ ...input, id, at: now });
      const stored: StoredSubmission = { auditSeq: 1, submission };
      const doc = {
        ...submissionToDoc(stored),
        ...(input.imagePending
          ? pendingImage(now, input.messages ?? [])
          : enqueue({ entries: {}, seq: 0 }, 1, input.messages ?? [])),
      };
      abortIfLate(signal);
      // One commit, no transaction: nothing is read that the writes depend on, and the
      // create preconditions make a repeat of the request fail whole (one round trip where
      // a transaction takes three: begin, read, commit).
      const batch = this.#db.batch();
      batch.create(this.#submissionRef(id), doc);
      batch.create(this.#auditRef(id, 1), auditToDoc(event, 1));
      batch.create(requestRef, this.#requestRecord(input.requestId, 'create', id, now));
      try {
        await batch.commit();
      } catch (error) {
        // The request was stored before (a resend, another instance, or this commit's own
        // retry after a lost answer): its record says what it created.
        const repeat =
          codeOf(error) === GRPC.ALREADY_EXISTS &&
          (await this.#createdBy(requestRef, input.requestId));
        if (repeat) return repeat;
        throw error;
      }
      // What a later read returns (undefined fields dropped, values checked).
      return { submission: submissionFromDoc(id, doc).submission, applied: true };
    }).then((result) => this.#told(result, input.imagePending ? [] : input.messages));
  }

  /** The submission a request already created, or undefined when it created none. */
  async #createdBy(requestRef: DocumentReference, requestId: string) {
    const requestSnap = await requestRef.get();
    if (!requestSnap.exists) return undefined;
    const record = requestFromDoc(requestRef.path, requestSnap.data());
    if (record.op !== 'create') throw reusedRequest(requestId, record);
    const snap = await this.#submissionRef(record.submissionId).get();
    if (!snap.exists) {
      throw new StoreError(
        'invalid_data',
        `request ${requestId} created ${record.submissionId}, which is gone`,
      );
    }
    return { submission: submissionFromDoc(snap.id, snap.data()).submission, applied: false };
  }

  async recordImage(id: string, image: ImageResolution): Promise<ChangeResult> {
    const sid = submissionId(id);
    let messages: MessageIntent[] = [];
    return this.#run(`recording the image of ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const snap = await tx.get(ref);
        if (!snap.exists) throw notFound(sid);
        const { submission } = submissionFromDoc(sid, snap.data());
        if (snap.get(IMAGE_PENDING) === undefined) return { submission, applied: false };
        const revisions = revisionsWithImage(submission, image);
        // A first submission stored by a version that held no messages owes what one owes.
        messages =
          heldForImage(sid, snap.data()) ?? submittedMessages(submission, submission.partner);
        abortIfLate(signal);
        tx.update(ref, {
          revisions: toFirestoreValue(revisions),
          [IMAGE_PENDING]: FieldValue.delete(),
          [HELD_FOR_IMAGE]: FieldValue.delete(),
          ...enqueue(outboxFromDoc(sid, snap.data()), submission.revision, messages),
        });
        return { submission: { ...submission, revisions }, applied: true };
      }),
    ).then((result) => this.#told(result, messages));
  }

  /** One query on the single-field index of `imagePendingSince`. */
  async pendingImages(options: { before: Date; limit?: number }): Promise<Submission[]> {
    const limit = listLimit(options.limit);
    return this.#run('looking for images not resolved yet', undefined, async () => {
      const snap = await this.#db
        .collection(COLLECTIONS.submissions)
        .where(IMAGE_PENDING, '<', options.before)
        .orderBy(IMAGE_PENDING)
        .limit(limit)
        .get();
      return snap.docs.map((d) => submissionFromDoc(d.id, d.data()).submission);
    });
  }

  /** After a commit that wrote messages: tells the deliverer of this process. */
  #told<T extends ChangeResult>(result: T, messages: MessageIntent[] | undefined): T {
    if (result.applied && messages?.length) {
      for (const listener of this.#enqueued) listener(result.submission.id);
    }
    return result;
  }

  // ---- reads ------------------------------------------------------------------------------

  async get(id: string): Promise<Submission | undefined> {
    const sid = typeof id === 'string' ? parseSubmissionId(id) : undefined;
    if (!sid) return undefined;
    return this.#run(`reading ${sid}`, undefined, async () => {
      const snap = await this.#submissionRef(sid).get();
      return snap.exists ? submissionFromDoc(sid, snap.data()).submission : undefined;
    });
  }

  async listByPartner(userId: string, options: ListOptions = {}): Promise<Submission[]> {
    requireText(userId, 'userId');
    const limit = listLimit(options.limit);
    return this.#run('listing submissions', undefined, async () => {
      const snap = await this.#db
        .collection(COLLECTIONS.submissions)
        .where('partner.userId', '==', userId)
        .orderBy('createdAt', 'desc')
        .limit(limit)
        .get();
      return snap.docs.map((d) => submissionFromDoc(d.id, d.data()).submission);
    });
  }

  async listAll(options: ListAllOptions = {}): Promise<Submission[]> {
    const limit = listLimit(options.limit);
    const statuses = [...new Set(options.statuses ?? [])];
    return this.#run('listing submissions', undefined, async () => {
      let query = this.#db.collection(COLLECTIONS.submissions).orderBy('createdAt', 'desc');
      if (statuses.length > 0) query = query.where('status', 'in', statuses);
      const snap = await query.limit(limit).get();
      return snap.docs.map((d) => submissionFromDoc(d.id, d.data()).submission);
    });
  }

  async audit(id: string): Promise<AuditEvent[]> {
    const sid = submissionId(id);
    return this.#run(`reading the history of ${sid}`, undefined, async () => {
      const ref = this.#submissionRef(sid);
      const [submission, events] = await Promise.all([
        ref.get(),
        ref.collection(COLLECTIONS.audit).orderBy('seq', 'asc').get(),
      ]);
      if (!submission.exists) throw notFound(sid);
      return events.docs.map((d) => auditFromDoc(d.ref.path, d.data()));
    });
  }

  // ---- changes ----------------------------------------------------------------------------

  /**
   * The shared shape of apply / resubmit / refusal: one transaction reading the submission
   * and the request record; a seen request id answers `applied: false`; otherwise `decide`
   * says what to write (or throws, e.g. TransitionError).
   */
  async #change(
    what: string,
    id: string,
    context: RequestContext,
    op: RequestOp,
    action: string,
    decide: (current: Submission, now: Date) => Change,
    messages: MessageIntent[] = [],
    /** More to read and write in the same transaction once the change is decided. */
    alongside?: (tx: Transaction, current: Submission, now: Date) => Promise<void>,
  ): Promise<ChangeResult> {
    const sid = submissionId(id);
    requireText(context.requestId, 'requestId');
    requireText(context.actor?.userId, 'actor.userId');
    return this.#run(what, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const requestRef = this.#requestRef(context.requestId);
        const [snap, requestSnap] = await tx.getAll(ref, requestRef);
        if (!snap?.exists) throw notFound(sid);
        const stored = submissionFromDoc(sid, snap.data());
        if (requestSnap?.exists) {
          const record = requestFromDoc(requestRef.path, requestSnap.data());
          if (record.op === op && record.submissionId === sid && (record.action ?? '') === action) {
            return { submission: stored.submission, applied: false };
          }
          throw reusedRequest(context.requestId, record);
        }
        const now = this.#now();
        const change = decide(stored.submission, now);
        // Firestore wants every read of a transaction before its first write: the service's
        // lock is read before `alongside` (which reads and writes), written after it. A cancel
        // lets the next pipeline on the service go, or leaves the line.
        const writeTurn = await this.#endTurn(tx, stored.submission, change.fields.status);
        await alongside?.(tx, stored.submission, now);
        writeTurn?.();
        const seq = stored.auditSeq + 1;
        const fields: Partial<Submission> & { auditSeq: number; tracking?: boolean } = {
          ...change.fields,
          ...(change.isLastEvent ? { lastEvent: change.event } : {}),
          // An approved submission needs a tracker even before its pipeline run exists,
          // so a crash between approval and the first run write loses nothing.
          ...(change.event.to === 'approved' ? { tracking: true } : {}),
          // A cancel of a failed run (no longer tracked) owes its wind-down and message too:
          // until told, a resubmission is refused, so a tracker must find it after a crash.
          ...(change.fields.status === 'cancelled' && stored.submission.pipeline
            ? { tracking: needsTracking('cancelled', stored.submission.pipeline) }
            : {}),
          auditSeq: seq,
        };
        const update: Record<string, unknown> = {
          ...(toFirestoreValue(fields) as Record<string, unknown>),
          // Tracked and driven by nobody: stored as null, which discovery queries for.
          ...(fields.tracking && !stored.owner ? { owner: null } : {}),
          ...enqueue(
            outboxFromDoc(sid, snap.data()),
            change.fields.revision ?? stored.submission.revision,
            messages,
          ),
        };
        Object.assign(update, change.raw);
        const cleared = change.cleared ?? [];
        for (const field of cleared) update[field] = FieldValue.delete();
        abortIfLate(signal);
        tx.update(ref, update);
        tx.create(this.#auditRef(sid, seq), auditToDoc(change.event, seq));
        tx.create(requestRef, this.#requestRecord(context.requestId, op, sid, now, action));
        const after: Record<string, unknown> = { ...snap.data(), ...fields };
        for (const field of cleared) delete after[field];
        const { submission } = submissionFromDoc(
          sid,
          toFirestoreValue(after) as Record<string, unknown>,
        );
        return { submission, applied: true };
      }),
    ).then((result) => this.#told(result, messages));
  }

  async apply(id: string, action: Action, options: ApplyOptions): Promise<ChangeResult> {
    if (!Object.hasOwn(ACTIONS, action)) {
      throw new StoreError('invalid_transition', `unknown action ${String(action)}`);
    }
    const { actor, requestId, detail, patch, messages, partnerInTeam } = options;
    const approval = action === 'approve' ? patch?.approval : undefined;
    return this.#change(
      `${action.replace('_', ' ')} ${id}`,
      id,
      options,
      'apply',
      action,
      (current, now) => {
        const from = current.status;
        const to = nextStatus(from, action);
        if (options.revision !== undefined) atRevision(current, options.revision);
        return {
          fields: {
            status: to,
            updatedAt: now,
            ...(patch?.approval !== undefined ? { approval: patch.approval } : {}),
            ...(patch?.reason !== undefined ? { reason: patch.reason } : {}),
            ...(patch?.image !== undefined
              ? { revisions: revisionsWithImage(current, patch.image) }
              : {}),
          },
          event: { at: now, actor, action, from, to, requestId, detail },
          isLastEvent: true,
        };
      },
      messages,
      // The approval claims the service for the partner, or is refused: someone else's.
      approval &&
        ((tx, current, now) =>
          claimIn(this.#db, tx, claimOf(current, approval, partnerInTeam === true), now)),
    );
  }

  async resubmit(id: string, input: ResubmitInput): Promise<ChangeResult> {
    const { actor, requestId, detail, spec, warnings, image, updateOf } = input;
    const messages = input.messages ?? [];
    return this.#change(
      `resubmitting ${id}`,
      id,
      input,
      'resubmit',
      'resubmit',
      (current, now) => {
        const from = current.status;
        const to = nextStatus(from, 'resubmit');
        const voided = voidedApproval(current);
        const ended = endedRun(current);
        if (current.revisions.length >= MAX_REVISIONS) {
          throw new StoreError(
            'invalid_transition',
            `${current.id} already has ${MAX_REVISIONS} revisions; submit it as a new one`,
          );
        }
        const number = Math.max(...current.revisions.map((r) => r.number)) + 1;
        const revision = newRevision(number, actor, now, { spec, warnings, image, updateOf });
        return {
          fields: {
            status: to,
            revision: number,
            revisions: [...current.revisions, revision],
            updatedAt: now,
          },
          // The voided approval goes with its pipeline run and owner: a tracker that took
          // it no longer holds it, so its next write (the build request) is refused.
          // So does a failed or cancelled run (its history stays in the audit trail, its
          // status message in the thread): the new revision is reviewed and built afresh.
          ...(voided || ended !== undefined
            ? { cleared: ['approval', 'pipeline', 'owner', 'tracking'] }
            : {}),
          event: {
            at: now,
            actor,
            action: 'resubmit',
            from,
            to,
            requestId,
            detail: detail ?? resubmitDetail(number, voided, ended),
          },
          isLastEvent: true,
          ...(input.imagePending ? { raw: pendingImage(now, messages) } : {}),
        };
      },
      input.imagePending ? [] : messages,
    );
  }

  async recordRefusal(id: string, context: RequestContext): Promise<ChangeResult> {
    const { actor, requestId, detail } = context;
    return this.#change(
      `recording a refusal on ${id}`,
      id,
      context,
      'refusal',
      'refused',
      (_, now) => ({
        fields: {},
        event: { at: now, actor, action: 'refused', requestId, detail },
        isLastEvent: false,
      }),
    );
  }

  async setThread(
    id: string,
    thread: ThreadRef,
    options: { replace?: boolean } = {},
  ): Promise<ChangeResult> {
    const sid = submissionId(id);
    requireText(thread?.channel, 'thread.channel');
    requireText(thread?.ts, 'thread.ts');
    return this.#run(`saving the thread of ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const snap = await tx.get(ref);
        if (!snap.exists) throw notFound(sid);
        const { submission } = submissionFromDoc(sid, snap.data());
        const same =
          submission.thread?.channel === thread.channel && submission.thread.ts === thread.ts;
        if (same || (submission.thread && !options.replace)) return { submission, applied: false };
        abortIfLate(signal);
        const value = { channel: thread.channel, ts: thread.ts };
        tx.update(ref, { thread: value });
        return { submission: { ...submission, thread: value }, applied: true };
      }),
    );
  }
  // ---- service records (service-records.ts) ------------------------------------------------

  serviceRecords(service: string, projects: readonly string[]): Promise<ServiceRecord[]> {
    return this.#run(`reading the records of ${service}`, undefined, () =>
      readServiceRecords(this.#db, this.#reads, service, projects),
    );
  }

  serviceAudit(project: string, service: string): Promise<ServiceEvent[]> {
    return this.#run(`reading the history of ${service}`, undefined, () =>
      readServiceAudit(this.#db, project, service),
    );
  }

  async transferService(input: TransferInput): Promise<TransferResult> {
    requireText(input.requestId, 'requestId');
    const key = serviceRef(this.#db, input.project, input.service).path;
    const { owedBy, ...result } = await this.#run(`transferring ${input.service}`, key, (signal) =>
      this.#transaction(signal, (tx) =>
        transferIn(
          this.#db,
          tx,
          { ...input, submissionRef: (id) => this.#submissionRef(id) },
          this.#now(),
        ),
      ),
    );
    if (owedBy) for (const listener of this.#enqueued) listener(owedBy);
    return result;
  }

  async recordServiceRefusal(
    project: string,
    service: string,
    context: RequestContext,
  ): Promise<void> {
    const key = serviceRef(this.#db, project, service).path;
    await this.#run(`recording a refusal on ${service}`, key, (signal) =>
      this.#transaction(signal, (tx) =>
        refusalIn(this.#db, tx, project, service, context, this.#now()),
      ),
    );
  }

  // ---- promote and rollback (service-operations.ts) -----------------------------------------

  async beginOperation(input: BeginOperation): Promise<BeginOutcome> {
    requireText(input.requestId, 'requestId');
    const key = serviceRef(this.#db, input.project, input.service).path;
    const outcome = await this.#run(`starting a ${input.kind} of ${input.service}`, key, (signal) =>
      this.#transaction(signal, (tx) => {
        abortIfLate(signal);
        return beginOperationIn(this.#operationScope(tx), input);
      }),
    );
    // Its status message is owed: this process's deliverer is told at once.
    if (outcome.kind === 'started') {
      for (const listener of this.#enqueued) listener(outcome.submission.id);
    }
    return outcome;
  }

  async saveOperation(
    id: string,
    owner: string,
    run: Parameters<OperationStore['saveOperation']>[2],
    messages: MessageIntent[],
  ): Promise<Submission> {
    const sid = submissionId(id);
    const saved = await this.#run(`saving the ${run.kind} of ${sid}`, sid, (signal) =>
      this.#transaction(signal, (tx) => {
        abortIfLate(signal);
        return saveOperationIn(this.#operationScope(tx), sid, owner, run, messages);
      }),
    );
    return this.#told({ submission: saved, applied: true }, messages).submission;
  }

  #operationScope(tx: Transaction): OperationScope {
    return {
      ...this.#lockScope(tx),
      auditRef: (id, seq) => this.#auditRef(id, seq),
      now: this.#now(),
    };
  }

  // ---- pipeline ---------------------------------------------------------------------------

  async beat(owner: string, ttlMs: number): Promise<void> {
    requireText(owner, 'owner');
    const now = this.#now();
    const first = !this.#beating.has(owner);
    await this.#run(`renewing the heartbeat of ${owner}`, undefined, () =>
      beat(this.#db, owner, new Date(now.getTime() + ttlMs), first ? now : undefined),
    );
    this.#beating.add(owner);
  }

  async endBeat(owner: string): Promise<void> {
    requireText(owner, 'owner');
    await this.#run(`ending the heartbeat of ${owner}`, undefined, () =>
      endBeat(this.#db, owner, this.#now()),
    );
    this.#beating.delete(owner);
  }

  /** One-time changes to stored documents this version needs (upgrades.ts); run at start. */
  async upgrade(): Promise<void> {
    await this.#run('upgrading stored documents', undefined, () => upgrade(this.#db, COLLECTIONS));
  }

  async lapsedInstances(): Promise<string[]> {
    const all = await this.#run('reading the instances', undefined, () => heartbeats(this.#db));
    const now = this.#now();
    return [...all].filter(([, until]) => until <= now).map(([owner]) => owner);
  }

  async forgetInstance(owner: string): Promise<void> {
    requireText(owner, 'owner');
    await this.#run(`forgetting the instance ${owner}`, undefined, (signal) =>
      this.#transaction(signal, (tx) =>
        forgetIn(tx, this.#db, this.#db.collection(COLLECTIONS.submissions), owner, this.#now()),
      ),
    );
  }

  async inFlight(
    options: ListOptions & { after?: string; ownedBy?: null | readonly string[] } = {},
  ): Promise<InFlightPipeline[]> {
    const { ownedBy } = options;
    if (ownedBy && (ownedBy.length === 0 || ownedBy.length > 30)) {
      throw new StoreError('internal', `ownedBy names 1 to 30 instances, not ${ownedBy.length}`);
    }
    return this.#flagged(
      'listing pipelines',
      'tracking',
      options,
      (id, data) => {
        const { submission, owner } = submissionFromDoc(id, data);
        return owner ? { submission, owner } : { submission };
      },
      // Only what changed hands: (tracking, owner) has a composite index.
      ownedBy === undefined
        ? undefined
        : ownedBy === null
          ? ['owner', '==', null]
          : ['owner', 'in', ownedBy],
    );
  }

  /**
   * Submissions whose `flag` field is true (one equality query, however long the history
   * grows), optionally filtered further, in id order, a page at a time after `after`.
   */
  async #flagged<T>(
    what: string,
    flag: 'tracking' | 'delivering',
    options: ListOptions & { after?: string },
    read: (id: string, data: unknown) => T,
    filter?: [string, '==' | 'in', unknown],
  ): Promise<T[]> {
    const limit = listLimit(options.limit);
    return this.#run(what, undefined, async () => {
      let query = this.#db.collection(COLLECTIONS.submissions).where(flag, '==', true);
      if (filter) query = query.where(...filter);
      query = query.orderBy(FieldPath.documentId());
      if (options.after) query = query.startAfter(options.after);
      const snap = await query.limit(limit).get();
      return snap.docs.map((d) => read(d.id, d.data()));
    });
  }

  async claim(id: string, owner: string): Promise<boolean> {
    const sid = submissionId(id);
    requireText(owner, 'owner');
    return this.#run(`claiming ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const [snap, mine] = await tx.getAll(ref, heartbeatRef(this.#db, owner));
        if (!snap?.exists) throw notFound(sid);
        const now = this.#now();
        // An instance whose own heartbeat lapsed could not write what it claims.
        if (!isLive(mine, now)) return false;
        const named = submissionFromDoc(sid, snap.data()).owner;
        if (named === owner) return true;
        if (named && isLive(await tx.get(heartbeatRef(this.#db, named)), now)) return false;
        abortIfLate(signal);
        tx.update(ref, { owner });
        return true;
      }),
    );
  }

  release(id: string, owner: string): Promise<void> {
    return this.#giveUp(id, (sid, data) => submissionFromDoc(sid, data).owner === owner, {
      owner: null,
    });
  }

  /** Writes `update` on the submission when `holds` says the caller holds what it gives up. */
  async #giveUp(
    id: string,
    holds: (sid: string, data: unknown) => boolean,
    update: Record<string, unknown>,
  ): Promise<void> {
    const sid = submissionId(id);
    await this.#run(`releasing ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const snap = await tx.get(ref);
        if (!snap.exists || !holds(sid, snap.data())) return;
        abortIfLate(signal);
        tx.update(ref, update);
      }),
    );
  }

  async saveRun(
    id: string,
    owner: string,
    run: PipelineRun,
    change?: RunChange,
    messages: MessageIntent[] = [],
  ): Promise<Submission> {
    const sid = submissionId(id);
    const saved = await this.#run(`saving the pipeline of ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const [snap, heartbeat] = await tx.getAll(ref, heartbeatRef(this.#db, owner));
        if (!snap?.exists) throw notFound(sid);
        const stored = submissionFromDoc(sid, snap.data());
        requireHolder(sid, owner, stored.owner, heartbeat, this.#now());
        // A run lives only under an approval; a new revision may have voided it meanwhile.
        if (!stored.submission.approval) {
          throw new StoreError('conflict', `${sid}: its approval was voided by a new revision`);
        }
        const now = this.#now();
        // The status message is the deliverer's to record: a run read before it was posted
        // keeps it.
        const shown = stored.submission.pipeline;
        const kept =
          !run.statusMessage && shown?.attempt === run.attempt && shown.statusMessage
            ? { ...run, statusMessage: shown.statusMessage }
            : run;
        // Every stored change of the run is progress (the watchdog's sweep: pipeline/sweep.ts).
        const fields: Record<string, unknown> = { pipeline: { ...kept, progressAt: now } };
        let status = stored.submission.status;
        if (change) {
          const from = stored.submission.status;
          const to = nextStatus(from, change.action);
          // Firestore wants every read of a transaction before its first write: the service
          // record and the service's lock are read first, written after.
          const writeLive =
            to === 'live'
              ? await goLiveIn(this.#db, tx, liveOf(stored.submission, run, now))
              : undefined;
          // Live or failed: the next pipeline on the service may go, in this same commit.
          const writeTurn = await this.#endTurn(tx, stored.submission, to);
          writeLive?.();
          writeTurn?.();
          status = to;
          const seq = stored.auditSeq + 1;
          const event: AuditEvent = {
            at: now,
            actor: change.actor,
            action: change.action,
            from,
            to,
            ...(change.detail ? { detail: change.detail } : {}),
          };
          Object.assign(fields, { status: to, updatedAt: now, lastEvent: event, auditSeq: seq });
          abortIfLate(signal);
          tx.create(this.#auditRef(sid, seq), auditToDoc(event, seq));
        }
        fields.tracking = needsTracking(status, run);
        const update = {
          ...(toFirestoreValue(fields) as Record<string, unknown>),
          ...enqueue(outboxFromDoc(sid, snap.data()), stored.submission.revision, messages),
        };
        abortIfLate(signal);
        tx.update(ref, update);
        return submissionFromDoc(
          sid,
          toFirestoreValue({ ...snap.data(), ...fields }) as Record<string, unknown>,
        ).submission;
      }),
    );
    return this.#told({ submission: saved, applied: true }, messages).submission;
  }

  async claimTurn(id: string): Promise<TurnClaim> {
    const sid = submissionId(id);
    return this.#run(`asking for the turn of ${sid} on its service`, sid, async (signal) => {
      const waiting = await this.#stillWaiting(sid);
      if (waiting) return { kind: 'waiting' as const, for: waiting };
      return this.#transaction(signal, async (tx) => {
        const snap = await tx.get(this.#submissionRef(sid));
        if (!snap.exists) throw notFound(sid);
        const { submission } = submissionFromDoc(sid, snap.data());
        // Read in the transaction: a cancel committed meanwhile never ends up holding.
        const run = submission.pipeline;
        if (!run || !isWorking(submission.status)) return { kind: 'ended' as const };
        abortIfLate(signal);
        return askForTurn(this.#lockScope(tx), submission, run, this.#now());
      });
    });
  }

  // ---- the watchdog ------------------------------------------------------------------------

  /** One indexed query (tracking, pipeline.progressAt): only pipelines quiet since `before`. */
  async quietSince(options: {
    before: Date;
    limit?: number;
    after?: QuietPipeline;
  }): Promise<QuietPipeline[]> {
    const limit = listLimit(options.limit);
    return this.#run('looking for pipelines without progress', undefined, async () => {
      const beats = await heartbeats(this.#db);
      let query = this.#db
        .collection(COLLECTIONS.submissions)
        .where('tracking', '==', true)
        .where('pipeline.progressAt', '<', options.before)
        .orderBy('pipeline.progressAt')
        .orderBy(FieldPath.documentId());
      const { after } = options;
      if (after) query = query.startAfter(after.progressAt, after.submission.id);
      const snap = await query.limit(limit).get();
      return snap.docs.flatMap((d) => {
        const { submission, owner } = submissionFromDoc(d.id, d.data());
        const progressAt = submission.pipeline?.progressAt;
        // Its owner's lease is that instance's heartbeat (gone: lapsed long ago).
        const lease = owner ? { owner, until: beats.get(owner) ?? new Date(0) } : undefined;
        return progressAt ? [{ submission, progressAt, ...(lease ? { lease } : {}) }] : [];
      });
    });
  }

  async recordStall(id: string, stall: StallNote): Promise<ChangeResult> {
    const sid = submissionId(id);
    const context = {
      actor: stall.actor,
      // Once per attempt: the same request id again writes nothing (`applied: false`).
      requestId: `watchdog:${sid}:attempt-${stall.attempt}:stalled`,
      detail: stall.detail,
    };
    return this.#change(
      `noting that ${sid} makes no progress`,
      sid,
      context,
      'stall',
      'stalled',
      (current, now) => {
        const run = current.pipeline;
        const same =
          run?.attempt === stall.attempt &&
          run.progressAt?.getTime() === stall.progressAt.getTime() &&
          isWorking(current.status);
        if (!same) throw new StoreError('conflict', `${sid} moved on since it was found quiet`);
        return {
          fields: {},
          event: {
            at: now,
            actor: stall.actor,
            action: 'stalled',
            requestId: context.requestId,
            detail: stall.detail,
          },
          isLastEvent: false,
        };
      },
      stall.messages,
    );
  }

  /** Whom `sid` still waits for, when plain reads show nothing changed (service-lock.ts). */
  async #stillWaiting(sid: string): Promise<string | undefined> {
    const snap = await this.#submissionRef(sid).get();
    if (!snap.exists) return undefined;
    const { submission } = submissionFromDoc(sid, snap.data());
    const run = submission.pipeline;
    if (!run || !isWorking(submission.status)) return undefined;
    return stillWaiting(this.#lockPlace(), submission, run, this.#now());
  }

  /** Gives up the service's turn when a change ends `submission`'s pipeline (to `status`). */
  async #endTurn(
    tx: Transaction,
    submission: Submission,
    status: Status | undefined,
  ): Promise<(() => void) | undefined> {
    const run = submission.pipeline;
    if (run && status && !isWorking(status)) {
      return giveUpTurn(this.#lockScope(tx), submission.id, run);
    }
    return undefined;
  }

  #lockScope(tx: Transaction): LockScope {
    return { tx, ...this.#lockPlace() };
  }

  #lockPlace(): Omit<LockScope, 'tx'> {
    return { db: this.#db, submissionRef: (id) => this.#submissionRef(id) };
  }

  // ---- outbox -----------------------------------------------------------------------------

  onEnqueued(listener: (id: string) => void): void {
    this.#enqueued.push(listener);
  }

  undelivered(options: ListOptions & { after?: string } = {}): Promise<OutboxLane[]> {
    return this.#flagged('listing messages to deliver', 'delivering', options, (id, data) => {
      const { lease } = outboxFromDoc(id, data);
      return lease ? { submissionId: id, lease } : { submissionId: id };
    });
  }

  leaseOutbox(id: string, owner: string, ttlMs: number): Promise<boolean> {
    const sid = submissionId(id);
    requireText(owner, 'owner');
    return this.#run(`leasing ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const snap = await tx.get(ref);
        if (!snap.exists) throw notFound(sid);
        const lease = outboxFromDoc(sid, snap.data()).lease;
        const now = this.#now();
        if (lease && lease.owner !== owner && lease.until > now) return false;
        abortIfLate(signal);
        tx.update(
          ref,
          toFirestoreValue({
            outboxLease: { owner, until: new Date(now.getTime() + ttlMs) },
          }) as Record<string, unknown>,
        );
        return true;
      }),
    );
  }

  releaseOutbox(id: string, owner: string): Promise<void> {
    return this.#giveUp(id, (sid, data) => outboxFromDoc(sid, data).lease?.owner === owner, {
      outboxLease: FieldValue.delete(),
    });
  }

  async outbox(
    id: string,
  ): Promise<{ submission: Submission; entries: OutboxEntry[] } | undefined> {
    const sid = submissionId(id);
    return this.#run(`reading the outbox of ${sid}`, undefined, async () => {
      const snap = await this.#submissionRef(sid).get();
      if (!snap.exists) return undefined;
      const { submission } = submissionFromDoc(sid, snap.data());
      return { submission, entries: inOrder(outboxFromDoc(sid, snap.data())) };
    });
  }

  async recordDelivery(
    id: string,
    owner: string,
    key: string,
    what: DeliveryReport,
  ): Promise<void> {
    const sid = submissionId(id);
    await this.#run(`recording a message of ${sid}`, sid, (signal) =>
      this.#transaction(signal, async (tx) => {
        const ref = this.#submissionRef(sid);
        const snap = await tx.get(ref);
        if (!snap.exists) throw notFound(sid);
        const outbox = outboxFromDoc(sid, snap.data());
        if (outbox.lease?.owner !== owner || outbox.lease.until <= this.#now()) {
          throw new StoreError('conflict', `${sid}: this instance no longer delivers its messages`);
        }
        const update = report(outbox, key, what, this.#now());
        if (!update) return;
        // The review message's first post starts the thread everything else replies in.
        const { submission } = submissionFromDoc(sid, snap.data());
        const intent = outbox.entries[key]?.intent;
        if (what.kind === 'sent' && what.ref && intent?.kind === 'review' && !submission.thread) {
          update.thread = { ...what.ref };
        }
        // ...and the status message's, where the run shows its checklist.
        const run = submission.pipeline;
        if (what.kind === 'sent' && what.ref && intent?.kind === 'status') {
          if (run?.attempt === intent.attempt && !run.statusMessage) {
            update['pipeline.statusMessage'] = { ...what.ref };
          }
        }
        abortIfLate(signal);
        tx.update(ref, update);
      }),
    );
  }

  async undeliverable(options: ListOptions = {}): Promise<UndeliveredMessage[]> {
    const limit = listLimit(options.limit);
    return this.#run('listing undelivered messages', undefined, async () => {
      const snap = await this.#db
        .collection(COLLECTIONS.submissions)
        .where('undeliverable', '==', true)
        .limit(limit)
        .get();
      return snap.docs
        .flatMap((d) => {
          const { submission } = submissionFromDoc(d.id, d.data());
          return inOrder(outboxFromDoc(d.id, d.data()))
            .filter((entry) => entry.state === 'failed')
            .map((entry) => ({ submission, entry }));
        })
        .sort((a, b) => b.submission.id.localeCompare(a.submission.id));
    });
  }
}

// ---- helpers --------------------------------------------------------------------------------

/** A decision taken on `revision` is refused when the submission is at another one now. */
function atRevision(current: Submission, revision: number): void {
  if (current.revision !== revision) {
    throw new StoreError(
      'invalid_transition',
      `${current.id} is at revision ${current.revision}, not ${revision}`,
    );
  }
}

/**
 * The approval a resubmission voids: the one of an approved submission whose pipeline has
 * not started. Once it has, the status machine's `approved -> submitted` is refused here.
 */
function voidedApproval(current: Submission): Submission['approval'] {
  if (current.status !== 'approved') return undefined;
  if (!approvalNotStarted(current)) {
    throw new StoreError(
      'invalid_transition',
      `${current.id} is already being built, so its approval stands; cancel it to stop the deployment, then submit again`,
    );
  }
  return current.approval;
}

/**
 * What a resubmission from failed or cancelled follows ("failed at step X", "cancelled"),
 * or undefined from any other status. Refused while the run is still winding down (its
 * end not yet told by the tracker): clearing it then would lose that message.
 */
function endedRun(current: Submission): string | undefined {
  if (current.status !== 'failed' && current.status !== 'cancelled') return undefined;
  const run = current.pipeline;
  if (run && needsTracking(current.status, run)) {
    throw new StoreError(
      'invalid_transition',
      `${current.id} is still being ${current.status === 'failed' ? 'stopped' : 'cancelled'}; resubmit once the thread says it ${current.status === 'failed' ? 'failed' : 'was cancelled'}`,
    );
  }
  if (current.status === 'cancelled') return 'cancelled';
  return run?.failure ? `failed at step ${run.failure.step}` : 'failed';
}

/** The audit line of a resubmit: which approval it voided, or which end it follows. */
function resubmitDetail(
  number: number,
  voided: Submission['approval'],
  ended: string | undefined,
): string {
  if (voided)
    return `approval by ${voided.by.name ?? voided.by.userId} voided by revision ${number}`;
  return ended === undefined ? `revision ${number}` : `revision ${number} after ${ended}`;
}

function abortIfLate(signal: AbortSignal): void {
  if (signal.aborted) {
    throw new StoreError('unavailable', UNREACHABLE, { cause: new Error('deadline passed') });
  }
}

function submissionId(text: string): string {
  const id = typeof text === 'string' ? parseSubmissionId(text) : undefined;
  if (!id) throw notFound(String(text));
  return id;
}

function notFound(id: string): StoreError {
  return new StoreError('not_found', `there is no submission ${id}`);
}

function reusedRequest(requestId: string, record: RequestRecord): StoreError {
  return new StoreError(
    'conflict',
    `request ${requestId} was already used for ${record.op}${record.action ? ` (${record.action})` : ''} of ${record.submissionId}`,
  );
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StoreError('internal', `${name} is required`);
  }
}

function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreError('internal', `list limit must be a positive integer, not ${limit}`);
  }
  return Math.min(limit, MAX_LIST_LIMIT);
}
