import { afterEach, describe, expect, it } from 'vitest';
import { currentRevision } from '../../src/domain/submission.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  PARTNER,
  PROJECTS,
  REVIEW_CHANNEL,
  startBot,
} from '../slack/harness.ts';
import { reaches, statusMessage, submitAndApprove, text, thread } from './flow-helpers.ts';

const bots: Bot[] = [];
async function bot(): Promise<Bot> {
  const started = await startBot();
  bots.push(started);
  return started;
}
afterEach(async () => {
  // Later instances first: the first one owns the stand-ins they use.
  for (const b of bots.splice(0).reverse()) await b.close();
});

/** Replies in the review thread of `root` whose text matches. */
function repliesMatching(b: Bot, pattern: RegExp, rootTs?: string) {
  const roots = b.api.messages(REVIEW_CHANNEL).filter((m) => !rootTs || m.ts === rootTs);
  return roots.flatMap((m) => m.replies).filter((r) => pattern.test(text(r)));
}

describe('a bot instance dies and another takes over', () => {
  it('mid-build: the build is tracked to the end once, nothing is posted twice', async () => {
    const first = await bot();
    first.cloudBuild.script('next', { steps: { wrap: { durationMs: 1_500 } } });
    const id = await submitAndApprove(first);
    await reaches(first, id, 'building');
    await first.kill();

    const second = await first.another();
    bots.push(second);
    const live = await reaches(second, id, 'live', 30_000);
    expect(first.cloudBuild.createdBuilds()).toHaveLength(1);
    expect(live.pipeline?.versionUrl).toBeDefined();
    await eventually(() => expect(repliesMatching(first, / is live/)).toHaveLength(1));
    expect(repliesMatching(first, /Pipeline started/i)).toHaveLength(1);
    const status = await statusMessage(second, id);
    // One status message: every checklist reply in the thread is that one.
    expect(thread(first).replies.filter((r) => /steps done|live at/.test(text(r)))).toEqual([
      expect.objectContaining({ ts: status.ts }),
    ]);
    expect(
      second.logs.some((l) => l.message === 'tracking pipeline' && l.submissionId === id),
    ).toBe(true);
  });

  it('mid-deploy: the App Engine operation is polled to its end, not created again', async () => {
    const first = await bot();
    first.appEngine.scriptDeploy({ durationMs: 1_500 });
    const id = await submitAndApprove(first);
    await reaches(first, id, 'deploying');
    await eventually(async () => {
      expect((await first.store.get(id))?.pipeline?.deployOperation).toBeDefined();
    });
    await first.kill();

    const second = await first.another();
    bots.push(second);
    await reaches(second, id, 'live', 30_000);
    const creates = first.appEngine.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/versions'),
    );
    expect(creates).toHaveLength(1);
    await eventually(() => expect(repliesMatching(first, / is live/)).toHaveLength(1));
  });
});

