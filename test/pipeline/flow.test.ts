import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPROVER,
  type Bot,
  eventually,
  FORM_IMAGE,
  PARTNER,
  PROJECTS,
  startBot,
} from '../slack/harness.ts';
import { reaches, statusMessage, submitAndApprove, text, thread } from './flow-helpers.ts';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.close();
});

function dmsTo(userId: string) {
  return bot.api.callsTo('chat.postMessage').filter((c) => c.args.channel === userId);
}

describe('pipeline: approval to live URL', () => {
  it('builds, tests, pushes, deploys, promotes and hands back the URL', async () => {
    const id = await submitAndApprove(bot, { project: 'pg-dev-1', version: 'boats-v1' });
    const live = await reaches(bot, id, 'live');

    // The build request: the partner's image by the digest its tag named at submit as
    // base, the wrapped image pushed.
    const [build] = bot.cloudBuild.createdBuilds();
    const steps = build?.steps as { id: string; args?: string[]; env?: string[] }[];
    expect(steps.map((s) => s.id)).toEqual(['bundle', 'wrap', 'test-start', 'test', 'push']);
    const digest = bot.registry.digestOf(FORM_IMAGE.repository, FORM_IMAGE.tag);
    expect(steps[1]?.env).toContain(
      `PG_BASE_IMAGE=eu.gcr.io/theplayground_repo/my_service@${digest}`,
    );
    const image = 'europe-docker.pkg.dev/pg-bot-1/playground/my-service:pg-0001-r1';
    expect(build?.images).toEqual([image]);
    expect(build?.tags).toEqual(expect.arrayContaining(['pg-0001']));

    // The version request: by digest, the spec's resources, health checks, env variables.
    const version = bot.appEngine.version('pg-dev-1', 'my-service', 'boats-v1');
    expect(version).toBeDefined();
    const created = bot.appEngine.requests.find(
      (r) => r.method === 'POST' && r.path.endsWith('/versions'),
    );
    expect(created?.path).toBe('/v1/apps/pg-dev-1/services/my-service/versions');
    const body = created?.body as {
      deployment: { container: { image: string } };
      resources: unknown;
      livenessCheck: { path: string };
      readinessCheck: { path: string };
      envVariables: Record<string, string>;
    };
    expect(body.deployment.container.image).toMatch(
      /^europe-docker\.pkg\.dev\/pg-bot-1\/playground\/my-service@sha256:[0-9a-f]{64}$/,
    );
    expect(body.resources).toMatchObject({ cpu: 4, memoryGb: 3.2, diskGb: 10 });
    expect(body.livenessCheck.path).toBe('/api/v1/health');
    expect(body.readinessCheck.path).toBe('/api/v1/health');
    expect(body.envVariables).toMatchObject({
      PREDICTOR_CLASS: 'MyPredictor',
      PROJECT_NAME: 'pg-dev-1',
      PADDING: '24',
    });
    expect(bot.appEngine.split('pg-dev-1', 'my-service')?.allocations).toEqual({ 'boats-v1': 1 });

    // The run and the audit trail.
    // The URL App Engine answered for the version (the harness serves versions there).
    expect(live.pipeline?.versionUrl).toBe(bot.versions.url);
    expect(Object.values(live.pipeline?.steps ?? {}).map((s) => s.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
      'done',
      'done',
    ]);
    const actions = (await bot.store.audit(id)).map((e) => e.action);
    expect(actions).toEqual([
      'submit',
      'approve',
      'start_build',
      'start_test',
      'start_deploy',
      'go_live',
    ]);

    // The thread: one status message updated in place, milestones, the URL; the partner told.
    const url = live.pipeline?.versionUrl as string;
    await eventually(() => {
      const replies = thread(bot).replies.map((r) => text(r));
      expect(replies.filter((r) => /Pipeline started/i.test(r))).toHaveLength(1);
      expect(replies.filter((r) => r.includes(url) && r.includes(`<@${PARTNER}>`))).toHaveLength(1);
      expect(dmsTo(PARTNER).some((c) => text(c.args as never).includes(url))).toBe(true);
    });
    // The review message itself shows the outcome.
    await eventually(() => expect(text(thread(bot))).toMatch(/\*Status\*\\nlive/));
    await eventually(async () => {
      const status = await statusMessage(bot, id);
      expect(status.edited).toBeDefined();
      expect(text(status).match(/:white_check_mark:/g)?.length).toBeGreaterThanOrEqual(7);
    });
  });

  it('deploys without moving traffic when the approver says so', async () => {
    const id = await submitAndApprove(bot, { promote: 'no' });
    const live = await reaches(bot, id, 'live');
    expect(live.pipeline?.steps.promote.state).toBe('skipped');
    expect(bot.appEngine.requests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(live.approval?.project).toBe(PROJECTS[0]);
  });
});

describe('pipeline failures', () => {
  it('a failing test step fails the pipeline, says which step, offers Retry; Retry builds again', async () => {
    bot.cloudBuild.script('next', {
      steps: { test: { status: 'FAILURE', logs: ['FAIL process: 422 predictor raised'] } },
    });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure?.step).toBe('test');
    expect(failed.pipeline?.steps.test.state).toBe('failed');
    expect(failed.pipeline?.steps.push.state).toBe('pending');

    const failure = await eventually(() => {
      const reply = thread(bot).replies.find(
        (r) => /failed/i.test(r.text) && text(r).includes('"retry"'),
      );
      if (!reply) throw new Error('no failure reply yet');
      return reply;
    });
    expect(text(failure)).toContain('test');
    expect(text(failure)).toContain(`<@${PARTNER}>`);
    // The step's last log lines, read from Cloud Logging, are in the reply.
    expect(failed.pipeline?.failure?.logTail).toEqual(['FAIL process: 422 predictor raised']);
    expect(text(failure)).toContain('FAIL process: 422 predictor raised');
    const [read] = bot.logging.requestsTo('POST', '/v2/entries:list');
    expect(JSON.stringify(read?.body)).toContain(failed.pipeline?.buildId as string);
    expect(text(failure)).toContain('"cancel"');

    // The partner may not retry; an approver may.
    const where = { message: { ts: failure.ts, channel: failure.channel } };
    await bot.click(PARTNER, 'retry', id, where);
    await eventually(() =>
      expect(
        bot.api
          .ephemerals(PARTNER)
          .map((e) => e.text)
          .join(),
      ).toMatch(/Only Playground approvers/),
    );
    expect((await bot.store.get(id))?.status).toBe('failed');

    await bot.click(APPROVER, 'retry', id, where);
    const live = await reaches(bot, id, 'live');
    expect(live.pipeline?.attempt).toBe(2);
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(2);
  });

  it('waits for a log tail Cloud Logging shows late, reading it from the build’s start on', async () => {
    bot.logging.lag(1_500);
    bot.cloudBuild.script('next', { steps: { test: { status: 'FAILURE', logs: ['FAIL late'] } } });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure?.logTail).toEqual(['FAIL late']);
    const reads = bot.logging.requestsTo('POST', '/v2/entries:list');
    // The first read found nothing yet; the pipeline was polled again until the line came.
    expect(reads.length).toBeGreaterThan(1);
    expect(JSON.stringify(reads[0]?.body)).toMatch(/timestamp>=\\"\d{4}-\d{2}-\d{2}T/);
  });

  it('a failure whose log cannot be read is told all the same, without the lines', async () => {
    bot.logging.deny(1);
    bot.cloudBuild.script('next', { steps: { wrap: { status: 'FAILURE', logs: ['no base'] } } });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure?.step).toBe('wrap');
    expect(failed.pipeline?.failure?.logTail).toBeUndefined();
    await eventually(() =>
      expect(thread(bot).replies.some((r) => text(r).includes('"retry"'))).toBe(true),
    );
    expect(thread(bot).replies.some((r) => text(r).includes('no base'))).toBe(false);
    expect(bot.logs.some((l) => l.message === 'could not read the build log')).toBe(true);
  });

  it('a failed deploy is retried without rebuilding the pushed image', async () => {
    bot.appEngine.scriptDeploy({ error: { code: 9, message: 'readiness check failed' } });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure).toMatchObject({
      step: 'deploy',
      detail: 'readiness check failed',
    });
    await eventually(() =>
      expect(thread(bot).replies.some((r) => text(r).includes('readiness check failed'))).toBe(
        true,
      ),
    );

    await bot.click(APPROVER, 'retry', id);
    await eventually(async () => {
      const current = await bot.store.get(id);
      expect(current?.pipeline?.attempt).toBe(2);
    });
    const live = await reaches(bot, id, 'live');
    expect(live.pipeline?.failure).toBeUndefined();
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(1);
    const creates = bot.appEngine.requests.filter(
      (r) => r.method === 'POST' && r.path.endsWith('/versions'),
    );
    expect(creates).toHaveLength(2);
  });

  it('a failed promote is retried by moving the traffic again, not by creating the version again', async () => {
    bot.appEngine.deny(1, { method: 'PATCH' });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure).toMatchObject({
      step: 'promote',
      detail: expect.stringContaining('The caller does not have permission'),
    });
    expect(failed.pipeline?.steps.deploy.state).toBe('done');
    expect(failed.pipeline?.steps.promote.state).toBe('failed');

    await bot.click(APPROVER, 'retry', id);
    const live = await reaches(bot, id, 'live');
    expect(live.pipeline?.steps.deploy).toEqual(failed.pipeline?.steps.deploy);
    expect(live.pipeline?.versionUrl).toBe(failed.pipeline?.versionUrl);
    expect(bot.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(1);
    expect(bot.appEngine.requestsTo('PATCH', '/v1/apps/').map((r) => r.status)).toEqual([403, 200]);
    const versionId = live.pipeline?.versionId as string;
    expect(
      bot.appEngine.split(live.pipeline?.project as string, live.pipeline?.service as string),
    ).toMatchObject({ allocations: { [versionId]: 1 } });
  });

  it('a build timeout fails the step that was running', async () => {
    bot.cloudBuild.script('next', { steps: { wrap: { durationMs: 5_000 } }, timeoutMs: 100 });
    const id = await submitAndApprove(bot);
    // The step printed nothing: the failure waits out Cloud Logging's lag (15 s) first.
    const failed = await reaches(bot, id, 'failed', 40_000);
    expect(failed.pipeline?.failure?.step).toBe('wrap');
  });

  it('cancel during the build cancels the Cloud Build build and records it', async () => {
    bot.cloudBuild.script('next', { steps: { wrap: { durationMs: 60_000 } } });
    const id = await submitAndApprove(bot);
    await reaches(bot, id, 'building');
    const answer = await bot.command(PARTNER, `cancel ${id}`);
    expect(JSON.stringify(answer.body)).toContain('cancelled');
    await eventually(() =>
      expect(bot.cloudBuild.requests.some((r) => r.path.endsWith(':cancel'))).toBe(true),
    );
    const buildId = (await bot.store.get(id))?.pipeline?.buildId as string;
    await eventually(() => expect(bot.cloudBuild.build(buildId)?.status).toBe('CANCELLED'));
    await eventually(() =>
      expect(thread(bot).replies.filter((r) => /cancelled/i.test(r.text))).not.toHaveLength(0),
    );
  });
});

