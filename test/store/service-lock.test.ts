/**
 * The service lock of FirestoreStore against the emulator: claimTurn, the release inside
 * the ending transaction (saveRun to live or failed, a cancel), self-healing after a crash,
 * and two store instances (two bot instances) asking at the same moment.
 */
import { describe, expect, it } from 'vitest';
import type { PipelineRun } from '../../src/domain/pipeline-run.ts';
import { waitingRun } from '../../src/domain/service-turn.ts';
import type { Actor } from '../../src/domain/submission.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { SERVICE_LOCKS } from '../../src/store/service-lock.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { APPROVER, hold, newSubmission, requestId } from './fixtures.ts';

const fs = useTestFirestore();
const TTL = 30_000;
const BOT: Actor = { userId: 'pipeline' };
const LOCK = `${SERVICE_LOCKS}/pg-prod-1~my-service`;

/** A run of my-service in pg-prod-1 that has not started a step yet. */
const run = (overrides: Partial<PipelineRun> = {}) =>
  sampleRun({ project: 'pg-prod-1', ...overrides });

/** A submission approved at `approvedAt`, its first run stored under bot-a's lease. */
async function approvedRun(store: FirestoreStore, approvedAt: string, r = run()) {
  const { submission } = await store.create(newSubmission());
  await store.apply(submission.id, 'approve', {
    actor: APPROVER,
    requestId: requestId('approve'),
    patch: {
      approval: { project: 'pg-prod-1', promote: true, by: APPROVER, at: new Date(approvedAt) },
    },
  });
  expect(await hold(store, submission.id, 'bot-a', TTL)).toBe(true);
  await store.saveRun(submission.id, 'bot-a', r);
  return submission.id;
}

async function lock() {
  const data = (await fs.db.doc(LOCK).get()).data();
  return data && { holder: data.holder, queue: data.queue.map((e: { id: string }) => e.id) };
}

