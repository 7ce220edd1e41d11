import { approvalNotStarted } from '../../src/domain/approval-binding.ts';
import type { ImageResolution } from '../../src/domain/image-resolution.ts';
import { type Action, nextStatus, TransitionError } from '../../src/domain/status.ts';
import {
  type AuditEvent,
  formatSubmissionId,
  newSubmission,
  parseSubmissionId,
  revisionsWithImage,
  type Submission,
  type ThreadRef,
} from '../../src/domain/submission.ts';
import type { MessageIntent } from '../../src/ports/notifier.ts';
import {
  type ApplyOptions,
  type ChangeResult,
  type ListAllOptions,
  type ListOptions,
  type NewSubmission,
  type RequestContext,
  type ResubmitInput,
  StoreError,
  type SubmissionStore,
  type UndeliveredMessage,
} from '../../src/ports/store.ts';

interface Stored {
  submission: Submission;
  audit: AuditEvent[];
}

/**
 * The SubmissionStore contract in memory, for fast use-case tests: ids PG-0001 on, a
 * request id seen before answers the current state with `applied: false` (and `conflict`
 * when it was used for another change), the status machine's refusals are
 * `invalid_transition`, the audit trail records every change and refusal. Reads hand out
 * copies, as a database does. The Firestore store is tested against the same contract
 * on the emulator (test/store/).
 */
export class MemoryStore implements SubmissionStore {
  readonly #submissions = new Map<string, Stored>();
  /** request id -> what it did, to answer a repeated request. */
  readonly #requests = new Map<string, { op: string; id: string }>();
  #counter = 0;
  #clock = 0;
  /** The messages each applied change owed (its outbox entries), in order. */
  readonly owed: { id: string; intent: MessageIntent }[] = [];
  /** Submissions whose revision was stored `imagePending`: since when, what they hold. */
  readonly #imagePending = new Map<string, { since: Date; held: MessageIntent[] }>();

