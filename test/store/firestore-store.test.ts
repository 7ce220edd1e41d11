import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { TransitionError } from '../../src/domain/status.ts';
import type { Approval, Submission } from '../../src/domain/submission.ts';
import { submittedMessages } from '../../src/ports/notifier.ts';
import type { ChangeResult, StoreError } from '../../src/ports/store.ts';
import { FirestoreStore, requestDocId } from '../../src/store/firestore-store.ts';
import { MIN_BLOCK } from '../../src/store/submission-ids.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import {
  APPROVER,
  hold,
  newStore,
  newSubmission,
  OTHER,
  PARTNER,
  rejection,
  requestId,
  steppingClock,
} from './fixtures.ts';

const fs = useTestFirestore();

async function count(path: string): Promise<number> {
  return (await fs.db.collection(path).get()).size;
}

function approval(at = new Date('2026-03-01T10:00:00.000Z')): Approval {
  return { project: 'pg-prod-1', versionLabel: 'v1', promote: true, by: APPROVER, at };
}

describe('create', () => {
  it('stores revision 1 as submitted with the first id and a submit event', async () => {
    const store = newStore(fs);
    const input = newSubmission();
    const { submission, applied } = await store.create(input);
    expect(applied).toBe(true);
    expect(submission).toEqual({
      id: 'PG-0001',
      status: 'submitted',
      partner: PARTNER,
      revision: 1,
      revisions: [
        {
          number: 1,
          spec: input.spec,
          warnings: input.warnings,
          submittedBy: PARTNER,
          submittedAt: new Date('2026-03-01T09:00:00.000Z'),
        },
      ],
      lastEvent: {
        at: new Date('2026-03-01T09:00:00.000Z'),
        actor: PARTNER,
        action: 'submit',
        to: 'submitted',
        requestId: input.requestId,
      },
      createdAt: new Date('2026-03-01T09:00:00.000Z'),
      updatedAt: new Date('2026-03-01T09:00:00.000Z'),
    } satisfies Submission);
    expect(await store.get('PG-0001')).toEqual(submission);
    expect(await store.audit('PG-0001')).toEqual([submission.lastEvent]);
  });

  it('hands out ids in order', async () => {
    const store = newStore(fs);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await store.create(newSubmission())).submission.id);
    expect(ids).toEqual(['PG-0001', 'PG-0002', 'PG-0003']);
  });

  it('writes the documented layout', async () => {
    const store = newStore(fs);
    const input = newSubmission();
    await store.create(input);
    // The counter holds the end of the block this store reserved, not the last id used.
    expect((await fs.db.doc('counters/submissions').get()).data()).toEqual({ value: MIN_BLOCK });
    const doc = (await fs.db.doc('submissions/PG-0001').get()).data();
    expect(doc?.createdAt).toBeInstanceOf(Timestamp);
    expect(doc?.revisions[0].submittedAt).toBeInstanceOf(Timestamp);
    expect(doc).toMatchObject({
      id: 'PG-0001',
      status: 'submitted',
      auditSeq: 1,
      schemaVersion: 1,
    });
    const audit = await fs.db.collection('submissions/PG-0001/audit').get();
    expect(audit.docs.map((d) => d.id)).toEqual(['000001']);
    const request = (await fs.db.doc(`requests/${requestDocId(input.requestId)}`).get()).data();
    expect(request).toMatchObject({
      requestId: input.requestId,
      op: 'create',
      submissionId: 'PG-0001',
    });
    expect(request?.expiresAt).toBeInstanceOf(Timestamp);
  });

  it('drops undefined fields instead of failing', async () => {
    const store = newStore(fs);
    const spec = { ...sampleSpec(), describe: { title: 'Boats', description: undefined } };
    const { submission } = await store.create(newSubmission({ spec: spec as never }));
    expect(submission.revisions[0]?.spec).toEqual({
      ...sampleSpec(),
      describe: { title: 'Boats' },
    });
    expect(await store.get(submission.id)).toEqual(submission);
  });

  it('returns the same submission for a repeated request id and writes nothing', async () => {
    const store = newStore(fs);
    const input = newSubmission();
    const first = await store.create(input);
    const again = await store.create({ ...input, spec: sampleSpec({ PADDING: 0 }) });
    expect(again).toEqual({ submission: first.submission, applied: false });
    expect(await count('submissions')).toBe(1);
    expect(await count('requests')).toBe(1);
    expect(await count('submissions/PG-0001/audit')).toBe(1);
    expect((await fs.db.doc('counters/submissions').get()).get('value')).toBe(MIN_BLOCK);
  });

  it('creates once when the same request arrives ten times at once', async () => {
    const store = newStore(fs);
    const input = newSubmission();
    const results = await Promise.all(Array.from({ length: 10 }, () => store.create(input)));
    expect(new Set(results.map((r) => r.submission.id))).toEqual(new Set(['PG-0001']));
    expect(results.filter((r) => r.applied)).toHaveLength(1);
    expect(await count('submissions')).toBe(1);
  });

  it('gives 20 concurrent creates 20 distinct ids with no gaps', async () => {
    const store = newStore(fs);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.create(newSubmission({ partner: i % 2 ? PARTNER : OTHER })),
      ),
    );
    const ids = results.map((r) => r.submission.id).sort();
    expect(ids).toEqual(
      Array.from({ length: 20 }, (_, i) => `PG-${String(i + 1).padStart(4, '0')}`),
    );
    expect(results.every((r) => r.applied)).toBe(true);
    expect(await count('submissions')).toBe(20);
    expect((await fs.db.doc('counters/submissions').get()).get('value')).toBe(MIN_BLOCK);
  });

  it('keeps ids unique across processes (separate clients racing in Firestore transactions)', async () => {
    // Each store has its own client, as separate bot instances would: each reserves a block
    // of its own in a transaction on the counter and numbers from it.
    const stores = [0, 1, 2].map(() => new FirestoreStore(fs.client(), { now: steppingClock() }));
    const results = await Promise.all(
      stores.map(async (store) => [
        (await store.create(newSubmission())).submission.id,
        (await store.create(newSubmission())).submission.id,
      ]),
    );
    const numbers = results.map((pair) => pair.map((id) => Number(id.slice(3))));
    // Two consecutive numbers per store, from blocks that do not overlap.
    for (const [first, second] of numbers) expect(second).toBe((first ?? 0) + 1);
    expect(numbers.map(([first]) => first).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([
      1,
      1 + MIN_BLOCK,
      1 + 2 * MIN_BLOCK,
    ]);
    expect((await fs.db.doc('counters/submissions').get()).get('value')).toBe(3 * MIN_BLOCK);
  });

  it('refuses a request id already used for something else', async () => {
    const store = newStore(fs);
    const { submission } = await store.create(newSubmission());
    const used = requestId('click');
    await store.apply(submission.id, 'cancel', { actor: PARTNER, requestId: used });
    const error = await rejection(store.create(newSubmission({ requestId: used })));
    expect(error.code).toBe('conflict');
    expect(await count('submissions')).toBe(1);
  });
});