describe('claimTurn', () => {
  it('one holds, the others wait in approval order; ending gives the turn to the next', async () => {
    const store = new FirestoreStore(fs.db);
    const a = await approvedRun(store, '2026-03-01T09:00:00Z');
    const c = await approvedRun(store, '2026-03-01T09:02:00Z');
    const b = await approvedRun(store, '2026-03-01T09:01:00Z');
    expect(await store.claimTurn(a)).toEqual({ kind: 'holding' });
    // C asks before B, yet B was approved first and goes first.
    expect(await store.claimTurn(c)).toEqual({ kind: 'waiting', for: a });
    expect(await store.claimTurn(b)).toEqual({ kind: 'waiting', for: a });
    expect(await lock()).toEqual({ holder: a, queue: [b, c] });
    // Asking again changes nothing; the holder asking again still holds.
    expect(await store.claimTurn(c)).toEqual({ kind: 'waiting', for: a });
    expect(await store.claimTurn(a)).toEqual({ kind: 'holding' });
    expect(await lock()).toEqual({ holder: a, queue: [b, c] });

    // A fails: the turn is given up in that commit. C still waits, now for B, who then holds.
    await store.saveRun(a, 'bot-a', run(), { action: 'start_build', actor: BOT });
    await store.saveRun(a, 'bot-a', run(), { action: 'fail', actor: BOT, detail: 'test: no' });
    expect(await lock()).toEqual({ queue: [b, c] });
    expect(await store.claimTurn(c)).toEqual({ kind: 'waiting', for: b });
    expect(await store.claimTurn(b)).toEqual({ kind: 'holding' });
    expect(await lock()).toEqual({ holder: b, queue: [c] });
  });

  it('going live gives up the turn and records the live version in the same commit', async () => {
    const store = new FirestoreStore(fs.db);
    const a = await approvedRun(store, '2026-03-01T09:00:00Z');
    const b = await approvedRun(store, '2026-03-01T09:01:00Z');
    expect(await store.claimTurn(a)).toEqual({ kind: 'holding' });
    expect(await store.claimTurn(b)).toEqual({ kind: 'waiting', for: a });
    for (const action of ['start_build', 'start_test', 'start_deploy', 'go_live'] as const) {
      await store.saveRun(a, 'bot-a', run(), { action, actor: BOT });
    }
    expect(await lock()).toEqual({ queue: [b] });
    expect((await store.get(a))?.status).toBe('live');
    // The service record (read, then written, in the same transaction as the lock) says so.
    expect((await fs.db.doc('services/pg-prod-1~my-service').get()).exists).toBe(true);
    expect(await store.claimTurn(b)).toEqual({ kind: 'holding' });
  });

  it('a cancel leaves the line; a cancelled submission asking again is told it ended', async () => {
    const store = new FirestoreStore(fs.db);
    const a = await approvedRun(store, '2026-03-01T09:00:00Z');
    const b = await approvedRun(store, '2026-03-01T09:01:00Z');
    await store.claimTurn(a);
    await store.claimTurn(b);
    await store.apply(b, 'cancel', { actor: APPROVER, requestId: requestId('cancel') });
    expect(await lock()).toEqual({ holder: a, queue: [] });
    expect(await store.claimTurn(b)).toEqual({ kind: 'ended' });
    expect(await lock()).toEqual({ holder: a, queue: [] });
    // The holder cancelled: nobody is left, the lock document goes.
    await store.apply(a, 'cancel', { actor: APPROVER, requestId: requestId('cancel') });
    expect(await lock()).toBeUndefined();
  });

  it('heals itself: a holder or waiter whose pipeline ended without giving up is passed over', async () => {
    const store = new FirestoreStore(fs.db);
    const a = await approvedRun(store, '2026-03-01T09:00:00Z');
    const b = await approvedRun(store, '2026-03-01T09:01:00Z');
    const c = await approvedRun(store, '2026-03-01T09:02:00Z');
    await store.claimTurn(a);
    await store.claimTurn(b);
    // As an older version or a hand edit would leave it: ended, still named in the lock.
    await fs.db.doc(`submissions/${a}`).update({ status: 'failed' });
    await fs.db.doc(`submissions/${b}`).update({ status: 'cancelled' });
    expect(await store.claimTurn(c)).toEqual({ kind: 'holding' });
    expect(await lock()).toEqual({ holder: c, queue: [] });
    // A lock naming a submission that does not exist blocks nobody either.
    await fs.db.doc(LOCK).set({ holder: 'PG-9999', queue: [] });
    const d = await approvedRun(store, '2026-03-01T09:03:00Z', run({ versionId: 'v4' }));
    await fs.db.doc(`submissions/${c}`).update({ status: 'live' });
    expect(await store.claimTurn(d)).toEqual({ kind: 'holding' });
  });

  it('a waiter whose run says whom it waits for is answered the same until its turn comes', async () => {
    const store = new FirestoreStore(fs.db);
    const a = await approvedRun(store, '2026-03-01T09:00:00Z');
    const b = await approvedRun(store, '2026-03-01T09:01:00Z');
    await store.claimTurn(a);
    await store.claimTurn(b);
    // As the pipeline stores it after the first answer; a wrong name is put right.
    await store.saveRun(b, 'bot-a', waitingRun(run(), 'PG-9999', new Date()));
    expect(await store.claimTurn(b)).toEqual({ kind: 'waiting', for: a });
    await store.saveRun(b, 'bot-a', waitingRun(run(), a, new Date()));
    expect(await store.claimTurn(b)).toEqual({ kind: 'waiting', for: a });
    expect(await lock()).toEqual({ holder: a, queue: [b] });
    await store.apply(a, 'cancel', { actor: APPROVER, requestId: requestId('cancel') });
    expect(await store.claimTurn(b)).toEqual({ kind: 'holding' });
    expect(await lock()).toEqual({ holder: b, queue: [] });
  });

  it('two instances asking at the same moment: exactly one holds', async () => {
    const store = new FirestoreStore(fs.db);
    const ids = await Promise.all(
      ['09:00', '09:01', '09:02', '09:03'].map((t) => approvedRun(store, `2026-03-01T${t}:00Z`)),
    );
    const other = new FirestoreStore(fs.client());
    const answers = await Promise.all(
      ids.map((id, i) => (i % 2 === 0 ? store : other).claimTurn(id)),
    );
    expect(answers.filter((a) => a.kind === 'holding')).toHaveLength(1);
    const state = await lock();
    expect(state?.queue).toHaveLength(3);
    expect([state?.holder, ...(state?.queue ?? [])].sort()).toEqual([...ids].sort());
  });
});
