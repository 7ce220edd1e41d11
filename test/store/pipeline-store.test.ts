/**
 * The pipeline side of FirestoreStore (PipelineStore) against the emulator: heartbeats and
 * claims, saveRun (holder check, status change, audit) and the `tracking` flag and owner
 * behind inFlight.
 */
import { FieldValue, Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { freshSteps, type PipelineRun } from '../../src/domain/pipeline-run.ts';
import type { Action } from '../../src/domain/status.ts';
import type { Actor, AuditEvent } from '../../src/domain/submission.ts';
import type { RunChange } from '../../src/ports/store.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import {
  APPROVER,
  hold,
  type ManualClock,
  manualClock,
  newSubmission,
  rejection,
  requestId,
} from './fixtures.ts';

const fs = useTestFirestore();

const TTL = 30_000;
const BOT: Actor = { userId: 'pipeline', name: 'playground-deploy pipeline' };
const START = '2026-03-01T09:00:00.000Z';

function setup(): { store: FirestoreStore; clock: ManualClock } {
  const clock = manualClock(START);
  return { store: new FirestoreStore(fs.db, { now: clock }), clock };
}

function run(overrides: Partial<PipelineRun> = {}): PipelineRun {
  return {
    attempt: 1,
    project: 'pg-prod-1',
    service: 'pg-0001',
    versionId: 'pg-0001-r1',
    promote: true,
    image: 'europe-docker.pkg.dev/pg-prod-1/playground/pg-0001:pg-0001-r1',
    steps: freshSteps(),
    announced: {},
    ...overrides,
  };
}

function change(action: Action, detail?: string): RunChange {
  return { action, actor: BOT, ...(detail ? { detail } : {}) };
}

/** The stored document, as is (bookkeeping fields included). */
async function raw(id: string): Promise<Record<string, unknown> | undefined> {
  return (await fs.db.doc(`submissions/${id}`).get()).data();
}

async function auditIds(id: string): Promise<string[]> {
  return (await fs.db.collection(`submissions/${id}/audit`).get()).docs.map((d) => d.id);
}

/** A new submission, approved (no pipeline yet). */
async function approved(store: FirestoreStore): Promise<string> {
  const { submission } = await store.create(newSubmission());
  await store.apply(submission.id, 'approve', {
    actor: APPROVER,
    requestId: requestId('approve'),
    patch: {
      approval: { project: 'pg-prod-1', promote: true, by: APPROVER, at: new Date(START) },
    },
  });
  return submission.id;
}

/** A new submission, approved, held by `owner` and building with `r`. */
async function building(store: FirestoreStore, owner = 'bot-a', r = run()): Promise<string> {
  const id = await approved(store);
  expect(await hold(store, id, owner, TTL)).toBe(true);
  await store.saveRun(id, owner, r, change('start_build'));
  return id;
}

async function inFlightIds(store: FirestoreStore): Promise<string[]> {
  return (await store.inFlight()).map((p) => p.submission.id);
}

async function heartbeat(owner: string): Promise<Record<string, unknown> | undefined> {
  return (await fs.db.doc(`instances/${owner}`).get()).data();
}

