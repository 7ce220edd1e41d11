/**
 * One pipeline per (target project, service) at a time, through the real bot: Slack
 * stand-in, Bolt over HTTP, Firestore emulator, Cloud Build and App Engine stand-ins.
 * What is counted is what the outside services saw: when each build was created, and the
 * order App Engine was asked for versions.
 */
import type { Firestore } from '@google-cloud/firestore';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/local/cloud-build/types.ts';
import { createFirestore } from '../../src/store/firestore-client.ts';
import { SERVICE_LOCKS } from '../../src/store/service-lock.ts';
import { emulatorHost } from '../setup/firestore-project.ts';
import { VALID_FORM } from '../slack/fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  FAST_TRACKING,
  PARTNER,
  PROJECTS,
  REVIEW_CHANNEL,
  startBot,
} from '../slack/harness.ts';
import { reaches, submitAndApprove, text } from './flow-helpers.ts';

const bots: Bot[] = [];
const clients: Firestore[] = [];
async function bot(): Promise<Bot> {
  const started = await startBot();
  bots.push(started);
  return started;
}
async function another(first: Bot): Promise<Bot> {
  const started = await first.another();
  bots.push(started);
  return started;
}
afterEach(async () => {
  // Later instances first: the first one owns the stand-ins they use.
  for (const b of bots.splice(0).reverse()) await b.close();
  await Promise.all(clients.splice(0).map((db) => db.terminate()));
});

/**
 * Every build Cloud Build was asked for: the submission it is for, when. A submission's
 * first build goes as `first` scripts it (later ones, e.g. a retry's, as by default).
 */
function recordBuilds(b: Bot, first: Record<string, Scenario> = {}) {
  const created: { id: string; at: number }[] = [];
  b.cloudBuild.onBuildCreated((build) => {
    const tags = (build.request.tags ?? []) as string[];
    const id = tags.find((tag) => /^pg-\d+$/.test(tag))?.toUpperCase() ?? '?';
    const again = created.some((c) => c.id === id);
    created.push({ id, at: Date.now() });
    return again ? undefined : first[id];
  });
  return created;
}

/** The versions App Engine was asked to create, in order. */
function versionCreates(b: Bot): string[] {
  return b.appEngine.requestsTo('POST', /\/versions$/).map((r) => (r.body as { id: string }).id);
}

const slowBuild = (ms: number): Scenario => ({ steps: { wrap: { durationMs: ms } } });

async function wentLiveAt(b: Bot, id: string): Promise<number> {
  const event = (await b.store.audit(id)).find((e) => e.action === 'go_live');
  if (!event) throw new Error(`${id} never went live`);
  return event.at.getTime();
}

/** The replies in `id`'s own review thread. */
async function repliesOf(b: Bot, id: string) {
  const ts = (await b.store.get(id))?.thread?.ts;
  const root = b.api.messages(REVIEW_CHANNEL).find((m) => m.ts === ts);
  if (!root) throw new Error(`${id} has no review message`);
  return root.replies;
}

/** The status message of `id`'s latest attempt as Slack shows it now (once posted). */
function statusOf(b: Bot, id: string) {
  return eventually(async () => {
    const attempt = (await b.store.get(id))?.pipeline?.attempt;
    const message = (await repliesOf(b, id)).findLast((r) =>
      r.text.startsWith(`${id} · attempt ${attempt}`),
    );
    if (!message) throw new Error(`${id} has no status message yet`);
    return text(message);
  });
}

/** Waits until `id` waits for `other`, and its status message says so. */
async function waitsFor(b: Bot, id: string, other: string) {
  await eventually(async () => {
    const turn = (await b.store.get(id))?.pipeline?.turn;
    expect(turn).toMatchObject({ state: 'waiting', for: other });
  }, 15_000);
  await eventually(async () => {
    expect(await statusOf(b, id)).toContain(
      `Waiting for *${other}* (deploying \`my-service\` in \`${PROJECTS[0]}\`) to finish`,
    );
  });
}