describe('a step stops right after the outside service accepted its request', () => {
  // Firestore goes away the moment Cloud Build accepts the build: its id cannot be stored,
  // as if the bot died right there. On resume the build is found by its attempt tag and
  // adopted, never started twice.
  // Back from the cut, the client reconnects on gRPC's backoff and the retried step waits
  // its own: 20-28 s alone on this machine, more than 30 s once on a loaded CI run.
  const RESUMED_WITHIN_MS = 60_000;
  const TEST_MS = 120_000;

  async function cutFirestoreUntilTheStepFails(b: Bot) {
    void b.firestoreProxy.stop();
    await eventually(
      () =>
        expect(b.logs.some((l) => l.message === 'pipeline step failed; will try again')).toBe(true),
      30_000,
    );
    await b.firestoreProxy.start();
  }

  it(
    'a build whose id was never stored is adopted, not started again',
    async () => {
      const b = await bot();
      let cut: Promise<void> | undefined;
      b.cloudBuild.onBuildCreated(() => {
        cut ??= cutFirestoreUntilTheStepFails(b);
        return undefined;
      });
      const id = await submitAndApprove(b);
      await eventually(() => expect(cut).toBeDefined());
      await cut;
      await reaches(b, id, 'live', RESUMED_WITHIN_MS);
      expect(b.cloudBuild.createdBuilds()).toHaveLength(1);
      expect(b.logs.some((l) => l.message === 'build adopted after a restart')).toBe(true);
    },
    TEST_MS,
  );
  it(
    'a version whose create operation was never stored is adopted, not created again',
    async () => {
      const b = await bot();
      let cut: Promise<void> | undefined;
      b.appEngine.onDeploy({
        deploy: () => {
          cut ??= cutFirestoreUntilTheStepFails(b);
          return undefined;
        },
        versionUrl: () => b.versions.url,
      });
      const id = await submitAndApprove(b);
      await eventually(() => expect(cut).toBeDefined(), 30_000);
      await cut;
      const live = await reaches(b, id, 'live', RESUMED_WITHIN_MS);
      expect(b.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(1);
      expect(b.logs.some((l) => l.message === 'deploy adopted after a restart')).toBe(true);
      // The URL App Engine answered for the adopted version (the harness serves versions there).
      expect(live.pipeline?.versionUrl).toBe(b.versions.url);
      await eventually(() => expect(repliesMatching(b, / is live/)).toHaveLength(1));
    },
    TEST_MS,
  );
});

describe('two instances, twenty pipelines', () => {
  it('tracks each pipeline exactly once, across a takeover', async () => {
    const a = await bot();
    const b = await a.another();
    bots.push(b);
    const client = a.running.slack.app.client;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const spec = sampleSpec({ service: `svc-${i}` });
      const { submission } = await a.store.create({
        partner: { userId: PARTNER },
        spec,
        warnings: [],
        requestId: `bulk-${i}`,
      });
      const root = await client.chat.postMessage({ channel: REVIEW_CHANNEL, text: submission.id });
      await a.store.setThread(submission.id, { channel: REVIEW_CHANNEL, ts: root.ts as string });
      const { submission: approved } = await a.store.apply(submission.id, 'approve', {
        actor: { userId: APPROVER },
        requestId: `bulk-approve-${i}`,
        patch: {
          approval: {
            project: PROJECTS[0] as string,
            promote: true,
            by: { userId: APPROVER },
            at: new Date(),
          },
        },
      });
      expect(currentRevision(approved).spec.service).toBe(`svc-${i}`);
      await (i % 2 === 0 ? a : b).running.tracker.start(approved);
      ids.push(submission.id);
    }
    // One instance dies halfway; the other finishes its pipelines too.
    await a.kill();
    await eventually(async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await b.store.get(id))?.status));
      expect(statuses.every((s) => s === 'live')).toBe(true);
    }, 60_000);

    const builds = a.cloudBuild.createdBuilds();
    expect(builds).toHaveLength(20);
    expect(new Set(builds.map((build) => JSON.stringify(build.images))).size).toBe(20);
    const versionCreates = a.appEngine.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/versions'),
    );
    expect(versionCreates).toHaveLength(20);
    await eventually(() => {
      for (const root of a.api.messages(REVIEW_CHANNEL)) {
        const replies = root.replies.map((r) => `${root.text}: ${r.text}`);
        expect(
          replies.filter((r) => /Pipeline started/i.test(r)),
          replies.join('\n'),
        ).toHaveLength(1);
        expect(
          replies.filter((r) => / is live/.test(r)),
          replies.join('\n'),
        ).toHaveLength(1);
      }
    }, 15_000);
  });
});

describe('outside services misbehave', () => {
  it('Cloud Build and App Engine UNAVAILABLE for a while: the pipeline still goes live', async () => {
    const b = await bot();
    b.cloudBuild.unavailable(3, { method: 'GET' });
    // The creates: the reads before them (the version count) are repeated by the adapter itself.
    b.appEngine.unavailable(2, { method: 'POST', path: /\/versions$/ });
    const id = await submitAndApprove(b);
    await reaches(b, id, 'live', 30_000);
    expect(b.cloudBuild.createdBuilds()).toHaveLength(1);
    expect(b.logs.some((l) => l.message === 'pipeline step failed; will try again')).toBe(true);
  });

  it('Slack 429 on status updates: nothing lost, the final message shows the final state', async () => {
    const b = await bot();
    b.api.rateLimit('chat.update', { times: 3, retryAfterSec: 1 });
    const id = await submitAndApprove(b);
    await reaches(b, id, 'live', 30_000);
    await eventually(async () => {
      const status = await statusMessage(b, id);
      expect(text(status).match(/:white_check_mark:/g)?.length).toBeGreaterThanOrEqual(6);
      expect(text(status)).not.toMatch(/hourglass/);
    }, 15_000);
    expect(b.api.callsTo('chat.update').some((c) => c.status === 429)).toBe(true);
  });
});