describe('reads', () => {
  it('gets by id in any spelling, undefined when missing or not an id', async () => {
    const store = newStore(fs);
    const { submission } = await store.create(newSubmission());
    expect(await store.get('pg-1')).toEqual(submission);
    expect(await store.get(' PG-0001 ')).toEqual(submission);
    expect(await store.get('1')).toEqual(submission);
    expect(await store.get('PG-0002')).toBeUndefined();
    for (const junk of ['', 'PG-', 'PG-0000', 'a/b', '../counters/submissions', 'PG-1/audit']) {
      expect(await store.get(junk)).toBeUndefined();
    }
  });

  it("lists a partner's own submissions, newest first, limited", async () => {
    const store = newStore(fs);
    await store.create(newSubmission({ partner: PARTNER }));
    await store.create(newSubmission({ partner: OTHER }));
    await store.create(newSubmission({ partner: PARTNER }));
    await store.create(newSubmission({ partner: PARTNER }));
    const mine = await store.listByPartner(PARTNER.userId);
    expect(mine.map((s) => s.id)).toEqual(['PG-0004', 'PG-0003', 'PG-0001']);
    expect((await store.listByPartner(OTHER.userId)).map((s) => s.id)).toEqual(['PG-0002']);
    expect((await store.listByPartner(PARTNER.userId, { limit: 2 })).map((s) => s.id)).toEqual([
      'PG-0004',
      'PG-0003',
    ]);
    expect(await store.listByPartner('UNOBODY')).toEqual([]);
  });

  it('lists everything or some statuses, newest first, limited', async () => {
    const store = newStore(fs);
    for (let i = 0; i < 4; i++)
      await store.create(newSubmission({ partner: i % 2 ? OTHER : PARTNER }));
    await store.apply('PG-0002', 'approve', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { approval: approval() },
    });
    await store.apply('PG-0003', 'reject', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'no' },
    });
    expect((await store.listAll()).map((s) => s.id)).toEqual([
      'PG-0004',
      'PG-0003',
      'PG-0002',
      'PG-0001',
    ]);
    expect((await store.listAll({ statuses: ['submitted'] })).map((s) => s.id)).toEqual([
      'PG-0004',
      'PG-0001',
    ]);
    expect(
      (await store.listAll({ statuses: ['approved', 'rejected', 'failed'] })).map((s) => s.id),
    ).toEqual(['PG-0003', 'PG-0002']);
    expect((await store.listAll({ statuses: [], limit: 1 })).map((s) => s.id)).toEqual(['PG-0004']);
  });

  it('answers not_found for the history of an unknown submission', async () => {
    const store = newStore(fs);
    expect((await rejection(store.audit('PG-0042'))).code).toBe('not_found');
    expect((await rejection(store.audit('nonsense'))).code).toBe('not_found');
  });

  it('refuses to hand out a stored document of the wrong shape', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    await fs.db.doc('submissions/PG-0001').update({ status: 'shipped', 'partner.userId': 7 });
    const error = await rejection(store.get('PG-0001'));
    expect(error.code).toBe('invalid_data');
    expect(error.message).toContain('submission PG-0001');
    expect(error.message).toContain('status');
    expect(error.message).toContain('partner.userId');
    await fs.db.doc('counters/submissions').set({ value: 'many' });
    // A store with no block yet reads the counter.
    expect((await rejection(newStore(fs).create(newSubmission()))).code).toBe('invalid_data');
  });
});