describe('an outside service refuses for good', () => {
  it("App Engine refuses the version (no permission in the target project): the deploy fails once with Google's words; Retry deploys", async () => {
    bot.appEngine.deny(1, { method: 'POST', path: /\/versions$/ });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure).toEqual({
      step: 'deploy',
      // Google's words, then what to do (src/domain/advice.ts).
      detail: `createVersion: The caller does not have permission. The bot's service account lacks a role in ${PROJECTS[0]}: grant the roles listed in the README (Running on GCP), then Retry.`,
    });
    expect(failed.pipeline?.steps.deploy.state).toBe('failed');
    // Asked once, not again and again in the background.
    expect(bot.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(1);
    const reply = await eventually(() => {
      const found = thread(bot).replies.find(
        (r) => text(r).includes('does not have permission') && text(r).includes('"retry"'),
      );
      if (!found) throw new Error('no failure reply yet');
      return found;
    });
    expect(text(reply)).toContain(`<@${PARTNER}>`);

    await bot.click(APPROVER, 'retry', id);
    await reaches(bot, id, 'live');
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(1);
    expect(bot.appEngine.requestsTo('POST', /\/versions$/).map((r) => r.status)).toEqual([
      403, 200,
    ]);
  });

  it('a version label already taken in the service fails the deploy and says how to go on', async () => {
    // Someone deployed "v1" of the service by hand before.
    const taken = await fetch(
      `${bot.appEngine.url}/v1/apps/${PROJECTS[0]}/services/my-service/versions`,
      {
        method: 'POST',
        body: JSON.stringify({
          id: 'v1',
          env: 'flex',
          runtime: 'custom',
          deployment: { container: { image: `eu.gcr.io/x/y@sha256:${'a'.repeat(64)}` } },
        }),
      },
    );
    expect(taken.status).toBe(200);
    const id = await submitAndApprove(bot, { version: 'v1' });
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure?.step).toBe('deploy');
    expect(failed.pipeline?.failure?.detail).toBe(
      `createVersion: Version v1 already exists in service my-service. Delete that version of my-service in ${PROJECTS[0]} (App Engine console, Versions) and Retry, or cancel and submit again for another version label.`,
    );
    expect(bot.appEngine.requestsTo('POST', /\/versions$/)).toHaveLength(2);
    expect(bot.appEngine.requests.some((r) => r.path.endsWith('/operations'))).toBe(false);
  });

  it('Cloud Build refuses the build: the pipeline fails before any build, and Retry builds', async () => {
    bot.cloudBuild.deny(1, { method: 'POST', path: /\/builds$/ });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    expect(failed.pipeline?.failure?.step).toBe('render');
    expect(failed.pipeline?.failure?.detail).toContain('The caller does not have permission');
    expect(failed.pipeline?.buildId).toBeUndefined();
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(0);
    expect((await bot.store.audit(id)).map((event) => event.action)).toEqual(
      expect.arrayContaining(['approve', 'fail']),
    );

    await bot.click(APPROVER, 'retry', id);
    const live = await reaches(bot, id, 'live');
    expect(live.pipeline?.attempt).toBe(2);
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(1);
  });
});
