/**
 * Bot instances' heartbeats: `instances/{owner}` {untilMs, startedAt}, one document per bot
 * instance, renewed on the instance's own timer. A pipeline names its owner instance
 * (`owner` on the submission document); the instance holds it while its heartbeat is
 * live. So renewing costs one write per instance, however many pipelines it drives, and
 * taking over a dead instance's pipelines means finding its lapsed heartbeat.
 *
 * A renewal only ever moves `untilMs` forward (Firestore's server-side maximum): a renewal
 * sent while the database was out of reach may land after a later one, and must not make a
 * live instance look lapsed (its own run writes would then be refused).
 */
import {
  type CollectionReference,
  type DocumentReference,
  type DocumentSnapshot,
  FieldValue,
  type Firestore,
  Timestamp,
  type Transaction,
} from '@google-cloud/firestore';
import { StoreError } from '../ports/store.ts';

const INSTANCES = 'instances';

export function heartbeatRef(db: Firestore, owner: string): DocumentReference {
  return db.collection(INSTANCES).doc(owner);
}

/** Until when the heartbeat in `snap` keeps its instance alive; undefined when there is none. */
function untilOf(snap: DocumentSnapshot | undefined): Date | undefined {
  if (!snap?.exists) return undefined;
  const untilMs: unknown = snap.get('untilMs');
  if (typeof untilMs === 'number') return new Date(untilMs);
  // A heartbeat written by the version before `untilMs`, read during a rolling upgrade.
  const until: unknown = snap.get('until');
  return until instanceof Timestamp ? until.toDate() : undefined;
}

export function isLive(snap: DocumentSnapshot | undefined, now: Date): boolean {
  const until = untilOf(snap);
  return until !== undefined && until > now;
}

/**
 * Renews the heartbeat: one write, which never moves it back. The first beat of a process
 * notes its start.
 */
export async function beat(db: Firestore, owner: string, until: Date, startedAt?: Date) {
  await heartbeatRef(db, owner).set(
    { untilMs: FieldValue.maximum(until.getTime()), ...(startedAt ? { startedAt } : {}) },
    { merge: true },
  );
}

/** Ends the heartbeat now: the instance's pipelines may be taken over at once. */
export async function endBeat(db: Firestore, owner: string, now: Date): Promise<void> {
  await heartbeatRef(db, owner).set({ untilMs: now.getTime() }, { merge: true });
}

/** Every instance's heartbeat expiry, live or lapsed (the collection is small). */
export async function heartbeats(db: Firestore): Promise<Map<string, Date>> {
  const snap = await db.collection(INSTANCES).get();
  return new Map(snap.docs.map((doc) => [doc.id, untilOf(doc) ?? new Date(0)]));
}

/**
 * Deletes a lapsed heartbeat when no tracked pipeline names its instance. The query is read
 * in the transaction, so a claim by that instance committed meanwhile (it renews first)
 * makes the transaction retry and keep the heartbeat: a pipeline never names an instance
 * discovery cannot see.
 */
export async function forgetIn(
  tx: Transaction,
  db: Firestore,
  pipelines: CollectionReference,
  owner: string,
  now: Date,
) {
  const ref = heartbeatRef(db, owner);
  const [snap, named] = await Promise.all([
    tx.get(ref),
    tx.get(pipelines.where('tracking', '==', true).where('owner', '==', owner).limit(1)),
  ]);
  if (snap.exists && !isLive(snap, now) && named.empty) tx.delete(ref);
}

/**
 * Refuses a write of a pipeline's run unless `owner` holds it: the submission names it and
 * its heartbeat (read in the same transaction) is live.
 */
export function requireHolder(
  id: string,
  owner: string,
  named: string | undefined,
  heartbeat: DocumentSnapshot | undefined,
  now: Date,
): void {
  if (named !== owner || !isLive(heartbeat, now)) {
    throw new StoreError('conflict', `${id}: this instance no longer holds the pipeline lease`);
  }
}
