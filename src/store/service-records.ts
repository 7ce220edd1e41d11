/**
 * Service records on Firestore: who owns each (target project, service), what is live on
 * it, and its own audit trail.
 *
 *   services/{project~service}              the record, auditSeq (last audit number) and
 *                                           lastRequestId (the transfer a retry repeats)
 *   services/{project~service}/audit/{seq}  append-only events: claim, live, transfer, refused,
 *                                           promote, rollback
 *
 * Each function here runs inside a transaction the caller opened (the approval's, the
 * pipeline's go-live, a transfer), reads before it writes, and leaves the rest of the
 * transaction to the caller. A record is one small document: the history is bounded.
 */
import type { DocumentReference, Firestore, Transaction } from '@google-cloud/firestore';
import { z } from 'zod';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import {
  claimService,
  type LiveVersion,
  mayUseService,
  type ServiceEvent,
  type ServiceRecord,
  serviceKey,
  serviceOwnedMessage,
  withLive,
} from '../domain/service-record.ts';
import {
  type Actor,
  type Approval,
  currentRevision,
  type Revision,
  type Submission,
} from '../domain/submission.ts';
import type { TransferInput, TransferResult } from '../ports/services.ts';
import { type RequestContext, StoreError } from '../ports/store.ts';
import type { CoalescedReads } from './coalesced-reads.ts';
import { actor, date, invalid, liveVersion, serviceOperation, toFirestoreValue } from './codec.ts';
import { enqueue, outboxFromDoc } from './outbox.ts';

export const SERVICES = 'services';
const AUDIT = 'audit';

const recordDoc = z.object({
  project: z.string().min(1),
  service: z.string().min(1),
  owner: actor,
  team: z.string().optional(),
  claimedBy: z.object({ submissionId: z.string().min(1), revision: z.number().int().positive() }),
  live: liveVersion.optional(),
  history: z.array(
    z.object({
      submissionId: z.string().min(1),
      revision: z.number().int().positive(),
      version: z.string().min(1),
      at: date,
    }),
  ),
  operation: serviceOperation.optional(),
  createdAt: date,
  updatedAt: date,
  auditSeq: z.number().int().nonnegative(),
  lastRequestId: z.string().optional(),
});

const eventDoc = z.object({
  at: date,
  actor,
  action: z.enum(['claim', 'live', 'transfer', 'refused', 'promote', 'rollback']),
  requestId: z.string().optional(),
  detail: z.string().optional(),
  seq: z.number().int().positive(),
});

/** A record as stored, with its bookkeeping. */
export interface StoredService {
  record: ServiceRecord;
  auditSeq: number;
  lastRequestId?: string;
}

export function serviceRef(db: Firestore, project: string, service: string): DocumentReference {
  return db.collection(SERVICES).doc(serviceKey(project, service));
}

function serviceFromDoc(where: string, data: unknown): StoredService {
  const parsed = recordDoc.safeParse(data);
  if (!parsed.success) throw invalid(`service record ${where}`, parsed.error);
  const { auditSeq, lastRequestId, ...record } = parsed.data;
  return { record: record as ServiceRecord, auditSeq, ...(lastRequestId ? { lastRequestId } : {}) };
}

/** The record of (project, service), read in `tx`; undefined when the service is free. */
export async function readService(
  db: Firestore,
  tx: Transaction,
  project: string,
  service: string,
): Promise<StoredService | undefined> {
  const ref = serviceRef(db, project, service);
  const snap = await tx.get(ref);
  return snap.exists ? serviceFromDoc(ref.path, snap.data()) : undefined;
}

/** Writes the record and one audit event (the next sequence number) in `tx`. */
export function writeService(
  db: Firestore,
  tx: Transaction,
  stored: StoredService | undefined,
  record: ServiceRecord,
  event: ServiceEvent,
  lastRequestId?: string,
): void {
  const seq = (stored?.auditSeq ?? 0) + 1;
  const ref = serviceRef(db, record.project, record.service);
  const kept = lastRequestId ?? stored?.lastRequestId;
  tx.set(
    ref,
    toFirestoreValue({ ...record, auditSeq: seq, lastRequestId: kept }) as Record<string, unknown>,
  );
  tx.create(
    ref.collection(AUDIT).doc(String(seq).padStart(6, '0')),
    toFirestoreValue({ ...event, seq }) as Record<string, unknown>,
  );
}

export interface Claim {
  project: string;
  service: string;
  partner: Actor;
  submissionId: string;
  revision: number;
  /** The approver, for the audit line. */
  by: Actor;
  /** Whether the partner is a member of the record's owning team (asked of Slack beforehand). */
  partnerInTeam: boolean;
}

/**
 * At approval: a free service becomes the partner's; one they (or their team) own stays
 * theirs; anyone else's refuses the approval (StoreError `service_owned`, naming the owner).
 */
export async function claimIn(db: Firestore, tx: Transaction, claim: Claim, now: Date) {
  const stored = await readService(db, tx, claim.project, claim.service);
  if (stored) {
    if (mayUseService(stored.record, claim.partner.userId, claim.partnerInTeam)) return;
    throw new StoreError('service_owned', serviceOwnedMessage(stored.record));
  }
  const record = claimService({ ...claim, owner: claim.partner, at: now });
  const detail = `claimed for ${claim.partner.userId} by ${claim.submissionId} r${claim.revision}`;
  writeService(db, tx, undefined, record, { at: now, actor: claim.by, action: 'claim', detail });
}

