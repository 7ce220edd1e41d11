/**
 * The scheduler's discovery on the emulator with the real FirestoreStore: it reads only
 * the pipelines that may need it (nobody drives them, or their instance's heartbeat
 * lapsed), never every tracked one, and forgets a dead instance once nothing names it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freshSteps } from '../../src/domain/pipeline-run.ts';
import { createLogger } from '../../src/log.ts';
import { Scheduler, type SchedulerOptions } from '../../src/pipeline/scheduler.ts';
import { StoreError } from '../../src/ports/store.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { eventually } from '../helpers/eventually.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { APPROVER, hold, newSubmission, requestId } from '../store/fixtures.ts';

const fs = useTestFirestore();

const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
});

/** A submission approved, with a run stored by `owner` (which then drives it). */
async function tracked(store: FirestoreStore, owner: string, ttlMs: number): Promise<string> {
  const { submission } = await store.create(newSubmission());
  await store.apply(submission.id, 'approve', {
    actor: APPROVER,
    requestId: requestId('approve'),
    patch: { approval: { project: 'pg-prod-1', promote: true, by: APPROVER, at: new Date() } },
  });
  expect(await hold(store, submission.id, owner, ttlMs)).toBe(true);
  await store.saveRun(submission.id, owner, {
    attempt: 1,
    project: 'pg-prod-1',
    service: `svc-${submission.id.toLowerCase()}`,
    versionId: 'v1',
    promote: true,
    image: 'europe-docker.pkg.dev/pg-bot-1/playground/svc:v1',
    steps: freshSteps(),
    announced: {},
  });
  return submission.id;
}

function start(
  store: FirestoreStore,
  owner: string,
  step: SchedulerOptions['step'] = async () => 'unchanged',
): Scheduler {
  const scheduler = new Scheduler({
    store,
    owner,
    logger: createLogger('silent'),
    leaseMs: 30_000,
    tickMs: 10,
    discoverMs: 50,
    callsPerMinute: 6_000,
    backoff: { initialMs: 1_000, factor: 1, maxMs: 1_000 },
    step,
    start: async () => {},
  });
  schedulers.push(scheduler);
  scheduler.run();
  return scheduler;
}

describe('discovery', () => {
  it("takes the pipelines nobody drives and a lapsed instance's, not a live one's, reading only those", async () => {
    const store = new FirestoreStore(fs.db);
    const live = await tracked(store, 'bot-live', 60_000);
    const dead = await tracked(store, 'bot-dead', 300);
    const released = await tracked(store, 'bot-done', 60_000);
    await store.release(released, 'bot-done');
    await new Promise((resolve) => setTimeout(resolve, 400)); // bot-dead's heartbeat lapses
    // Every listing the scheduler asks for, by whom it is owned.
    const asked: unknown[] = [];
    const inFlight = store.inFlight.bind(store);
    store.inFlight = (options) => {
      asked.push(options?.ownedBy);
      return inFlight(options);
    };

    const me = start(store, 'bot-me');
    await eventually(() => expect(me.held.sort()).toEqual([dead, released].sort()));
    expect((await fs.db.doc(`submissions/${dead}`).get()).get('owner')).toBe('bot-me');
    // The dead instance is forgotten once no pipeline names it; the live one stays.
    await eventually(async () => {
      expect((await fs.db.doc('instances/bot-dead').get()).exists).toBe(false);
    });
    expect((await fs.db.doc('instances/bot-live').get()).exists).toBe(true);
    expect(me.held).not.toContain(live);
    // Never a listing of every tracked pipeline: nobody's, or named instances' only.
    expect(asked.length).toBeGreaterThan(2);
    expect(asked.filter((ownedBy) => ownedBy === undefined)).toEqual([]);
    expect(asked).toContainEqual(['bot-dead', 'bot-me']);
  });

  it('a graceful stop ends the heartbeat: another instance takes over at its next discovery', async () => {
    const store = new FirestoreStore(fs.db);
    const id = await tracked(store, 'bot-first', 30_000);
    // Restarted under the same name, it finds the pipeline that names it.
    const first = start(store, 'bot-first');
    await eventually(() => expect(first.held).toEqual([id]));
    const second = start(new FirestoreStore(fs.client()), 'bot-second');
    // The first one's heartbeat is live: the second one does not take its pipeline.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.held).toEqual([]);
    await first.stop();
    await eventually(() => expect(second.held).toEqual([id]), 2_000);
    expect((await fs.db.doc(`submissions/${id}`).get()).get('owner')).toBe('bot-second');
  });

  it('a pipeline whose step was refused while the store still names this instance is taken back', async () => {
    const store = new FirestoreStore(fs.db);
    const id = await tracked(store, 'bot-me', 30_000);
    // One run write refused as if this instance's heartbeat had lapsed (a renewal landing
    // out of order, say): the scheduler lets the pipeline go, but the store still names it.
    let steps = 0;
    const me = start(store, 'bot-me', async () => {
      steps += 1;
      if (steps === 1) throw new StoreError('conflict', `${id}: lease refused once`);
      return 'unchanged';
    });
    await eventually(() => expect(steps).toBeGreaterThanOrEqual(2), 3_000);
    expect(me.held).toEqual([id]);
    expect((await fs.db.doc(`submissions/${id}`).get()).get('owner')).toBe('bot-me');
  });
});