describe('apply', () => {
  it('approves in one go: status, approval, audit event, last event', async () => {
    const store = newStore(fs);
    const created = await store.create(newSubmission());
    const rid = requestId('view:approve');
    const { submission, applied } = await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: rid,
      detail: 'project pg-prod-1',
      patch: { approval: approval() },
    });
    expect(applied).toBe(true);
    const event = {
      at: new Date('2026-03-01T09:00:01.000Z'),
      actor: APPROVER,
      action: 'approve',
      from: 'submitted',
      to: 'approved',
      requestId: rid,
      detail: 'project pg-prod-1',
    };
    expect(submission).toEqual({
      ...created.submission,
      status: 'approved',
      approval: approval(),
      lastEvent: event,
      updatedAt: new Date('2026-03-01T09:00:01.000Z'),
    });
    expect(await store.get('PG-0001')).toEqual(submission);
    expect(await store.audit('PG-0001')).toEqual([created.submission.lastEvent, event]);
  });

  it('keeps the reason of a request for changes and a rejection', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    await store.apply('PG-0001', 'request_changes', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'pin the image' },
    });
    expect(await store.get('PG-0001')).toMatchObject({
      status: 'changes_requested',
      reason: 'pin the image',
    });
    await store.apply('PG-0001', 'reject', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'too big' },
    });
    expect(await store.get('PG-0001')).toMatchObject({ status: 'rejected', reason: 'too big' });
  });

  it('refuses a transition the machine does not allow, with its message, writing nothing', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    await store.apply('PG-0001', 'reject', { actor: APPROVER, requestId: requestId() });
    const before = await store.get('PG-0001');
    const error = await rejection(
      store.apply('PG-0001', 'approve', { actor: APPROVER, requestId: requestId() }),
    );
    expect(error.code).toBe('invalid_transition');
    expect(error.message).toBe(new TransitionError('rejected', 'approve').message);
    expect(error.message).toBe(
      'cannot approve a submission that is rejected (only when waiting for review)',
    );
    expect(await store.get('PG-0001')).toEqual(before);
    expect(await count('submissions/PG-0001/audit')).toBe(2);
    expect(await count('requests')).toBe(2);
  });

  it('answers a repeated request id with applied: false and writes nothing', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const rid = requestId('retry');
    const first = await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: rid,
      patch: { approval: approval() },
    });
    const again = await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: rid,
      patch: { approval: approval() },
    });
    expect(again).toEqual({ submission: first.submission, applied: false });
    expect((await store.audit('PG-0001')).map((e) => e.action)).toEqual(['submit', 'approve']);
  });

  it('refuses a request id reused for another action', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const rid = requestId();
    await store.apply('PG-0001', 'request_changes', { actor: APPROVER, requestId: rid });
    const error = await rejection(
      store.apply('PG-0001', 'reject', { actor: APPROVER, requestId: rid }),
    );
    expect(error.code).toBe('conflict');
    expect((await store.get('PG-0001'))?.status).toBe('changes_requested');
  });

  it('answers not_found for an unknown submission or id', async () => {
    const store = newStore(fs);
    expect(
      (
        await rejection(
          store.apply('PG-0009', 'approve', { actor: APPROVER, requestId: requestId() }),
        )
      ).code,
    ).toBe('not_found');
    expect(
      (await rejection(store.apply('', 'approve', { actor: APPROVER, requestId: requestId() })))
        .code,
    ).toBe('not_found');
    expect(await count('requests')).toBe(0);
  });

  it('lets exactly one of 20 concurrent approvals through', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        store.apply('PG-0001', 'approve', {
          actor: APPROVER,
          requestId: requestId('click'),
          patch: { approval: approval() },
        }),
      ),
    );
    const applied = settled.filter((r) => r.status === 'fulfilled' && r.value.applied);
    const refused = settled.filter(
      (r) => r.status === 'rejected' && (r.reason as StoreError).code === 'invalid_transition',
    );
    expect(applied).toHaveLength(1);
    expect(refused).toHaveLength(19);
    expect((await store.audit('PG-0001')).filter((e) => e.action === 'approve')).toHaveLength(1);
    expect(await count('requests')).toBe(2);
  });

  it('lets exactly one approval through when separate processes race', async () => {
    const stores = [0, 1, 2].map(() => new FirestoreStore(fs.client(), { now: steppingClock() }));
    await stores[0]?.create(newSubmission());
    const settled = await Promise.allSettled(
      stores.map((store) =>
        store.apply('PG-0001', 'approve', {
          actor: APPROVER,
          requestId: requestId('click'),
          patch: { approval: approval() },
        }),
      ),
    );
    const applied = settled.filter(
      (r) => r.status === 'fulfilled' && (r.value as ChangeResult).applied,
    );
    expect(applied).toHaveLength(1);
    // A loser sees the approval, or (the emulator locks parallel transactions on one
    // document until it times them out: firebase-tools#3969, #6758) is told nothing was saved.
    for (const r of settled) {
      if (r.status === 'rejected') {
        expect(['invalid_transition', 'conflict'], String(r.reason)).toContain(
          (r.reason as StoreError).code,
        );
      }
    }
    expect((await fs.db.collection('submissions/PG-0001/audit').get()).size).toBe(2);
  });
});

