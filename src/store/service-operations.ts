/**
 * Promote and rollback operations on Firestore. The run lives on the submission whose
 * version it makes serve (`operation`, with `tracking` true until it ends, so any instance's
 * tracker drives it); the service record holds its summary (`operation`) and both audit
 * trails a line at its start and at its end. While it runs it holds the service's turn
 * (service-lock.ts), so a pipeline approved meanwhile waits for it.
 *
 * Each function runs inside a transaction the store opened, reads before it writes, and
 * leaves the commit to the caller.
 */
import type { DocumentReference } from '@google-cloud/firestore';
import { needsTracking } from '../domain/run-transitions.ts';
import {
  describeVersion,
  isRunning,
  newOperation,
  type OperationRun,
  promotedRun,
  repeats,
  summaryOf,
} from '../domain/service-operation.ts';
import { type LiveVersion, withLive } from '../domain/service-record.ts';
import type { AuditEvent, Submission } from '../domain/submission.ts';
import { type MessageIntent, operationMessages } from '../ports/notifier.ts';
import type { BeginOperation, BeginOutcome } from '../ports/operations.ts';
import { StoreError } from '../ports/store.ts';
import { auditToDoc, submissionFromDoc, toFirestoreValue } from './codec.ts';
import { heartbeatRef, requireHolder } from './heartbeats.ts';
import { enqueue, outboxFromDoc } from './outbox.ts';
import { giveUpTurn, type LockScope, turnForOperation } from './service-lock.ts';
import { liveVersionOf, readService, writeService } from './service-records.ts';

/** What the operation's transaction works with. */
export interface OperationScope extends LockScope {
  auditRef(id: string, seq: number): DocumentReference;
  now: Date;
}

/** "rollback from v3 (PG-0003 r1) to v2 (PG-0002 r1)", for both trails. */
function moveText(run: Pick<OperationRun, 'kind' | 'from' | 'to'>): string {
  const from = run.from ? ` from ${describeVersion(run.from)}` : '';
  return `${run.kind}${from} to ${describeVersion(run.to)}`;
}

/** The target submission as stored, with its document's bookkeeping. */
async function readTarget(scope: OperationScope, id: string) {
  const snap = await scope.tx.get(scope.submissionRef(id));
  if (!snap.exists) return undefined;
  return { data: snap.data(), ...submissionFromDoc(id, snap.data()) };
}

/** Writes the operation onto its submission: tracked while it runs, audited, messages owed. */
function writeOnSubmission(
  scope: OperationScope,
  target: NonNullable<Awaited<ReturnType<typeof readTarget>>>,
  run: OperationRun,
  event: AuditEvent | undefined,
  messages: MessageIntent[],
): Submission {
  const { submission } = target;
  const promoted = promotedRun(submission.pipeline, run, scope.now);
  const pipeline = promoted ?? submission.pipeline;
  const tracking =
    isRunning(run) || (pipeline !== undefined && needsTracking(submission.status, pipeline));
  const seq = target.auditSeq + 1;
  const fields = {
    operation: run,
    tracking,
    ...(promoted ? { pipeline: promoted } : {}),
    ...(event ? { auditSeq: seq } : {}),
  };
  scope.tx.update(scope.submissionRef(submission.id), {
    ...(toFirestoreValue(fields) as Record<string, unknown>),
    // Tracked and driven by nobody: stored as null, which discovery queries for.
    ...(tracking && !target.owner ? { owner: null } : {}),
    ...enqueue(outboxFromDoc(submission.id, target.data), submission.revision, messages),
  });
  if (event) scope.tx.create(scope.auditRef(submission.id, seq), auditToDoc(event, seq));
  return { ...submission, operation: run, ...(promoted ? { pipeline: promoted } : {}) };
}

export async function beginOperationIn(
  scope: OperationScope,
  input: BeginOperation,
): Promise<BeginOutcome> {
  const { db, tx, now } = scope;
  const stored = await readService(db, tx, input.project, input.service);
  if (!stored) return { kind: 'missing' };
  const last = stored.record.operation;
  if (last && stored.lastRequestId === input.requestId) {
    return { kind: 'running', operation: last, repeat: true };
  }
  const ask = { to: input.plan.to.version, opened: input.opened, from: input.plan.from?.version };
  if (last && (last.state === 'running' || repeats(last, ask))) {
    return { kind: 'running', operation: last, repeat: repeats(last, ask) };
  }
  const live = stored.record.live?.version;
  if (live !== input.live) return { kind: 'stale', ...(live ? { live } : {}) };
  const target = await readTarget(scope, input.plan.to.submissionId);
  if (!target) return { kind: 'missing' };
  const turn = await turnForOperation(scope, target.submission.id, input, now);
  if (turn.kind === 'busy') return { kind: 'busy', submissionId: turn.for };
  const run = newOperation({ ...input, owner: stored.record.owner, now });
  const detail = moveText(run);
  const summary = summaryOf(run);
  turn.write();
  writeService(
    db,
    tx,
    stored,
    { ...stored.record, operation: summary, updatedAt: now },
    { at: now, actor: input.by, action: run.kind, requestId: input.requestId, detail },
    input.requestId,
  );
  const event: AuditEvent = {
    at: now,
    actor: input.by,
    action: run.kind,
    requestId: input.requestId,
    detail: `${detail}: started`,
  };
  const submission = writeOnSubmission(scope, target, run, event, operationMessages(run.id, false));
  return { kind: 'started', operation: run, submission };
}

/**
 * The operation's progress on its submission (which `owner` must hold: heartbeats.ts). At its end
 * the service record learns it too: done makes the target the live version.
 */
export async function saveOperationIn(
  scope: OperationScope,
  id: string,
  owner: string,
  run: OperationRun,
  messages: MessageIntent[],
): Promise<Submission> {
  const { db, tx, now } = scope;
  const target = await readTarget(scope, id);
  if (!target) throw new StoreError('not_found', `there is no submission ${id}`);
  requireHolder(id, owner, target.owner, await tx.get(heartbeatRef(db, owner)), now);
  if (target.submission.operation?.id !== run.id) {
    throw new StoreError('conflict', `${id}: operation ${run.id} is no longer its latest`);
  }
  if (isRunning(run)) return writeOnSubmission(scope, target, run, undefined, messages);
  const stored = await readService(db, tx, run.project, run.service);
  const writeTurn = await giveUpTurn(scope, id, run);
  const outcome = run.phase === 'done' ? 'done' : `failed: ${run.failure ?? 'unknown'}`;
  const detail = `${moveText(run)}: ${outcome}`;
  const event = { at: now, actor: run.by, action: run.kind, detail };
  if (stored) {
    const summarised = { ...stored.record, operation: summaryOf(run), updatedAt: now };
    const record =
      run.phase === 'done' ? withLive(summarised, liveOf(target.submission, run, now)) : summarised;
    writeService(db, tx, stored, record, event);
  }
  writeTurn();
  return writeOnSubmission(scope, target, run, event, messages);
}

/** The target as the record's live version: its revision's spec and image. */
function liveOf(submission: Submission, run: OperationRun, at: Date): LiveVersion {
  const revision = submission.revisions.find((r) => r.number === run.to.revision);
  if (!revision) {
    throw new StoreError('invalid_data', `${submission.id} has no revision ${run.to.revision}`);
  }
  return liveVersionOf(submission.id, revision, run.to.version, at);
}
