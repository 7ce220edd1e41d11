/**
 * The one-pipeline-per-service lock in Firestore (rules in domain/service-turn.ts):
 *
 *   serviceLocks/{project~service}   {holder, since, queue: [{id, at}]}
 *
 * Read and written only inside a transaction of the store, with the submissions it
 * depends on read in the same transaction: a holder or waiter whose pipeline has ended is
 * passed over there, so a lock left by a crash heals itself on the next ask. The store
 * calls these after its own reads and before its writes (Firestore reads come first).
 */
import type {
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  Transaction,
} from '@google-cloud/firestore';
import { z } from 'zod';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import {
  askTurn,
  goesBefore,
  leaveTurn,
  queuedTurn,
  runsOn,
  type ServiceLock,
  serviceLockId,
  type TurnAnswer,
  waitsFor,
} from '../domain/service-turn.ts';
import type { Submission } from '../domain/submission.ts';
import { date, submissionFromDoc, toFirestoreValue } from './codec.ts';

export const SERVICE_LOCKS = 'serviceLocks';

const lockDoc = z.object({
  holder: z.string().min(1).optional(),
  since: date.optional(),
  queue: z.array(z.object({ id: z.string().min(1), at: date })),
});

/** What the lock's transaction works with: the database and where submissions live. */
export interface LockScope {
  tx: Transaction;
  db: Firestore;
  submissionRef(id: string): DocumentReference;
}

function lockRef(db: Firestore, run: Pick<PipelineRun, 'project' | 'service'>) {
  return db.collection(SERVICE_LOCKS).doc(serviceLockId(run.project, run.service));
}

/** How documents are read: in the transaction, or plainly (taking no locks). */
type Read = (ref: DocumentReference) => Promise<DocumentSnapshot>;

const inTransaction =
  (scope: LockScope): Read =>
  (ref) =>
    scope.tx.get(ref);
const plainly: Read = (ref) => ref.get();

async function readLock(read: Read, ref: DocumentReference) {
  const snap = await read(ref);
  if (!snap.exists) return undefined;
  const parsed = lockDoc.safeParse(snap.data());
  // An unreadable lock would block the service for good: it is rebuilt from the asks.
  return parsed.success ? (parsed.data as ServiceLock) : undefined;
}

function writeLock(
  scope: LockScope,
  ref: DocumentReference,
  before: ServiceLock | undefined,
  after: ServiceLock | undefined,
) {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (after) scope.tx.set(ref, toFirestoreValue(after) as Record<string, unknown>);
  else scope.tx.delete(ref);
}

/** Another submission as the lock sees it: unreadable or gone counts as ended. */
async function readOther(
  read: Read,
  scope: Pick<LockScope, 'submissionRef'>,
  id: string,
): Promise<Submission | undefined> {
  const snap = await read(scope.submissionRef(id));
  if (!snap.exists) return undefined;
  try {
    return submissionFromDoc(id, snap.data()).submission;
  } catch {
    return undefined;
  }
}

/**
 * Asks for the turn of `submission`'s working `run` on its service: it holds it when
 * nobody whose pipeline still runs goes before it; else it joins the line (once) and
 * learns whom it waits for.
 */
export async function askForTurn(
  scope: LockScope,
  submission: Submission,
  run: PipelineRun,
  now: Date,
): Promise<TurnAnswer> {
  const read = inTransaction(scope);
  const ref = lockRef(scope.db, run);
  const lock = await readLock(read, ref);
  const me = queuedTurn(submission, run, now);
  const ended = new Set<string>();
  let first: string | undefined;
  // Reads stop at the first one still running: usually the holder, one read.
  for (const id of goesBefore(lock, me)) {
    if (runsOn(await readOther(read, scope, id), run.project, run.service)) {
      first = id;
      break;
    }
    ended.add(id);
  }
  const asked = askTurn(lock, me, first, ended, now);
  writeLock(scope, ref, lock, asked.lock);
  return asked.answer;
}

/**
 * Whom `run` still waits for, when plain reads show it waits for the same one: it is in
 * line and the first before it still runs. Waiters asking again then take no transaction
 * locks on the documents of those ahead (whose pipelines write them as they go); anything
 * else, its turn above all, is decided by askForTurn in a transaction.
 */
export async function stillWaiting(
  scope: Omit<LockScope, 'tx'>,
  submission: Submission,
  run: PipelineRun,
  now: Date,
): Promise<string | undefined> {
  const other = waitsFor(run);
  if (!other) return undefined;
  const lock = await readLock(plainly, lockRef(scope.db, run));
  const [first] = goesBefore(lock, queuedTurn(submission, run, now));
  const inLine = lock?.queue.some((entry) => entry.id === submission.id) ?? false;
  if (!inLine || first !== other) return undefined;
  const runs = runsOn(await readOther(plainly, scope, other), run.project, run.service);
  return runs ? other : undefined;
}

/**
 * `id`'s pipeline ended (live, failed, cancelled), or its promote or rollback: it gives up
 * the service or its place.
 */
export async function giveUpTurn(
  scope: LockScope,
  id: string,
  run: Pick<PipelineRun, 'project' | 'service'>,
): Promise<() => void> {
  const ref = lockRef(scope.db, run);
  const lock = await readLock(inTransaction(scope), ref);
  return () => {
    if (lock) writeLock(scope, ref, lock, leaveTurn(lock, id));
  };
}

/**
 * A promote or rollback of `id`'s version takes the service at once, or not at all: a
 * pipeline that holds it or waits for it (and still runs) goes first, and is named. The
 * answer's `write` holds the service (call it after the transaction's other reads).
 */
export async function turnForOperation(
  scope: LockScope,
  id: string,
  place: Pick<PipelineRun, 'project' | 'service'>,
  now: Date,
): Promise<{ kind: 'holding'; write: () => void } | { kind: 'busy'; for: string }> {
  const read = inTransaction(scope);
  const ref = lockRef(scope.db, place);
  const lock = await readLock(read, ref);
  const me = { id, at: now };
  const ended = new Set<string>();
  for (const other of goesBefore(lock, me)) {
    if (runsOn(await readOther(read, scope, other), place.project, place.service)) {
      return { kind: 'busy', for: other };
    }
    ended.add(other);
  }
  const asked = askTurn(lock, me, undefined, ended, now);
  return { kind: 'holding', write: () => writeLock(scope, ref, lock, asked.lock) };
}