describe('resubmit', () => {
  it('adds revision n+1 and goes back to submitted, keeping the history', async () => {
    const store = newStore(fs);
    const created = await store.create(newSubmission());
    await store.apply('PG-0001', 'request_changes', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'pin it' },
    });
    const spec = sampleSpec({ image: 'eu.gcr.io/theplayground_repo/my_service@sha256:abc' });
    const rid = requestId('view:resubmit');
    const { submission, applied } = await store.resubmit('PG-0001', {
      actor: PARTNER,
      spec,
      warnings: [],
      requestId: rid,
    });
    expect(applied).toBe(true);
    expect(submission.status).toBe('submitted');
    expect(submission.revision).toBe(2);
    expect(submission.revisions).toEqual([
      created.submission.revisions[0],
      {
        number: 2,
        spec,
        warnings: [],
        submittedBy: PARTNER,
        submittedAt: new Date('2026-03-01T09:00:02.000Z'),
      },
    ]);
    expect(await store.get('PG-0001')).toEqual(submission);
    const audit = await store.audit('PG-0001');
    expect(audit.map((e) => [e.action, e.from, e.to])).toEqual([
      ['submit', undefined, 'submitted'],
      ['request_changes', 'submitted', 'changes_requested'],
      ['resubmit', 'changes_requested', 'submitted'],
    ]);
    expect(audit[2]).toMatchObject({ requestId: rid, detail: 'revision 2', actor: PARTNER });

    const again = await store.resubmit('PG-0001', {
      actor: PARTNER,
      spec,
      warnings: [],
      requestId: rid,
    });
    expect(again).toEqual({ submission, applied: false });
  });

  it('refuses when no changes were requested, adding no revision', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const error = await rejection(
      store.resubmit('PG-0001', {
        actor: PARTNER,
        spec: sampleSpec(),
        warnings: [],
        requestId: requestId(),
      }),
    );
    expect(error.code).toBe('invalid_transition');
    expect(error.message).toContain('cannot resubmit a submission that is waiting for review');
    expect((await store.get('PG-0001'))?.revisions).toHaveLength(1);
  });

  /** PG-0001 approved, its pipeline leased by bot-a. */
  async function approvedAndLeased() {
    const store = newStore(fs);
    await store.create(newSubmission());
    await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { approval: approval() },
    });
    expect(await hold(store, 'PG-0001', 'bot-a', 60_000)).toBe(true);
    return store;
  }

  /** PG-0001 approved, its pipeline leased by bot-a with `run` written; then revision 2. */
  async function resubmittedAfterApproval(run: ReturnType<typeof sampleRun>) {
    const store = await approvedAndLeased();
    await store.saveRun('PG-0001', 'bot-a', run);
    const input = { actor: PARTNER, spec: sampleSpec({ PADDING: 32 }), warnings: [] };
    return { store, resubmitted: store.resubmit('PG-0001', { ...input, requestId: requestId() }) };
  }

  /** PG-0001 approved, built by bot-a and failed with `run`; `resubmitted` sends revision 2. */
  async function resubmittedAfterFailure(run: ReturnType<typeof sampleRun>) {
    const store = await approvedAndLeased();
    const bot = { userId: 'bot', name: 'bot' };
    await store.saveRun('PG-0001', 'bot-a', run, { action: 'start_build', actor: bot });
    await store.saveRun('PG-0001', 'bot-a', run, { action: 'fail', actor: bot });
    const rid = requestId();
    const input = { actor: PARTNER, spec: sampleSpec({ PADDING: 32 }), warnings: [] };
    return { store, resubmitted: () => store.resubmit('PG-0001', { ...input, requestId: rid }) };
  }

  it('voids an approval whose pipeline has not started: approval, run, lease and tracking go, audited', async () => {
    const { store, resubmitted } = await resubmittedAfterApproval(sampleRun());
    const { submission } = await resubmitted;
    expect(submission).toMatchObject({ status: 'submitted', revision: 2 });
    expect(await store.get('PG-0001')).toEqual(submission);
    expect(submission.approval).toBeUndefined();
    expect(submission.pipeline).toBeUndefined();
    const doc = (await fs.db.doc('submissions/PG-0001').get()).data();
    expect(doc?.lease).toBeUndefined();
    expect(doc?.tracking).toBeUndefined();
    expect(await store.inFlight()).toEqual([]);
    expect((await store.audit('PG-0001')).at(-1)).toMatchObject({
      action: 'resubmit',
      from: 'approved',
      to: 'submitted',
      detail: 'approval by alex voided by revision 2',
    });
    // The instance that held it cannot write the run again, lease or not.
    await expect(store.saveRun('PG-0001', 'bot-a', sampleRun())).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(await hold(store, 'PG-0001', 'bot-a', 60_000)).toBe(true);
    const error = await rejection(store.saveRun('PG-0001', 'bot-a', sampleRun()));
    expect(error).toMatchObject({ code: 'conflict' });
    expect(error.message).toContain('its approval was voided by a new revision');
  });

  it('after a failure, once told: revision n+1 clears the approval and run, audited with the failed step', async () => {
    const { store, resubmitted } = await resubmittedAfterFailure(
      sampleRun({ failure: { step: 'test', detail: 'GET /health answered 500' } }),
    );
    // The tracker still owes the failure's message: nothing is cleared yet.
    const early = await rejection(resubmitted());
    expect(early.code).toBe('invalid_transition');
    expect(early.message).toContain('still being stopped');
    expect(await store.get('PG-0001')).toMatchObject({ status: 'failed', revision: 1 });

    const told = sampleRun({
      failure: { step: 'test', detail: 'GET /health answered 500' },
      announced: { failed: 1 },
    });
    await store.saveRun('PG-0001', 'bot-a', told);
    const { submission } = await resubmitted();
    expect(submission).toMatchObject({ status: 'submitted', revision: 2 });
    expect(submission.approval).toBeUndefined();
    expect(submission.pipeline).toBeUndefined();
    expect(await store.get('PG-0001')).toEqual(submission);
    const doc = (await fs.db.doc('submissions/PG-0001').get()).data();
    expect(doc?.lease).toBeUndefined();
    expect(doc?.tracking).toBeUndefined();
    const audit = await store.audit('PG-0001');
    expect(audit.map((e) => [e.action, e.from, e.to])).toEqual([
      ['submit', undefined, 'submitted'],
      ['approve', 'submitted', 'approved'],
      ['start_build', 'approved', 'building'],
      ['fail', 'building', 'failed'],
      ['resubmit', 'failed', 'submitted'],
    ]);
    expect(audit.at(-1)).toMatchObject({
      actor: PARTNER,
      detail: 'revision 2 after failed at step test',
    });
  });

  it('after a cancel: revision n+1, audited as after the cancel', async () => {
    const { store, resubmitted } = await resubmittedAfterFailure(sampleRun());
    await store.saveRun('PG-0001', 'bot-a', sampleRun({ announced: { failed: 1 } }));
    expect(await store.inFlight()).toEqual([]);
    await store.apply('PG-0001', 'cancel', { actor: PARTNER, requestId: requestId() });
    // The cancellation is still owed to the thread, and a tracker finds it after a crash.
    expect((await store.inFlight()).map((p) => p.submission.id)).toEqual(['PG-0001']);
    expect((await rejection(resubmitted())).message).toContain('still being cancelled');
    await store.saveRun('PG-0001', 'bot-a', sampleRun({ announced: { failed: 1, cancelled: 1 } }));
    const { submission } = await resubmitted();
    expect(submission).toMatchObject({ status: 'submitted', revision: 2 });
    expect(submission.pipeline).toBeUndefined();
    expect((await store.audit('PG-0001')).at(-1)).toMatchObject({
      from: 'cancelled',
      to: 'submitted',
      detail: 'revision 2 after cancelled',
    });
  });

  it('keeps an approval once its build was requested', async () => {
    const { store, resubmitted } = await resubmittedAfterApproval(
      sampleRun({ buildRequested: true }),
    );
    const error = await rejection(resubmitted);
    expect(error.code).toBe('invalid_transition');
    expect(error.message).toContain('already being built');
    expect(await store.get('PG-0001')).toMatchObject({ status: 'approved', revision: 1 });
  });
});