describe('heartbeat and claim', () => {
  it('is exclusive: the holder claims again, another owner is refused while its heartbeat lives', async () => {
    const { store, clock } = setup();
    const id = await approved(store);
    expect(await hold(store, id, 'bot-a', TTL)).toBe(true);
    expect((await raw(id))?.owner).toBe('bot-a');
    expect(await heartbeat('bot-a')).toEqual({
      untilMs: Date.parse(START) + TTL,
      startedAt: Timestamp.fromDate(new Date(START)),
    });
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    clock.advance(10_000);
    expect(await store.claim(id, 'bot-b')).toBe(false);
    // Renewal moves the heartbeat forward from now; the start stays.
    await store.beat('bot-a', TTL);
    expect(await store.claim(id, 'bot-a')).toBe(true);
    expect(await heartbeat('bot-a')).toEqual({
      untilMs: Date.parse(START) + 10_000 + TTL,
      startedAt: Timestamp.fromDate(new Date(START)),
    });
    // Past the first expiry, the renewed heartbeat still keeps B out.
    clock.advance(TTL - 1);
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    expect((await raw(id))?.owner).toBe('bot-a');
  });

  it('never moves back: a renewal sent earlier that lands late keeps the later expiry', async () => {
    const { store, clock } = setup();
    const id = await building(store, 'bot-a');
    // The same instance's renewal from 20 s ago, held up while the database was out of
    // reach, lands after the renewal that followed it.
    clock.advance(25_000);
    await store.beat('bot-a', TTL);
    const late = new FirestoreStore(fs.db, { now: () => new Date(Date.parse(START) + 5_000) });
    await late.beat('bot-a', TTL);
    expect((await heartbeat('bot-a'))?.untilMs).toBe(Date.parse(START) + 25_000 + TTL);
    clock.advance(TTL - 1);
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    await store.saveRun(id, 'bot-a', run({ buildId: 'b-1' }));
    expect((await store.get(id))?.pipeline?.buildId).toBe('b-1');
  });

  it('reads a heartbeat written before untilMs (a rolling upgrade) by its until', async () => {
    const { store, clock } = setup();
    const id = await approved(store);
    await fs.db
      .doc('instances/old-bot')
      .set({ until: Timestamp.fromMillis(Date.parse(START) + TTL) });
    await fs.db.doc(`submissions/${id}`).update({ owner: 'old-bot' });
    expect(await store.lapsedInstances()).toEqual([]);
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    clock.advance(TTL);
    expect(await store.lapsedInstances()).toContain('old-bot');
    expect(await hold(store, id, 'bot-b', TTL)).toBe(true);
  });

  it('costs one heartbeat write per instance, however many pipelines it holds', async () => {
    const { store } = setup();
    const ids = [await approved(store), await approved(store), await approved(store)];
    await store.beat('bot-a', TTL);
    for (const id of ids) expect(await store.claim(id, 'bot-a')).toBe(true);
    const before = await Promise.all(ids.map(raw));
    await store.beat('bot-a', TTL);
    // Renewing touched no pipeline.
    expect(await Promise.all(ids.map(raw))).toEqual(before);
    expect((await fs.db.collection('instances').get()).docs.map((d) => d.id)).toEqual(['bot-a']);
  });

  it('does not change the submission or its history', async () => {
    const { store } = setup();
    const id = await approved(store);
    const before = await store.get(id);
    const audit = await auditIds(id);
    await hold(store, id, 'bot-a', TTL);
    await hold(store, id, 'bot-b', TTL);
    expect(await store.get(id)).toEqual(before);
    expect(await auditIds(id)).toEqual(audit);
    // An approved submission is in flight (it needs a tracker), held or not.
    expect(await inFlightIds(store)).toEqual([id]);
  });

  it("passes to another owner once the holder's heartbeat has lapsed", async () => {
    const { store, clock } = setup();
    const id = await building(store, 'bot-a');
    clock.advance(TTL - 1);
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    clock.advance(1);
    expect(await store.lapsedInstances()).toEqual(['bot-a']);
    expect(await hold(store, id, 'bot-b', TTL)).toBe(true);
    expect((await raw(id))?.owner).toBe('bot-b');
    // The old holder is now the outsider, even with its heartbeat back.
    expect(await hold(store, id, 'bot-a', TTL)).toBe(false);
    expect((await rejection(store.saveRun(id, 'bot-a', run()))).code).toBe('conflict');
    await store.saveRun(id, 'bot-b', run({ buildId: 'b-1' }));
    expect((await store.get(id))?.pipeline?.buildId).toBe('b-1');
  });

  it('passes at once when the holder ends its heartbeat (a graceful stop)', async () => {
    const { store } = setup();
    const id = await building(store, 'bot-a');
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    await store.endBeat('bot-a');
    expect(await store.lapsedInstances()).toEqual(['bot-a']);
    expect(await store.claim(id, 'bot-b')).toBe(true);
    expect((await rejection(store.saveRun(id, 'bot-a', run()))).code).toBe('conflict');
  });

  it('is refused to an instance whose own heartbeat is not live', async () => {
    const { store, clock } = setup();
    const id = await approved(store);
    // Never beat.
    expect(await store.claim(id, 'bot-a')).toBe(false);
    await store.beat('bot-a', TTL);
    clock.advance(TTL);
    expect(await store.claim(id, 'bot-a')).toBe(false);
    expect(await raw(id)).toHaveProperty('owner', null);
  });

  it('is released only by its owner', async () => {
    const { store } = setup();
    const id = await approved(store);
    expect(await hold(store, id, 'bot-a', TTL)).toBe(true);
    await store.release(id, 'bot-b');
    expect((await raw(id))?.owner).toBe('bot-a');
    expect(await hold(store, id, 'bot-b', TTL)).toBe(false);
    await store.release(id, 'bot-a');
    expect(await raw(id)).toHaveProperty('owner', null);
    expect(await store.claim(id, 'bot-b')).toBe(true);
    // Releasing what one does not hold, or a submission that is not there, is a no-op.
    await store.release(id, 'bot-a');
    await store.release('PG-0099', 'bot-a');
    expect((await raw(id))?.owner).toBe('bot-b');
  });

  it('answers not_found for a submission that is not there', async () => {
    const { store } = setup();
    expect((await rejection(hold(store, 'PG-0042', 'bot-a', TTL))).code).toBe('not_found');
  });

  /** Separate clients, as separate bot instances would have: only the transaction decides. */
  async function instances(clock: ManualClock, id: string, count: number) {
    const stores = Array.from(
      { length: count },
      () => new FirestoreStore(fs.client(), { now: clock }),
    );
    // Connected and beating first, so that the claims really race.
    await Promise.all(stores.map((store, i) => store.beat(`bot-${i}`, TTL)));
    await Promise.all(stores.map((store) => store.get(id)));
    return stores;
  }

  it('goes to exactly one of ten instances claiming at once', async () => {
    const clock = manualClock(START);
    const id = await approved(new FirestoreStore(fs.db, { now: clock }));
    const stores = await instances(clock, id, 10);
    const results = await Promise.all(stores.map((store, i) => store.claim(id, `bot-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = `bot-${results.indexOf(true)}`;
    expect((await raw(id))?.owner).toBe(winner);
    // Only the winner may write.
    const outcomes = await Promise.allSettled(
      stores.map((store, i) => store.saveRun(id, `bot-${i}`, run(), change('start_build'))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'conflict' });
    }
    expect((await stores[0]?.get(id))?.status).toBe('building');
    expect(await auditIds(id)).toHaveLength(3); // submit, approve, start_build
  });

  it("takes over only after the owner's heartbeat lapsed, and then one of two racing claimers wins", async () => {
    const clock = manualClock(START);
    const id = await building(new FirestoreStore(fs.db, { now: clock }), 'bot-dead');
    clock.advance(TTL - 1);
    const stores = await instances(clock, id, 2);
    // Checked in the claiming transaction: the owner is still live.
    expect(await Promise.all(stores.map((store, i) => store.claim(id, `bot-${i}`)))).toEqual([
      false,
      false,
    ]);
    clock.advance(1);
    const results = await Promise.all(stores.map((store, i) => store.claim(id, `bot-${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await raw(id))?.owner).toBe(`bot-${results.indexOf(true)}`);
    // The loser sees a live owner now.
    const loser = results.indexOf(false);
    expect(await stores[loser]?.claim(id, `bot-${loser}`)).toBe(false);
  });

  it('forgets a lapsed instance, never a live one', async () => {
    const { store, clock } = setup();
    await store.beat('bot-a', TTL);
    await store.beat('bot-b', 2 * TTL);
    await store.forgetInstance('bot-a');
    expect(await heartbeat('bot-a')).toBeDefined();
    clock.advance(TTL);
    expect(await store.lapsedInstances()).toEqual(['bot-a']);
    await store.forgetInstance('bot-a');
    await store.forgetInstance('bot-b');
    await store.forgetInstance('bot-gone');
    expect(await heartbeat('bot-a')).toBeUndefined();
    expect(await heartbeat('bot-b')).toBeDefined();
    expect(await store.lapsedInstances()).toEqual([]);
  });

  it('keeps a lapsed instance a tracked pipeline still names, so discovery finds its pipelines', async () => {
    const { store, clock } = setup();
    const id = await approved(store);
    expect(await hold(store, id, 'bot-a', TTL)).toBe(true);
    clock.advance(TTL);
    await store.forgetInstance('bot-a');
    expect(await heartbeat('bot-a')).toBeDefined();
    expect(await store.lapsedInstances()).toEqual(['bot-a']);
  });
});

describe('saveRun', () => {
  it('refuses an owner that does not hold it, and writes nothing', async () => {
    const { store } = setup();
    const id = await approved(store);
    const before = await raw(id);
    const audit = await auditIds(id);
    // Nobody holds it (bot-a's heartbeat is live, but the submission does not name it).
    await store.beat('bot-a', TTL);
    let error = await rejection(store.saveRun(id, 'bot-a', run(), change('start_build')));
    expect(error.code).toBe('conflict');
    // Someone else holds it.
    expect(await hold(store, id, 'bot-b', TTL)).toBe(true);
    const held = await raw(id);
    error = await rejection(store.saveRun(id, 'bot-a', run(), change('start_build')));
    expect(error.code).toBe('conflict');
    error = await rejection(store.saveRun(id, 'bot-a', run()));
    expect(error.code).toBe('conflict');
    expect(await raw(id)).toEqual(held);
    expect({ ...held, owner: undefined }).toEqual({ ...before, owner: undefined });
    expect(await auditIds(id)).toEqual(audit);
  });

  it('refuses a holder whose heartbeat lapsed though the submission still names it, and writes nothing', async () => {
    const { store, clock } = setup();
    const id = await building(store, 'bot-a');
    const before = await raw(id);
    const audit = await auditIds(id);
    clock.advance(TTL);
    // Nobody took it over: it still names bot-a.
    expect(before?.owner).toBe('bot-a');
    const error = await rejection(
      store.saveRun(id, 'bot-a', run({ buildId: 'b-1' }), change('start_test')),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('lease');
    expect(await raw(id)).toEqual(before);
    expect(await auditIds(id)).toEqual(audit);
    // Its heartbeat renewed, it writes again.
    await store.beat('bot-a', TTL);
    expect((await store.saveRun(id, 'bot-a', run(), change('start_test'))).status).toBe('testing');
  });

  it('answers not_found for a submission that is not there', async () => {
    const { store } = setup();
    expect((await rejection(store.saveRun('PG-0042', 'bot-a', run()))).code).toBe('not_found');
  });

  it('moves the status with one audit event in the same write', async () => {
    const { store, clock } = setup();
    const id = await approved(store);
    const before = await store.get(id);
    const audit = await store.audit(id);
    expect(await hold(store, id, 'bot-a', TTL)).toBe(true);
    clock.advance(5_000);
    const at = new Date(Date.parse(START) + 5_000);
    const r = run({ buildId: 'b-1' });
    const saved = await store.saveRun(id, 'bot-a', r, change('start_build', 'attempt 1'));
    const event: AuditEvent = {
      at,
      actor: BOT,
      action: 'start_build',
      from: 'approved',
      to: 'building',
      detail: 'attempt 1',
    };
    expect(saved).toEqual({
      ...before,
      status: 'building',
      // Stamped with the store's clock: the watchdog's sweep reads it.
      pipeline: { ...r, progressAt: at },
      lastEvent: event,
      updatedAt: at,
    });
    expect(await store.get(id)).toEqual(saved);
    expect(await store.audit(id)).toEqual([...audit, event]);
    expect(await auditIds(id)).toEqual(['000001', '000002', '000003']);
    expect((await raw(id))?.auditSeq).toBe(3);
  });

  it('without a change writes only the run: no status change, no audit event', async () => {
    const { store, clock } = setup();
    const id = await building(store);
    const before = await store.get(id);
    const audit = await auditIds(id);
    clock.advance(1_000);
    const r = run({ buildId: 'b-1', steps: { ...freshSteps(), render: { state: 'running' } } });
    const saved = await store.saveRun(id, 'bot-a', r);
    const progressAt = new Date(Date.parse(START) + 1_000);
    expect(saved).toEqual({ ...before, pipeline: { ...r, progressAt } });
    expect(await store.get(id)).toEqual(saved);
    expect(await auditIds(id)).toEqual(audit);
  });

  it('refuses an action the status machine does not allow, and writes nothing', async () => {
    const { store } = setup();
    const id = await building(store, 'bot-a', run({ buildId: 'b-1' }));
    const before = await raw(id);
    const audit = await store.audit(id);
    for (const action of ['go_live', 'start_build', 'approve', 'resubmit'] as const) {
      const error = await rejection(
        store.saveRun(id, 'bot-a', run({ buildId: 'b-2', imageDigest: 'sha256:x' }), {
          action,
          actor: BOT,
          detail: 'nope',
        }),
      );
      expect(error.code).toBe('invalid_transition');
      expect(error.message).toContain('building');
    }
    expect(await raw(id)).toEqual(before);
    expect((await store.get(id))?.status).toBe('building');
    expect((await store.get(id))?.pipeline?.buildId).toBe('b-1');
    expect(await store.audit(id)).toEqual(audit);
  });

  it('refuses a run of the wrong shape with invalid_data, and writes nothing', async () => {
    const { store } = setup();
    const id = await building(store);
    const before = await raw(id);
    const audit = await auditIds(id);
    const bad = { ...run({ attempt: 0 }), project: '' };
    const error = await rejection(store.saveRun(id, 'bot-a', bad, change('start_test')));
    expect(error.code).toBe('invalid_data');
    expect(await raw(id)).toEqual(before);
    expect(await auditIds(id)).toEqual(audit);
  });

  it('round-trips the run exactly, dates and optional fields included', async () => {
    const { store } = setup();
    const id = await building(store);
    const t = (s: number) => new Date(Date.parse(START) + s * 1000 + 123);
    const full: PipelineRun = {
      attempt: 2,
      project: 'pg-prod-1',
      service: 'pg-0001',
      versionId: 'pg-0001-r1-a2',
      promote: false,
      image: 'europe-docker.pkg.dev/pg-prod-1/playground/pg-0001:pg-0001-r1',
      steps: {
        render: { state: 'done', startedAt: t(1), endedAt: t(2) },
        wrap: { state: 'done', startedAt: t(2), endedAt: t(30) },
        test: { state: 'done', startedAt: t(30), endedAt: t(95) },
        push: { state: 'done', startedAt: t(95), endedAt: t(99) },
        deploy: { state: 'failed', startedAt: t(100), endedAt: t(400) },
        promote: { state: 'skipped' },
        verify: { state: 'done', startedAt: t(401), endedAt: t(402) },
      },
      buildId: 'b-123',
      buildLogUrl: 'https://console.cloud.google.com/cloud-build/builds/b-123',
      imageDigest: `sha256:${'a'.repeat(64)}`,
      deployOperation: 'apps/pg-prod-1/operations/op-1',
      promoteOperation: 'apps/pg-prod-1/operations/op-2',
      versionUrl: 'https://pg-0001-r1-a2-dot-pg-0001-dot-pg-prod-1.appspot.com',
      consoleUrl: 'https://console.cloud.google.com/appengine/versions?project=pg-prod-1',
      failure: {
        step: 'deploy',
        detail: 'the version did not become ready',
        logTail: ['line 1', '', 'line 3 ✓'],
        kind: 'deadline',
      },
      statusMessage: { channel: 'C123', ts: '1700000000.000100' },
      announced: { started: 2, failed: 1, live: 0, cancelled: 1 },
      buildTimeoutSeconds: 3000,
      // Always the store's own clock, whatever the run says.
      progressAt: new Date(START),
      checks: [
        { name: 'health', ok: true, detail: '200 {"state": "ready"}' },
        { name: 'process', ok: false, detail: 'HTTP 500: boom' },
      ],
      liveCheck: {
        url: 'https://pg-0001-r1-a2-dot-pg-0001-dot-pg-prod-1.appspot.com',
        ok: true,
        probes: [{ name: 'health', ok: true, status: 200, ms: 41, detail: '200' }],
        at: t(402),
      },
    };
    const saved = await store.saveRun(id, 'bot-a', { ...full, progressAt: t(999) });
    expect(saved.pipeline).toEqual(full);
    const read = await store.get(id);
    expect(read?.pipeline).toEqual(full);
    expect(read?.pipeline?.steps.deploy.startedAt).toBeInstanceOf(Date);
    expect(read?.pipeline?.steps.deploy.startedAt?.getTime()).toBe(t(100).getTime());
    expect((await store.inFlight())[0]?.submission.pipeline).toEqual(full);
  });

  it('replaces the whole run: fields left out of the new one are gone', async () => {
    const { store } = setup();
    const id = await building(
      store,
      'bot-a',
      run({ buildId: 'b-1', imageDigest: 'sha256:x', failure: { step: 'test', detail: 'no' } }),
    );
    // A retry clears the build fields by setting them undefined.
    const retry = run({ attempt: 2, buildId: undefined, imageDigest: undefined });
    const saved = await store.saveRun(id, 'bot-a', retry);
    const progressAt = new Date(START);
    expect(saved.pipeline).toEqual(run({ attempt: 2, progressAt }));
    const read = (await store.get(id))?.pipeline;
    expect(read).toEqual(run({ attempt: 2, progressAt }));
    expect(read).not.toHaveProperty('buildId');
    expect(read).not.toHaveProperty('failure');
  });
});

describe('inFlight and tracking', () => {
  /** Holds `id` for bot-a and saves `r`, with `action` when given. */
  async function save(store: FirestoreStore, id: string, r: PipelineRun, action?: Action) {
    expect(await hold(store, id, 'bot-a', TTL)).toBe(true);
    return store.saveRun(id, 'bot-a', r, action ? change(action) : undefined);
  }

  it('lists a working pipeline with its owner and an approved one not started yet, not a mere submission', async () => {
    const { store } = setup();
    const id = await building(store);
    // Approved, but its instance died before writing a run: a tracker must start it.
    const waiting = await approved(store);
    const { submission: fresh } = await store.create(newSubmission());
    expect(await hold(store, fresh.id, 'bot-b', TTL)).toBe(true); // held, still no pipeline
    const page = await store.inFlight();
    expect(page).toEqual([
      { submission: await store.get(id), owner: 'bot-a' },
      { submission: await store.get(waiting) },
    ]);
    expect(page[0]?.submission).not.toHaveProperty('tracking');
    expect(page[0]?.submission).not.toHaveProperty('owner');
    // Released, it is still in flight, now without an owner.
    await store.release(id, 'bot-a');
    expect((await store.inFlight())[0]).toEqual({ submission: await store.get(id) });
  });

  it('lists only the pipelines nobody drives, or those of the named instances, with ownedBy', async () => {
    const { store } = setup();
    const a = await building(store, 'bot-a');
    const b = await building(store, 'bot-b');
    const c = await building(store, 'bot-c');
    // Approved: nobody drives it yet.
    const fresh = await approved(store);
    const ids = async (ownedBy: null | string[]) =>
      (await store.inFlight({ ownedBy })).map((p) => p.submission.id);
    expect(await ids(null)).toEqual([fresh]);
    expect(await ids(['bot-a', 'bot-c'])).toEqual([a, c]);
    expect(await ids(['bot-gone'])).toEqual([]);
    await store.release(b, 'bot-b');
    expect(await ids(null)).toEqual([b, fresh]);
    // An ended pipeline is not listed, whoever it names.
    await store.saveRun(a, 'bot-a', run({ announced: { started: 1 } }), change('cancel'));
    await store.saveRun(a, 'bot-a', run({ announced: { started: 1, cancelled: 1 } }));
    expect(await ids(['bot-a', 'bot-c'])).toEqual([c]);
    // Firestore takes at most 30 values in one `in` filter.
    const many = Array.from({ length: 31 }, (_, i) => `bot-${i}`);
    expect((await rejection(store.inFlight({ ownedBy: many }))).code).toBe('internal');
  });

  it('keeps each working status listed (approved, building, testing, deploying)', async () => {
    const { store } = setup();
    const id = await approved(store);
    await save(store, id, run());
    expect((await store.get(id))?.status).toBe('approved');
    expect(await inFlightIds(store)).toEqual([id]);
    for (const action of ['start_build', 'start_test', 'start_deploy'] as const) {
      await save(store, id, run(), action);
      expect(await inFlightIds(store)).toEqual([id]);
    }
    expect((await store.get(id))?.status).toBe('deploying');
  });

  it('lists a live pipeline until its outcome is announced for this attempt', async () => {
    const { store } = setup();
    const id = await building(store);
    await save(store, id, run(), 'start_test');
    await save(store, id, run(), 'start_deploy');
    await save(store, id, run(), 'go_live');
    expect((await store.get(id))?.status).toBe('live');
    expect(await inFlightIds(store)).toEqual([id]);
    // Another kind, or another attempt, announced: still to tell.
    await save(store, id, run({ announced: { started: 1, failed: 1 } }));
    expect(await inFlightIds(store)).toEqual([id]);
    await save(store, id, run({ attempt: 2, announced: { live: 1 } }));
    expect(await inFlightIds(store)).toEqual([id]);
    await save(store, id, run({ announced: { started: 1, live: 1 } }));
    expect(await inFlightIds(store)).toEqual([]);
  });

  it('lists a failed pipeline until announced, and again when a retry starts', async () => {
    const { store } = setup();
    const id = await building(store);
    await save(store, id, run(), 'fail');
    expect((await store.get(id))?.status).toBe('failed');
    expect(await inFlightIds(store)).toEqual([id]);
    await save(store, id, run({ announced: { failed: 1 } }));
    expect(await inFlightIds(store)).toEqual([]);
    // Retry: attempt 2 builds again, fails again; attempt 1's announcement does not count.
    await save(store, id, run({ attempt: 2, announced: { failed: 1 } }), 'start_build');
    expect(await inFlightIds(store)).toEqual([id]);
    await save(store, id, run({ attempt: 2, announced: { failed: 1 } }), 'fail');
    expect(await inFlightIds(store)).toEqual([id]);
    await save(store, id, run({ attempt: 2, announced: { failed: 2 } }));
    expect(await inFlightIds(store)).toEqual([]);
  });

  it('lists a cancelled pipeline until the cancellation is announced', async () => {
    const { store } = setup();
    // Cancelled by the pipeline itself.
    const a = await building(store);
    await save(store, a, run(), 'cancel');
    // Cancelled by a person from Slack (apply, not saveRun): the tracker must still wind it down.
    const b = await building(store);
    await store.apply(b, 'cancel', { actor: APPROVER, requestId: requestId('cancel') });
    expect((await store.get(a))?.status).toBe('cancelled');
    expect((await store.get(b))?.status).toBe('cancelled');
    expect(await inFlightIds(store)).toEqual([a, b]);
    await save(store, a, run({ announced: { cancelled: 1 } }));
    expect(await inFlightIds(store)).toEqual([b]);
    await save(store, b, run({ announced: { cancelled: 1 } }));
    expect(await inFlightIds(store)).toEqual([]);
  });

  it('pages through every in-flight submission exactly once with `after`', async () => {
    const { store } = setup();
    const expected: string[] = [];
    for (let i = 0; i < 10; i++) {
      // Every third one is not in flight (submitted, never approved).
      if (i % 3 === 1) {
        await store.create(newSubmission());
      } else {
        const id = await building(store, `bot-${i}`);
        expected.push(id);
      }
    }
    expect(expected).toHaveLength(7);
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.inFlight({ limit: 3, ...(after ? { after } : {}) });
      pages.push(page.map((p) => p.submission.id));
      if (page.length < 3) break;
      after = page.at(-1)?.submission.id;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(expected);
    expect(await store.inFlight({ after: expected.at(-1) })).toEqual([]);
    // Each carries its own owner.
    const all = await store.inFlight({ limit: 200 });
    expect(all.map((p) => p.owner)).toEqual(expected.map((id) => `bot-${Number(id.slice(3)) - 1}`));
  });

  it('rejects a non-positive limit', async () => {
    const { store } = setup();
    expect((await rejection(store.inFlight({ limit: 0 }))).code).toBe('internal');
  });
});

describe('progressAt, quietSince and recordStall (the watchdog)', () => {
  const stall = (attempt: number, progressAt: Date) => ({
    attempt,
    progressAt,
    actor: BOT,
    detail: 'no progress at render for 20m',
    messages: [{ kind: 'stalled' as const, attempt, step: 'render' as const, quietMs: 1_200_000 }],
  });

  it('stamps every saved run with the store clock, and finds only runs quiet since a time', async () => {
    const { store, clock } = setup();
    const quiet = await building(store);
    clock.advance(60_000);
    const busy = await building(store, 'bot-b');
    expect((await store.get(quiet))?.pipeline?.progressAt).toEqual(new Date(START));

    const found = await store.quietSince({ before: new Date(Date.parse(START) + 30_000) });
    expect(found.map((q) => [q.submission.id, q.progressAt, q.lease?.owner])).toEqual([
      [quiet, new Date(START), 'bot-a'],
    ]);
    // Paged in progressAt order.
    const all = await store.quietSince({ before: new Date(Date.parse(START) + 120_000), limit: 1 });
    expect(all.map((q) => q.submission.id)).toEqual([quiet]);
    const next = await store.quietSince({
      before: new Date(Date.parse(START) + 120_000),
      after: all[0],
    });
    expect(next.map((q) => q.submission.id)).toEqual([busy]);
  });

  it('audits a stall once per attempt with its message, and refuses one that moved on', async () => {
    const { store, clock } = setup();
    const id = await building(store);
    const progressAt = new Date(START);
    const first = await store.recordStall(id, stall(1, progressAt));
    expect(first.applied).toBe(true);
    expect((await store.recordStall(id, stall(1, progressAt))).applied).toBe(false);
    const events = (await store.audit(id)).filter((e) => e.action === 'stalled');
    expect(events).toEqual([
      expect.objectContaining({
        actor: BOT,
        detail: 'no progress at render for 20m',
        requestId: `watchdog:${id}:attempt-1:stalled`,
      }),
    ]);
    // Not the last event: the status line still tells the status change.
    expect((await store.get(id))?.lastEvent?.action).toBe('start_build');
    const outbox = (await store.outbox(id))?.entries.map((e) => e.key);
    expect(outbox).toContain('a1_stalled');

    // Progress stored since the sweep read it, or another attempt: nothing is written.
    const moved = await building(store, 'bot-b');
    clock.advance(1_000);
    await store.saveRun(moved, 'bot-b', run({ buildId: 'b-1' }));
    expect((await rejection(store.recordStall(moved, stall(1, progressAt)))).code).toBe('conflict');
    const movedAt = (await store.get(moved))?.pipeline?.progressAt as Date;
    expect((await rejection(store.recordStall(moved, stall(2, movedAt)))).code).toBe('conflict');
    expect((await store.audit(moved)).filter((e) => e.action === 'stalled')).toEqual([]);
  });
});

describe('upgrade', () => {
  it('names no owner on pipelines stored before heartbeats, once per database, so discovery finds them', async () => {
    const { store } = setup();
    const id = await approved(store);
    // As the version before heartbeat leases left it: a lease, no owner field.
    await fs.db.doc(`submissions/${id}`).update({
      owner: FieldValue.delete(),
      lease: { owner: 'old-bot', until: Timestamp.fromMillis(Date.parse(START) + TTL) },
    });
    expect((await store.inFlight({ ownedBy: null })).map((p) => p.submission.id)).toEqual([]);

    await store.upgrade();
    const upgraded = await raw(id);
    expect(upgraded?.owner).toBeNull();
    expect(upgraded).not.toHaveProperty('lease');
    expect((await store.inFlight({ ownedBy: null })).map((p) => p.submission.id)).toEqual([id]);
    expect((await fs.db.doc('counters/upgrades').get()).get('pipelineOwner')).toBe(true);

    // Remembered: a later start reads the marker only and changes nothing.
    await fs.db.doc(`submissions/${id}`).update({ owner: FieldValue.delete() });
    await store.upgrade();
    expect(await raw(id)).not.toHaveProperty('owner');
  });
});