/** The lock document of my-service in the default project, as stored. */
async function lockDoc(b: Bot) {
  const db = createFirestore({
    projectId: b.env.GOOGLE_CLOUD_PROJECT as string,
    env: { FIRESTORE_EMULATOR_HOST: emulatorHost() },
  });
  clients.push(db);
  const snap = await db.collection(SERVICE_LOCKS).doc(`${PROJECTS[0]}~my-service`).get();
  return snap.data() as { holder?: string; queue: { id: string }[] } | undefined;
}

/** Both went live, the second's build created only after the first was live. */
async function oneAfterTheOther(
  b: Bot,
  builds: { id: string; at: number }[],
  first: string,
  second: string,
) {
  await reaches(b, first, 'live', 30_000);
  await reaches(b, second, 'live', 30_000);
  expect(builds.map((build) => build.id)).toEqual([first, second]);
  expect(builds[1]?.at).toBeGreaterThanOrEqual(await wentLiveAt(b, first));
  expect(versionCreates(b)).toEqual([first, second].map((id) => `${id.toLowerCase()}-r1`));
  expect(b.appEngine.split(PROJECTS[0] as string, 'my-service')?.allocations).toEqual({
    [`${second.toLowerCase()}-r1`]: 1,
  });
}

describe('one pipeline per service at a time', () => {
  it('a second approved submission for the service waits, says for whom, then runs', async () => {
    const b = await bot();
    const builds = recordBuilds(b, { 'PG-0001': slowBuild(3_000) });
    const first = await submitAndApprove(b);
    await reaches(b, first, 'building');
    const second = await submitAndApprove(b);
    await waitsFor(b, second, first);
    // It waits approved, with no build of its own, and is in the lock's line.
    expect((await b.store.get(second))?.status).toBe('approved');
    expect(builds.map((build) => build.id)).toEqual([first]);
    expect(await lockDoc(b)).toMatchObject({ holder: first, queue: [{ id: second }] });

    await oneAfterTheOther(b, builds, first, second);
    // One milestone when it starts: the started reply, saying it waited and for whom.
    await eventually(async () => {
      const started = (await repliesOf(b, second)).filter((r) => /Pipeline started/.test(r.text));
      expect(started).toHaveLength(1);
      expect(started[0]?.text).toMatch(/after waiting \d+s for \*PG-0001\* to finish/);
    });
    const status = await statusOf(b, second);
    expect(status).not.toContain('Waiting for');
    // Both ended: nobody holds the service, nobody waits.
    expect(await lockDoc(b)).toBeUndefined();
    // The waiting polls called neither Cloud Build nor App Engine for it.
    expect(b.logs.filter((l) => l.message === 'waiting for the service')).toHaveLength(1);
  });

  it('across two bot instances: each drives its own, the second waits for the first', async () => {
    // Neither looks for pipelines of the other's (discovery only at start): each drives
    // the one it approved.
    const own = { ...FAST_TRACKING, discoverMs: 600_000 };
    const a = await startBot({}, own);
    bots.push(a);
    const b = await a.another(own);
    bots.push(b);
    const builds = recordBuilds(a, { 'PG-0001': slowBuild(3_000) });
    const first = await submitAndApprove(a);
    await reaches(a, first, 'building');
    const second = await submitAndApprove(b);
    await waitsFor(b, second, first);
    expect(a.running.tracker.held).toContain(first);
    expect(b.running.tracker.held).toContain(second);
    expect(builds).toHaveLength(1);

    await oneAfterTheOther(a, builds, first, second);
    expect(b.logs.some((l) => l.message === 'waiting for the service')).toBe(true);
    expect(
      b.logs.some(
        (l) => l.message === 'service free: pipeline starts' && l.submissionId === second,
      ),
    ).toBe(true);
  });

  it('across a restart: the new instance finds it still waiting, then runs it', async () => {
    const a = await bot();
    const builds = recordBuilds(a, { 'PG-0001': slowBuild(10_000) });
    const first = await submitAndApprove(a);
    await reaches(a, first, 'building');
    const second = await submitAndApprove(a);
    await waitsFor(a, second, first);
    await a.kill();

    const b = await another(a);
    await eventually(() => expect(b.running.tracker.held).toContain(second), 15_000);
    // Taken over: still waiting, still no build of its own.
    expect((await b.store.get(first))?.status).not.toBe('live');
    expect((await b.store.get(second))?.pipeline?.turn).toMatchObject({ state: 'waiting' });
    expect(builds).toHaveLength(1);

    await oneAfterTheOther(b, builds, first, second);
  });

  it('different services run side by side', async () => {
    const b = await bot();
    const builds = recordBuilds(b, { 'PG-0001': slowBuild(3_000) });
    const first = await submitAndApprove(b);
    await reaches(b, first, 'building');
    const other = await submitAndApprove(b, {}, { ...VALID_FORM, service: 'other-service' });
    await eventually(() => expect(builds).toHaveLength(2), 15_000);
    expect((await b.store.get(first))?.status).not.toBe('live');
    const live = await reaches(b, other, 'live', 30_000);
    expect(live.pipeline?.turn).toEqual({ state: 'holding', since: expect.any(Date) });
    await reaches(b, first, 'live', 30_000);
  });

  it('the first failing lets the second go; its retry then waits for the second', async () => {
    const b = await bot();
    const builds = recordBuilds(b, {
      'PG-0001': { steps: { test: { status: 'FAILURE', durationMs: 2_000 } } },
      'PG-0002': slowBuild(2_000),
    });
    const first = await submitAndApprove(b);
    await reaches(b, first, 'building');
    const second = await submitAndApprove(b);
    await waitsFor(b, second, first);
    await reaches(b, first, 'failed', 30_000);
    await reaches(b, second, 'building', 15_000);
    expect(builds.map((build) => build.id)).toEqual([first, second]);

    // Retry of the failed one asks for its turn again: the second has it now.
    const failure = await eventually(async () => {
      const reply = (await repliesOf(b, first)).find((r) => text(r).includes('"retry"'));
      if (!reply) throw new Error('no failure reply yet');
      return reply;
    });
    await b.click(APPROVER, 'retry', first, {
      message: { ts: failure.ts, channel: failure.channel },
    });
    await waitsFor(b, first, second);
    await reaches(b, second, 'live', 30_000);
    const retried = await reaches(b, first, 'live', 30_000);
    expect(retried.pipeline?.attempt).toBe(2);
    expect(builds.map((build) => build.id)).toEqual([first, second, first]);
    expect(builds[2]?.at).toBeGreaterThanOrEqual(await wentLiveAt(b, second));
  });

  it('a cancelled waiting submission leaves the line; the next one goes after the first', async () => {
    const b = await bot();
    const builds = recordBuilds(b, { 'PG-0001': slowBuild(4_000) });
    const first = await submitAndApprove(b);
    await reaches(b, first, 'building');
    const second = await submitAndApprove(b);
    const third = await submitAndApprove(b);
    await waitsFor(b, second, first);
    await waitsFor(b, third, first);
    expect(await lockDoc(b)).toMatchObject({
      holder: first,
      queue: [{ id: second }, { id: third }],
    });

    const answer = await b.command(PARTNER, `cancel ${second}`);
    expect(JSON.stringify(answer.body)).toContain('cancelled');
    expect(await lockDoc(b)).toMatchObject({ holder: first, queue: [{ id: third }] });
    await eventually(async () => expect(await statusOf(b, second)).toContain('Cancelled'));

    await reaches(b, first, 'live', 30_000);
    await reaches(b, third, 'live', 30_000);
    expect(builds.map((build) => build.id)).toEqual([first, third]);
    expect(versionCreates(b)).toEqual([`${first.toLowerCase()}-r1`, `${third.toLowerCase()}-r1`]);
    expect((await b.store.get(second))?.status).toBe('cancelled');
  });
});