describe('apply at a revision', () => {
  it('refuses a decision taken on another revision, writing nothing', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const error = await rejection(
      store.apply('PG-0001', 'approve', {
        actor: APPROVER,
        requestId: requestId(),
        patch: { approval: approval() },
        revision: 2,
      }),
    );
    expect(error.code).toBe('invalid_transition');
    expect(error.message).toBe('PG-0001 is at revision 1, not 2');
    expect((await store.get('PG-0001'))?.status).toBe('submitted');
    const { submission } = await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { approval: approval() },
      revision: 1,
    });
    expect(submission.status).toBe('approved');
  });
});

describe('thread and refusals', () => {
  it('records the first thread and keeps it unless told to replace it', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const first = await store.setThread('PG-0001', { channel: 'CREVIEW', ts: '1700000000.000100' });
    expect(first.applied).toBe(true);
    expect(first.submission.thread).toEqual({ channel: 'CREVIEW', ts: '1700000000.000100' });
    const second = await store.setThread('PG-0001', {
      channel: 'CREVIEW',
      ts: '1700000000.000200',
    });
    expect(second).toEqual({ submission: first.submission, applied: false });
    const replaced = await store.setThread(
      'PG-0001',
      { channel: 'CREVIEW', ts: '1700000000.000200' },
      { replace: true },
    );
    expect(replaced.applied).toBe(true);
    expect((await store.get('PG-0001'))?.thread).toEqual({
      channel: 'CREVIEW',
      ts: '1700000000.000200',
    });
    expect((await rejection(store.setThread('PG-0404', { channel: 'C', ts: '1' }))).code).toBe(
      'not_found',
    );
  });

  it('audits a refusal once, changing nothing else', async () => {
    const store = newStore(fs);
    const { submission } = await store.create(newSubmission());
    const rid = requestId('action');
    const refusal = { actor: OTHER, requestId: rid, detail: 'approve (not an approver)' };
    const first = await store.recordRefusal('PG-0001', refusal);
    const again = await store.recordRefusal('PG-0001', refusal);
    expect(first).toEqual({ submission, applied: true });
    expect(again).toEqual({ submission, applied: false });
    expect(await store.get('PG-0001')).toEqual(submission);
    const audit = await store.audit('PG-0001');
    expect(audit.map((e) => e.action)).toEqual(['submit', 'refused']);
    expect(audit[1]).toMatchObject({
      actor: OTHER,
      requestId: rid,
      detail: 'approve (not an approver)',
    });
    expect(audit[1]?.from).toBeUndefined();
  });

  it('keeps the audit trail in order through a whole life', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    const steps = [
      'request_changes',
      'resubmit',
      'approve',
      'start_build',
      'start_test',
      'fail',
      'start_deploy',
      'go_live',
    ] as const;
    for (const step of steps) {
      if (step === 'resubmit') {
        await store.resubmit('PG-0001', {
          actor: PARTNER,
          spec: sampleSpec(),
          warnings: [],
          requestId: requestId(),
        });
      } else {
        await store.apply('PG-0001', step, {
          actor: APPROVER,
          requestId: requestId(),
          ...(step === 'approve' ? { patch: { approval: approval() } } : {}),
        });
      }
    }
    await store.recordRefusal('PG-0001', { actor: OTHER, requestId: requestId() });
    const audit = await store.audit('PG-0001');
    expect(audit.map((e) => e.action)).toEqual(['submit', ...steps, 'refused']);
    expect(audit.map((e) => e.at.getTime())).toEqual([...audit.map((e) => e.at.getTime())].sort());
    const stored = await store.get('PG-0001');
    expect(stored?.status).toBe('live');
    expect(stored?.lastEvent?.action).toBe('go_live');
  });
});

