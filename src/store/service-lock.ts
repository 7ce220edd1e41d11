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
import type { DocumentReference, Firestore, Transaction } from '@google-cloud/firestore';
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

async function readLock(scope: LockScope, ref: DocumentReference) {
  const snap = await scope.tx.get(ref);
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
async function readOther(scope: LockScope, id: string): Promise<Submission | undefined> {
  const snap = await scope.tx.get(scope.submissionRef(id));
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
  const ref = lockRef(scope.db, run);
  const lock = await readLock(scope, ref);
  const me = queuedTurn(submission, run, now);
  const ended = new Set<string>();
  let first: string | undefined;
  // Reads stop at the first one still running: usually the holder, one read.
  for (const id of goesBefore(lock, me)) {
    if (runsOn(await readOther(scope, id), run.project, run.service)) {
      first = id;
      break;
    }
    ended.add(id);
  }
  const asked = askTurn(lock, me, first, ended, now);
  writeLock(scope, ref, lock, asked.lock);
  return asked.answer;
}

/** `id`'s pipeline ended (live, failed, cancelled): it gives up the service or its place. */
export async function giveUpTurn(scope: LockScope, id: string, run: PipelineRun): Promise<void> {
  const ref = lockRef(scope.db, run);
  const lock = await readLock(scope, ref);
  if (lock) writeLock(scope, ref, lock, leaveTurn(lock, id));
}