/** The claim an approval makes: the submission's service in the approved project. */
export function claimOf(submission: Submission, approval: Approval, partnerInTeam: boolean): Claim {
  return {
    project: approval.project,
    service: currentRevision(submission).spec.service,
    partner: submission.partner,
    submissionId: submission.id,
    revision: submission.revision,
    by: approval.by,
    partnerInTeam,
  };
}

/** What goes live with a run: its version, built from the submission's current revision. */
export function liveOf(submission: Submission, run: PipelineRun, at: Date) {
  const live = liveVersionOf(submission.id, currentRevision(submission), run.versionId, at);
  return { project: run.project, service: run.service, partner: submission.partner, live };
}

/** `version` as a service's live version, built from `revision` of submission `id`. */
export function liveVersionOf(
  id: string,
  revision: Revision,
  version: string,
  at: Date,
): LiveVersion {
  const { spec, image } = revision;
  return {
    version,
    image: spec.image,
    ...(image?.kind === 'resolved' && { digest: image.digest }),
    submissionId: id,
    revision: revision.number,
    spec,
    at,
  };
}

/**
 * When a pipeline goes live: the version becomes the record's live one (a record that
 * does not exist yet, from before records were kept, is claimed for the partner now).
 */
export async function goLiveIn(
  db: Firestore,
  tx: Transaction,
  input: { project: string; service: string; partner: Actor; live: LiveVersion },
): Promise<() => void> {
  const { project, service, partner, live } = input;
  const stored = await readService(db, tx, project, service);
  const base =
    stored?.record ?? claimService({ project, service, owner: partner, ...live, at: live.at });
  const detail = `${live.version} from ${live.submissionId} r${live.revision}`;
  return () =>
    writeService(db, tx, stored, withLive(base, live), {
      at: live.at,
      actor: partner,
      action: 'live',
      detail,
    });
}

/**
 * Gives the service to `input.to`, audited, with the messages it owes on the outbox of the
 * submission that last deployed it (or claimed it). A request id that already transferred
 * it answers `applied: false` and writes nothing.
 */
export async function transferIn(
  db: Firestore,
  tx: Transaction,
  input: TransferInput & { submissionRef: (id: string) => DocumentReference },
  now: Date,
): Promise<TransferResult & { owedBy?: string }> {
  const { project, service, to, actor: by, requestId, messages } = input;
  const stored = await readService(db, tx, project, service);
  if (!stored) {
    throw new StoreError('not_found', `there is no service ${service} in ${project}`);
  }
  const before = stored.record;
  if (stored.lastRequestId === requestId) return { before, after: before, applied: false };
  const owedBy = before.live?.submissionId ?? before.claimedBy.submissionId;
  const submissionRef = input.submissionRef(owedBy);
  const submission = await tx.get(submissionRef);
  const team = input.team ?? before.team;
  const after: ServiceRecord = { ...before, owner: to, ...(team ? { team } : {}), updatedAt: now };
  const detail = `from ${before.owner.userId} to ${to.userId}${input.team ? ` (team ${input.team})` : ''}`;
  writeService(
    db,
    tx,
    stored,
    after,
    { at: now, actor: by, action: 'transfer', requestId, detail },
    requestId,
  );
  const revision = submission.exists ? Number(submission.get('revision')) : undefined;
  const owed = revision
    ? enqueue(
        outboxFromDoc(owedBy, submission.data()),
        revision,
        messages(before, stored.auditSeq + 1),
      )
    : undefined;
  if (owed) tx.update(submissionRef, owed);
  return { before, after, applied: true, ...(owed ? { owedBy } : {}) };
}

/** Audits a refusal on the service's trail, when it has a record. */
export async function refusalIn(
  db: Firestore,
  tx: Transaction,
  project: string,
  service: string,
  context: RequestContext,
  now: Date,
): Promise<void> {
  const stored = await readService(db, tx, project, service);
  if (!stored) return;
  const { actor: who, requestId, detail } = context;
  writeService(db, tx, stored, stored.record, {
    at: now,
    actor: who,
    action: 'refused',
    requestId,
    ...(detail ? { detail } : {}),
  });
}

/**
 * Records of `service` in `projects` (those that exist), in that order, read with `reads`
 * (outside any transaction).
 */
export async function readServiceRecords(
  db: Firestore,
  reads: CoalescedReads,
  service: string,
  projects: readonly string[],
): Promise<ServiceRecord[]> {
  const refs = projects.map((project) => serviceRef(db, project, service));
  const snaps = await reads.get(refs);
  return snaps.flatMap((snap) =>
    snap.exists ? [serviceFromDoc(snap.ref.path, snap.data()).record] : [],
  );
}

/** The service's audit trail, oldest first. */
export async function readServiceAudit(
  db: Firestore,
  project: string,
  service: string,
): Promise<ServiceEvent[]> {
  const snap = await serviceRef(db, project, service).collection(AUDIT).orderBy('seq').get();
  return snap.docs.map((d) => {
    const parsed = eventDoc.safeParse(d.data());
    if (!parsed.success) throw invalid(`service event ${d.ref.path}`, parsed.error);
    const { seq: _seq, ...event } = parsed.data;
    return event;
  });
}
