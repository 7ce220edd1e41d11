// Step deadlines through the real bot: a version create, a promote or a build that never
// ends fails its step at the deadline with what was waited for and for how long, Retry
// and Cancel offered, the approvers mentioned. Deadlines of a few seconds (tracker tuning).
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackerTuning } from '../../src/bot.ts';
import type { PipelineRun, StepName } from '../../src/domain/pipeline-run.ts';
import { ACTION_ID } from '../../src/slack/views/ids.ts';
import {
  APPROVER,
  APPROVER_GROUP,
  type Bot,
  eventually,
  FAST_DELIVERY,
  PROJECTS,
  startBot,
} from '../slack/harness.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';

let bot: Bot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(deadlines: TrackerTuning['deadlines'], env: Record<string, string> = {}) {
  bot = await startBot(env, { ...FAST_DELIVERY, deadlines });
  return bot;
}

/** The run failed at `step` for its deadline, its detail matching `detail` exactly. */
function expectDeadlineFailure(run: PipelineRun | undefined, step: StepName, detail: string) {
  expect(run?.failure).toEqual({
    step,
    kind: 'deadline',
    detail: expect.stringMatching(new RegExp(`^${detail}$`)),
  });
}

/** The thread's failure reply (the milestone, not the checklist), once delivered. */
function deadlineReply(b: Bot) {
  return eventually(() => {
    const reply = thread(b).replies.find(
      (r) => /^PG-\d+ failed at /.test(r.text) && text(r).includes('did not finish within'),
    );
    if (!reply) throw new Error('no deadline failure reply yet');
    return text(reply);
  });
}

describe('step deadlines', () => {
  it('a version create that never ends fails the deploy at its deadline; Retry deploys another version id and goes live', async () => {
    const b = await start({ deployMs: 2_000 });
    b.appEngine.scriptDeploy({ hang: true });
    const id = await submitAndApprove(b);
    const failed = await reaches(b, id, 'failed', 30_000);
    const operation = failed.pipeline?.deployOperation as string;
    expect(operation).toMatch(/^apps\/pg-prod-1\/operations\//);
    expectDeadlineFailure(
      failed.pipeline,
      'deploy',
      `App Engine's create operation ${operation} did not finish within 2s \\(waited \\d+s\\); version pg-0001-r1 may still appear: Retry deploys again as a new version; Cancel deletes it once App Engine has made it`,
    );
    expect(failed.pipeline?.steps.deploy.state).toBe('failed');
    const fail = (await b.store.audit(id)).find((e) => e.action === 'fail');
    expect(fail?.detail).toContain(`deploy: App Engine's create operation ${operation}`);

    // The failure reply: what was waited for, Retry and Cancel, the approvers called.
    const reply = await deadlineReply(b);
    expect(reply).toContain(`"action_id":"${ACTION_ID.retry}"`);
    expect(reply).toContain(`"action_id":"${ACTION_ID.cancel}"`);
    expect(reply).toContain(
      `<@${APPROVER}>, <!subteam^${APPROVER_GROUP}>: a step ran out of time.`,
    );

    await b.click(APPROVER, 'retry', id);
    const live = await reaches(b, id, 'live', 30_000);
    // The abandoned create may still make pg-0001-r1: the retry deploys another id.
    expect(live.pipeline?.versionId).toBe('pg-0001-r1-a2');
    const creates = b.appEngine.requestsTo('POST', /\/versions$/);
    expect(creates.map((r) => [r.path, (r.body as { id: string }).id])).toEqual([
      ['/v1/apps/pg-prod-1/services/my-service/versions', 'pg-0001-r1'],
      ['/v1/apps/pg-prod-1/services/my-service/versions', 'pg-0001-r1-a2'],
    ]);
    expect(b.cloudBuild.createdBuilds()).toHaveLength(1);

    // The abandoned create ends after all: its version appears, the traffic stays put.
    b.appEngine.endOperation(operation);
    expect(b.appEngine.version(PROJECTS[0] as string, 'my-service', 'pg-0001-r1')).toBeDefined();
    expect(b.appEngine.split(PROJECTS[0] as string, 'my-service')?.allocations).toEqual({
      'pg-0001-r1-a2': 1,
    });
  });

  it('a promote that never ends fails at its deadline, calling the project’s own approvers; Retry moves the traffic', async () => {
    const b = await start(
      { promoteMs: 1_500 },
      { PLAYGROUND_PROJECT_APPROVERS: `pg-dev-1=${APPROVER}` },
    );
    b.appEngine.scriptOperation({ method: 'UpdateService', target: 'my-service', hang: true });
    const id = await submitAndApprove(b, { project: 'pg-dev-1' });
    const failed = await reaches(b, id, 'failed', 30_000);
    const operation = failed.pipeline?.promoteOperation as string;
    expectDeadlineFailure(
      failed.pipeline,
      'promote',
      `App Engine's traffic change ${operation} did not finish within 1s \\(waited \\d+s\\); traffic may still move to version pg-0001-r1: Retry moves it again, Cancel leaves it as it is`,
    );
    expect(failed.pipeline?.steps.deploy.state).toBe('done');
    const reply = await deadlineReply(b);
    // pg-dev-1 has approvers of its own: they are the ones called.
    expect(reply).toContain(`<@${APPROVER}>: a step ran out of time.`);
    expect(reply).not.toContain('subteam');

    await b.click(APPROVER, 'retry', id);
    await reaches(b, id, 'live', 30_000);
    const patches = b.appEngine.requestsTo('PATCH', '/v1/apps/pg-dev-1/services/my-service');
    expect(patches).toHaveLength(2);
    expect(patches.map((r) => r.query.updateMask)).toEqual(['split', 'split']);
    expect(b.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(1);
  });

  it('a build that never ends fails at its deadline, and Cloud Build is asked to cancel it', async () => {
    const b = await start({ buildMs: 1_500 });
    b.cloudBuild.script('next', { steps: { wrap: { durationMs: 600_000 } } });
    const id = await submitAndApprove(b);
    const failed = await reaches(b, id, 'failed', 30_000);
    const buildId = failed.pipeline?.buildId as string;
    expectDeadlineFailure(
      failed.pipeline,
      'wrap',
      `Cloud Build build ${buildId} did not finish within 1s \\(waited \\d+s\\); Retry starts a new build, Cancel stops this one`,
    );
    await eventually(() => {
      const cancels = b.cloudBuild.requests.filter(
        (r) => r.method === 'POST' && r.path.endsWith(':cancel'),
      );
      expect(cancels.map((r) => r.path)).toEqual([
        `/v1/projects/${b.env.GOOGLE_CLOUD_PROJECT}/builds/${buildId}:cancel`,
      ]);
    });
    await eventually(() => expect(b.cloudBuild.build(buildId)?.status).toBe('CANCELLED'));
    expect(await deadlineReply(b)).toContain(`"action_id":"${ACTION_ID.retry}"`);
  });
});
