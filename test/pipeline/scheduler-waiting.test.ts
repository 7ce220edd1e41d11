/**
 * The scheduler and pipelines waiting for their service's turn, on the emulator with the
 * real FirestoreStore; the step is the scheduler's own seam (what a step answered), so the
 * test is about when the scheduler steps what, not about the steps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freshSteps } from '../../src/domain/pipeline-run.ts';
import { createLogger } from '../../src/log.ts';
import { Scheduler } from '../../src/pipeline/scheduler.ts';
import type { StepOutcome } from '../../src/pipeline/steps/context.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { eventually } from '../helpers/eventually.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { APPROVER, hold, newSubmission, requestId } from '../store/fixtures.ts';

const fs = useTestFirestore();
const OWNER = 'bot-test';

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

/** A submission with a run, in flight (found by discovery). */
async function inFlight(store: FirestoreStore, service: string): Promise<string> {
  const { submission } = await store.create(newSubmission());
  await store.apply(submission.id, 'approve', {
    actor: APPROVER,
    requestId: requestId('approve'),
    patch: { approval: { project: 'pg-prod-1', promote: true, by: APPROVER, at: new Date() } },
  });
  await hold(store, submission.id, OWNER);
  await store.saveRun(submission.id, OWNER, {
    attempt: 1,
    project: 'pg-prod-1',
    service,
    versionId: 'v1',
    promote: true,
    image: `europe-docker.pkg.dev/pg-bot-1/playground/${service}:v1`,
    steps: freshSteps(),
    announced: {},
  });
  return submission.id;
}

/** A scheduler whose steps answer what `answer` says and are counted per pipeline. */
function start(
  store: FirestoreStore,
  answer: (id: string) => StepOutcome,
  options: { callsPerMinute: number; backoffMs: number },
) {
  const steps = new Map<string, number>();
  scheduler = new Scheduler({
    store,
    owner: OWNER,
    logger: createLogger('silent'),
    leaseMs: 30_000,
    tickMs: 10,
    discoverMs: 50,
    callsPerMinute: options.callsPerMinute,
    backoff: { initialMs: options.backoffMs, factor: 1, maxMs: options.backoffMs },
    step: async (id) => {
      steps.set(id, (steps.get(id) ?? 0) + 1);
      return answer(id);
    },
    start: async () => {},
  });
  scheduler.run();
  return steps;
}

describe('pipelines waiting for their service', () => {
  it('are asked again on the backoff without spending the call budget', async () => {
    const store = new FirestoreStore(fs.db);
    const waiting = await inFlight(store, 'my-service');
    const busy = await inFlight(store, 'other-service');
    // A burst of two calls, then one per 5 s: one each for the first steps (nobody knows yet
    // that one waits), then the busy pipeline gets a step at most now and then.
    const steps = start(store, (id) => (id === waiting ? 'waiting' : 'unchanged'), {
      callsPerMinute: 12,
      backoffMs: 30,
    });
    await eventually(() => expect(steps.get(waiting)).toBeGreaterThanOrEqual(10), 4_000);
    expect(steps.get(busy) ?? 0).toBeLessThanOrEqual(2);
  });

  it('are asked again at once when a pipeline of this instance ends', async () => {
    const store = new FirestoreStore(fs.db);
    const waiting = await inFlight(store, 'my-service');
    const holder = await inFlight(store, 'my-service');
    let ended = false;
    // A long backoff: without the wake-up the waiting one would be asked in a minute.
    const steps = start(
      store,
      (id) => (id === waiting ? 'waiting' : ended ? 'ended' : 'unchanged'),
      { callsPerMinute: 6_000, backoffMs: 60_000 },
    );
    await eventually(() => {
      expect(steps.get(waiting)).toBe(1);
      expect(steps.get(holder)).toBe(1);
    });
    ended = true;
    await scheduler?.stepNow(holder);
    // Asked again well before its 60 s backoff. At least once: the fake holder "ends" each
    // time discovery finds it again (the store still lists it), waking the waiter each time.
    await eventually(() => expect(steps.get(waiting)).toBeGreaterThanOrEqual(2), 2_000);
  });
});
