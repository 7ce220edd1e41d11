// Old versions after a new one took all traffic, through the real pipeline: the emulator,
// the App Engine stand-in, Bolt over HTTP. A short grace and small retention via tuning.
import { describe, expect, it } from 'vitest';
import { type Bot, botPerTest, eventually, FAST_DELIVERY, PROJECTS } from '../slack/harness.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';
import { appEngineClient, seedServiceRecord, seedVersions } from './lifecycle-helpers.ts';

const PROJECT = PROJECTS[0] as string;
const SERVICE = 'my-service';
const GRACE_MS = 1_500;
const OLD = ['old-1', 'old-2', 'old-3', 'old-4'];

/** A bot with a short grace, keeping `keep` of the old versions, and my-service's OLD versions. */
function starter(keep: { keepRunningVersions: number; keepVersions: number }) {
  const newBot = botPerTest({ ...FAST_DELIVERY, lifecycleGraceMs: GRACE_MS, ...keep });
  return async () => {
    const bot = await newBot();
    await seedVersions(bot, { project: PROJECT, service: SERVICE, ids: OLD });
    return bot;
  };
}
const keepOneAndTwo = starter({ keepRunningVersions: 1, keepVersions: 2 });
const keepNone = starter({ keepRunningVersions: 0, keepVersions: 0 });

/** The service's versions in the stand-in: id -> serving status. */
function versionsOf(b: Bot): Record<string, unknown> {
  return Object.fromEntries(
    b.appEngine.versions(PROJECT, SERVICE).map((v) => [v.id, v.servingStatus]),
  );
}

/** Stops and deletes of versions, as the stand-in received them. */
function cleanUps(b: Bot) {
  return [
    ...b.appEngine.requestsTo('PATCH', /\/versions\//),
    ...b.appEngine.requestsTo('DELETE', /\/versions\//),
  ];
}

async function housekept(b: Bot, id: string) {
  return eventually(async () => {
    const run = (await b.store.get(id))?.pipeline;
    expect(run?.housekeeping?.state).toBe('done');
    return run;
  }, 20_000);
}

describe('housekeeping after a version took all traffic', () => {
  it('after the grace, stops older serving versions and deletes those beyond the retention; says so', async () => {
    const b = await keepOneAndTwo();
    await seedServiceRecord(b, PROJECT, {
      history: [{ submissionId: 'PG-0900', revision: 1, version: 'old-3', at: new Date() }],
    });
    const id = await submitAndApprove(b);
    const live = await reaches(b, id, 'live');
    const tookTraffic = live.pipeline?.steps.promote.endedAt?.getTime() ?? 0;
    expect(cleanUps(b)).toEqual([]);
    expect((await b.store.inFlight()).map((p) => p.submission.id)).toEqual([id]);

    const run = await housekept(b, id);
    expect(run?.housekeeping).toMatchObject({
      stopped: [{ version: 'old-3', submissionId: 'PG-0900', revision: 1 }],
      removed: [{ version: 'old-2' }, { version: 'old-1' }],
      keptServing: [{ version: 'old-4' }],
    });
    // Newest previous one kept serving, the next stopped, the two oldest deleted; the live one untouched.
    expect(versionsOf(b)).toEqual({
      'old-3': 'STOPPED',
      'old-4': 'SERVING',
      'pg-0001-r1': 'SERVING',
    });
    expect(b.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ 'pg-0001-r1': 1 });

    // The exact requests, none before the grace had passed.
    const base = `/v1/apps/${PROJECT}/services/${SERVICE}/versions`;
    const [stop, ...moreStops] = b.appEngine.requestsTo('PATCH', /\/versions\//);
    expect(moreStops).toEqual([]);
    expect(stop?.path).toBe(`${base}/old-3`);
    expect(stop?.query).toEqual({ updateMask: 'servingStatus', $alt: 'json;enum-encoding=int' });
    expect(stop?.body).toMatchObject({ servingStatus: 2 }); // STOPPED
    const deletes = b.appEngine.requestsTo('DELETE', /\/versions\//);
    expect(deletes.map((r) => r.path)).toEqual([`${base}/old-2`, `${base}/old-1`]);
    expect(deletes.map((r) => r.body)).toEqual([undefined, undefined]);
    for (const request of cleanUps(b)) {
      expect(request.time).toBeGreaterThanOrEqual(tookTraffic + GRACE_MS);
    }

    // One reply in the thread, and the pipeline is no longer tracked.
    await eventually(() => {
      const replies = thread(b)
        .replies.map((r) => text(r))
        .filter((r) => r.includes('Housekeeping'));
      expect(replies).toHaveLength(1);
      expect(replies[0]).toContain(
        `Housekeeping for \`${SERVICE}\` in \`${PROJECT}\`: stopped \`old-3\` (PG-0900 r1); deleted \`old-2\`, \`old-1\`; kept serving \`old-4\` for rollback.`,
      );
    });
    expect(await b.store.inFlight()).toEqual([]);
  });

  it('spares the versions a running operation needs', async () => {
    const b = await keepNone();
    const at = new Date();
    await seedServiceRecord(b, PROJECT, {
      operation: {
        id: 'op-1',
        kind: 'rollback',
        from: 'old-4',
        to: 'old-2',
        submissionId: 'PG-0900',
        state: 'running',
        at,
      },
    });
    const id = await submitAndApprove(b);
    await reaches(b, id, 'live');
    const run = await housekept(b, id);
    expect(run?.housekeeping?.removed.map((r) => r.version)).toEqual(['old-3', 'old-1']);
    expect(versionsOf(b)).toEqual({
      'old-2': 'SERVING',
      'old-4': 'SERVING',
      'pg-0001-r1': 'SERVING',
    });
    const touched = cleanUps(b).map((r) => r.path.split('/').at(-1));
    expect(touched).not.toContain('old-2');
    expect(touched).not.toContain('old-4');
    expect(touched).not.toContain('pg-0001-r1');
  });

  it('does nothing when the version no longer holds all traffic after the grace', async () => {
    const b = await keepNone();
    const id = await submitAndApprove(b);
    await reaches(b, id, 'live');
    // Within the grace, traffic goes back to an old version (as by hand in the console).
    const adapter = appEngineClient(b);
    await adapter.getOperation((await adapter.promote(PROJECT, SERVICE, 'old-4')).operation);
    expect(b.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ 'old-4': 1 });
    const run = await housekept(b, id);
    expect(run?.housekeeping?.skipped).toBe('pg-0001-r1 holds 0% of the traffic');
    expect(cleanUps(b)).toEqual([]);
    expect(Object.keys(versionsOf(b))).toHaveLength(5);
    expect(b.logs.some((l) => l.message === 'housekeeping: nothing done')).toBe(true);
    expect(thread(b).replies.some((r) => text(r).includes('Housekeeping'))).toBe(false);
  });
});