describe('image resolutions', () => {
  const at = new Date('2026-03-01T08:59:00.500Z');
  const unresolved = {
    kind: 'unresolved',
    code: 'denied',
    message: 'eu.gcr.io refused to show theplayground_repo/my_service:1.0.3',
    account: 'bot@pg-bot-1.iam.gserviceaccount.com',
    at,
  } as const;
  const resolved = {
    kind: 'resolved',
    digest: `sha256:${'c'.repeat(64)}`,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    at: new Date('2026-03-01T09:10:00.250Z'),
  } as const;

  it('are stored with the revision at create and resubmit, and replaced by an approval', async () => {
    const store = newStore(fs);
    const created = await store.create(newSubmission({ image: unresolved }));
    expect(created.submission.revisions[0]?.image).toEqual(unresolved);
    expect((await store.get('PG-0001'))?.revisions[0]?.image).toEqual(unresolved);

    const approved = await store.apply('PG-0001', 'approve', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { approval: approval(), image: resolved },
    });
    expect(approved.submission.revisions[0]?.image).toEqual(resolved);
    expect(await store.get('PG-0001')).toEqual(approved.submission);
  });

  it('pending at create: found by age, its messages held, recorded once and released then', async () => {
    const store = newStore(fs, { now: () => at });
    const owed = [{ kind: 'review' }, { kind: 'received' }] as const;
    const { submission } = await store.create(
      newSubmission({ imagePending: true, messages: [...owed] }),
    );
    expect(submission.revisions[0]?.image).toBeUndefined();
    expect((await store.outbox('PG-0001'))?.entries).toEqual([]);
    expect(await store.pendingImages({ before: at })).toEqual([]);
    const later = new Date(at.getTime() + 1);
    expect((await store.pendingImages({ before: later })).map((s) => s.id)).toEqual(['PG-0001']);

    const [first, second] = await Promise.all([
      store.recordImage('PG-0001', resolved),
      newStore(fs).recordImage('PG-0001', unresolved),
    ]);
    // Two instances finishing it at once: one records, the other finds it done.
    expect([first?.applied, second?.applied].sort()).toEqual([false, true]);
    const kept = first?.applied ? resolved : unresolved;
    const stored = await store.get('PG-0001');
    expect(stored?.revisions[0]?.image).toEqual(kept);
    expect((await store.outbox('PG-0001'))?.entries.map((e) => e.intent)).toEqual(owed);
    expect(await store.pendingImages({ before: later })).toEqual([]);
    const doc = await fs.db.doc('submissions/PG-0001').get();
    expect(doc.get('imagePendingSince')).toBeUndefined();
    expect(doc.get('heldForImage')).toBeUndefined();
  });

  it('pending at resubmit: the new revision holds its messages until its image is recorded', async () => {
    const store = newStore(fs);
    await store.create(newSubmission({ image: resolved, messages: [{ kind: 'review' }] }));
    await store.apply('PG-0001', 'request_changes', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'push it' },
    });
    const owed = submittedMessages({ revision: 2 }, PARTNER);
    const { submission } = await store.resubmit('PG-0001', {
      actor: PARTNER,
      spec: sampleSpec(),
      warnings: [],
      imagePending: true,
      messages: owed,
      requestId: requestId(),
    });
    expect(submission.revisions.map((r) => r.image)).toEqual([resolved, undefined]);
    const keys = async () => (await store.outbox('PG-0001'))?.entries.map((e) => e.key);
    expect(await keys()).toEqual(['r1_review']);
    expect((await store.pendingImages({ before: new Date(Date.now() + 60_000) })).length).toBe(1);

    expect((await store.recordImage('PG-0001', unresolved)).applied).toBe(true);
    expect((await store.get('PG-0001'))?.revisions.map((r) => r.image)).toEqual([
      resolved,
      unresolved,
    ]);
    expect(await keys()).toEqual(['r1_review', 'r2_review', 'r2_reply_resubmit', 'r2_received']);
  });

  it('pending from a version that held no messages: owes what a first submission owes', async () => {
    const store = newStore(fs);
    await store.create(newSubmission({ imagePending: true }));
    await fs.db.doc('submissions/PG-0001').update({ heldForImage: FieldValue.delete() });
    await store.recordImage('PG-0001', resolved);
    expect((await store.outbox('PG-0001'))?.entries.map((e) => e.intent)).toEqual(
      submittedMessages({ revision: 1 }, PARTNER),
    );
  });

  it('keep the earlier revisions as they were when a new one is resolved', async () => {
    const store = newStore(fs);
    await store.create(newSubmission({ image: unresolved }));
    await store.apply('PG-0001', 'request_changes', {
      actor: APPROVER,
      requestId: requestId(),
      patch: { reason: 'push it' },
    });
    const { submission } = await store.resubmit('PG-0001', {
      actor: PARTNER,
      spec: sampleSpec(),
      warnings: [],
      image: resolved,
      requestId: requestId(),
    });
    expect(submission.revisions.map((r) => r.image)).toEqual([unresolved, resolved]);
    expect((await store.get('PG-0001'))?.revisions.map((r) => r.image)).toEqual([
      unresolved,
      resolved,
    ]);
  });
});