  async create(input: NewSubmission): Promise<ChangeResult> {
    const seen = this.#seen(input.requestId, 'create');
    if (seen) return { submission: this.#copy(seen), applied: false };
    const id = formatSubmissionId(++this.#counter);
    const now = this.#now();
    const { submission, event } = newSubmission({ ...input, id, at: now });
    this.#submissions.set(id, { submission, audit: [event] });
    this.#requests.set(input.requestId, { op: 'create', id });
    if (input.imagePending) this.#imagePending.set(id, { since: now, held: input.messages ?? [] });
    else this.#owe(id, input.messages);
    return { submission: this.#copy(id), applied: true };
  }

  async recordImage(id: string, image: ImageResolution): Promise<ChangeResult> {
    const { submission } = this.#stored(id);
    const pending = this.#imagePending.get(submission.id);
    if (!pending) return { submission: this.#copy(submission.id), applied: false };
    this.#imagePending.delete(submission.id);
    submission.revisions = revisionsWithImage(submission, image);
    this.#owe(submission.id, pending.held);
    return { submission: this.#copy(submission.id), applied: true };
  }

  async pendingImages(options: { before: Date; limit?: number }): Promise<Submission[]> {
    return [...this.#imagePending]
      .filter(([, { since }]) => since < options.before)
      .slice(0, options.limit)
      .map(([id]) => this.#copy(id));
  }

  async get(id: string): Promise<Submission | undefined> {
    const sid = parseSubmissionId(id);
    return sid && this.#submissions.has(sid) ? this.#copy(sid) : undefined;
  }

  async listByPartner(userId: string, options: ListOptions = {}): Promise<Submission[]> {
    return this.#list((s) => s.partner.userId === userId, options.limit);
  }

  async listAll(options: ListAllOptions = {}): Promise<Submission[]> {
    const statuses = options.statuses ?? [];
    return this.#list((s) => statuses.length === 0 || statuses.includes(s.status), options.limit);
  }

  async audit(id: string): Promise<AuditEvent[]> {
    return structuredClone(this.#stored(id).audit);
  }

  async apply(id: string, action: Action, options: ApplyOptions): Promise<ChangeResult> {
    return this.#change(id, options, `apply:${action}`, (current, now) => {
      const to = this.#next(current, action);
      if (options.revision !== undefined && options.revision !== current.revision) {
        throw new StoreError('invalid_transition', `${id} is at revision ${current.revision}`);
      }
      return {
        fields: {
          status: to,
          updatedAt: now,
          ...(options.patch?.approval !== undefined ? { approval: options.patch.approval } : {}),
          ...(options.patch?.reason !== undefined ? { reason: options.patch.reason } : {}),
          ...(options.patch?.image !== undefined
            ? { revisions: revisionsWithImage(current, options.patch.image) }
            : {}),
        },
        event: { action, from: current.status, to },
      };
    });
  }

  async resubmit(id: string, input: ResubmitInput): Promise<ChangeResult> {
    // Held messages are owed when the image is recorded, not with the change.
    const context = input.imagePending ? { ...input, messages: [] } : input;
    return this.#change(id, context, 'resubmit', (current, now) => {
      const to = this.#next(current, 'resubmit');
      const voids = current.status === 'approved';
      if (voids && !approvalNotStarted(current)) {
        throw new StoreError('invalid_transition', `${id} is already being built`);
      }
      // A voided approval goes with its run (Object.assign keeps what is not overwritten).
      if (voids) {
        delete current.approval;
        delete current.pipeline;
      }
      const number = current.revision + 1;
      const revision = {
        number,
        spec: input.spec,
        warnings: input.warnings,
        submittedBy: input.actor,
        submittedAt: now,
        ...(input.image && { image: input.image }),
      };
      if (input.imagePending) {
        this.#imagePending.set(current.id, { since: now, held: input.messages ?? [] });
      }
      return {
        fields: {
          status: to,
          revision: number,
          revisions: [...current.revisions, revision],
          updatedAt: now,
        },
        event: {
          action: 'resubmit',
          from: current.status,
          to,
          detail: input.detail ?? `revision ${number}`,
        },
      };
    });
  }

  async setThread(
    id: string,
    thread: ThreadRef,
    options: { replace?: boolean } = {},
  ): Promise<ChangeResult> {
    const stored = this.#stored(id);
    const current = stored.submission.thread;
    const same = current?.channel === thread.channel && current.ts === thread.ts;
    if (same || (current && !options.replace)) {
      return { submission: this.#copy(stored.submission.id), applied: false };
    }
    stored.submission.thread = { channel: thread.channel, ts: thread.ts };
    return { submission: this.#copy(stored.submission.id), applied: true };
  }

  async recordRefusal(id: string, context: RequestContext): Promise<ChangeResult> {
    return this.#change(id, context, 'refusal', () => ({
      fields: {},
      event: { action: 'refused' },
      refusal: true,
    }));
  }

  /** Nothing is delivered in memory, so nothing fails to be. */
  async undeliverable(): Promise<UndeliveredMessage[]> {
    return [];
  }

  /** Sets fields directly, as the pipeline would (e.g. a run, a failed status), unaudited. */
  put(id: string, fields: Partial<Submission>): void {
    Object.assign(this.#stored(id).submission, fields);
  }

  #change(
    id: string,
    context: RequestContext,
    op: string,
    decide: (
      current: Submission,
      now: Date,
    ) => {
      fields: Partial<Submission>;
      event: Pick<AuditEvent, 'action' | 'from' | 'to' | 'detail'>;
      refusal?: boolean;
    },
  ): ChangeResult {
    const stored = this.#stored(id);
    const sid = stored.submission.id;
    const seen = this.#seen(context.requestId, op, sid);
    if (seen) return { submission: this.#copy(sid), applied: false };
    const now = this.#now();
    const change = decide(stored.submission, now);
    const event: AuditEvent = {
      at: now,
      actor: context.actor,
      requestId: context.requestId,
      ...(context.detail !== undefined ? { detail: context.detail } : {}),
      ...change.event,
    };
    Object.assign(stored.submission, change.fields);
    if (!change.refusal) stored.submission.lastEvent = event;
    stored.audit.push(event);
    this.#requests.set(context.requestId, { op, id: sid });
    this.#owe(sid, (context as { messages?: MessageIntent[] }).messages);
    return { submission: this.#copy(sid), applied: true };
  }

  #owe(id: string, messages: MessageIntent[] = []): void {
    for (const intent of messages) this.owed.push({ id, intent: structuredClone(intent) });
  }

  /** The submission a repeated request made, or undefined for a new request. */
  #seen(requestId: string, op: string, id?: string): string | undefined {
    const record = this.#requests.get(requestId);
    if (!record) return undefined;
    if (record.op !== op || (id !== undefined && record.id !== id)) {
      throw new StoreError('conflict', `request ${requestId} was already used for ${record.op}`);
    }
    return record.id;
  }

  #next(current: Submission, action: Action) {
    try {
      return nextStatus(current.status, action);
    } catch (error) {
      if (error instanceof TransitionError) {
        throw new StoreError('invalid_transition', error.message, { cause: error });
      }
      throw error;
    }
  }

  #stored(id: string): Stored {
    const sid = parseSubmissionId(id);
    const stored = sid ? this.#submissions.get(sid) : undefined;
    if (!stored) throw new StoreError('not_found', `there is no submission ${id}`);
    return stored;
  }

  #list(keep: (s: Submission) => boolean, limit = 50): Submission[] {
    return [...this.#submissions.values()]
      .map((s) => s.submission)
      .filter(keep)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, Math.min(limit, 200))
      .map((s) => this.#copy(s.id));
  }

  #copy(id: string): Submission {
    return structuredClone(this.#stored(id).submission);
  }

  /** Strictly increasing times, so "newest first" is well defined. */
  #now(): Date {
    this.#clock = Math.max(this.#clock + 1, Date.now());
    return new Date(this.#clock);
  }
}
