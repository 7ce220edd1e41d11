// CloudBuildAdapter with the real @google-cloud/cloudbuild client (REST transport) against
// the Cloud Build stand-in on loopback, builds progressing on the stand-in's manual clock.
import { CloudBuildClient } from '@google-cloud/cloudbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { render } from '../../src/bundle/render.ts';
import { bundleArchive, bundleEnv } from '../../src/gcp/build-request.ts';
import { googleClientOptions } from '../../src/gcp/client-options.ts';
import {
  buildRequest,
  CloudBuildAdapter,
  CloudBuildError,
  normaliseStatus,
} from '../../src/gcp/cloud-build.ts';
import { digestOf } from '../../src/local/cloud-build/builds.ts';
import { type CloudBuildStandIn, startCloudBuildApi } from '../../src/local/cloud-build/server.ts';
import type { BuildPlan, BuildState } from '../../src/ports/build.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const IMAGE = 'europe-docker.pkg.dev/pg-builds/playground/my-service:pg-0042-r1';
const PARTNER_IMAGE = `eu.gcr.io/theplayground_repo/my_service:1.0.3@sha256:${'0123456789abcdef'.repeat(4)}`;
const plan: BuildPlan = {
  submissionId: 'PG-0042',
  revision: 1,
  spec: sampleSpec({ image: PARTNER_IMAGE, PADDING: 32, ZOOM_LEVEL: 17 }),
  bundle: render(sampleSpec({ image: PARTNER_IMAGE, PADDING: 32, ZOOM_LEVEL: 17 }), {
    project: 'playground-target',
  }),
  image: IMAGE,
};

let now = Date.parse('2030-01-01T00:00:00Z');
let api: CloudBuildStandIn;
let adapter: CloudBuildAdapter;

beforeAll(async () => {
  api = await startCloudBuildApi({
    clock: () => now,
    defaultScenario: { queuedMs: 1000, stepMs: 10_000, pushMs: 2000 },
  });
  adapter = new CloudBuildAdapter({ projectId: 'pg-builds', apiUrl: api.url, timeoutMs: 5000 });
});
afterAll(async () => {
  await adapter.close();
  await api.close();
});
beforeEach(() => api.reset());

const statuses = (state: BuildState) => state.steps.map((step) => `${step.id}:${step.status}`);

async function expectRejection(promise: Promise<unknown>): Promise<CloudBuildError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CloudBuildError);
  return error as CloudBuildError;
}

describe('start', () => {
  it('creates one build and returns its id without waiting for it', async () => {
    const started = await adapter.start(plan);
    expect(started.buildId).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.logUrl).toBe(
      `https://console.cloud.google.com/cloud-build/builds/${started.buildId}?project=pg-builds`,
    );
    // The timeout the request set: the pipeline's deadline for the build starts from it.
    expect(started.timeoutSeconds).toBe(Number(buildRequest(plan).timeout?.seconds));
    expect(started.timeoutSeconds).toBeGreaterThan(60);
    // One POST and nothing else: no operation polling.
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/projects/pg-builds/builds',
    ]);
    expect(api.requests[0]?.query).toEqual({ $alt: 'json;enum-encoding=int' });
  });

  it('sends exactly the planned build: steps, args, images, tags, timeouts, options', async () => {
    await adapter.start(plan);
    const [body] = api.createdBuilds();
    const docker = 'gcr.io/cloud-builders/docker';
    const request = buildRequest(plan);
    expect(body).toEqual({
      steps: [
        {
          id: 'bundle',
          name: docker,
          entrypoint: 'bash',
          args: ['-c', request.steps?.[0]?.args?.[1]],
          env: bundleEnv(bundleArchive(plan.bundle)),
        },
        {
          id: 'wrap',
          name: docker,
          entrypoint: 'bash',
          args: ['-c', request.steps?.[1]?.args?.[1]],
          env: [`PG_BASE_IMAGE=${PARTNER_IMAGE}`, `PG_IMAGE=${IMAGE}`],
        },
        {
          id: 'test-start',
          name: docker,
          args: ['run', '--detach', '--name', 'pg-wrapped', '--network', 'cloudbuild', IMAGE],
        },
        {
          id: 'test',
          name: docker,
          entrypoint: 'bash',
          args: ['-c', request.steps?.[3]?.args?.[1]],
          env: [
            'PG_CHECK_IMAGE=mirror.gcr.io/library/python:3.12-slim',
            'PG_CONTAINER=pg-wrapped',
            'PG_SERVICE_URL=http://pg-wrapped:8080',
            'PG_PADDING=32',
            'PG_ZOOM=17',
            'PG_HEALTH_TIMEOUT=1800',
          ],
          timeout: '2100s',
        },
        { id: 'push', name: docker, args: ['push', IMAGE] },
      ],
      images: [IMAGE],
      tags: ['playground-deploy', 'pg-0042', 'pg-0042-r1'],
      timeout: '3000s',
      queueTtl: '3600s',
      options: { logging: 5, machineType: 5 }, // CLOUD_LOGGING_ONLY, E2_HIGHCPU_8
      substitutions: {},
      timing: {},
    });
    expect(JSON.stringify(body)).toContain('\\"$${!part}\\"');
  });

  it('runs the build as PLAYGROUND_BUILD_SERVICE_ACCOUNT when given, logs in Cloud Logging only', async () => {
    const asAccount = new CloudBuildAdapter({
      projectId: 'pg-builds',
      apiUrl: api.url,
      timeoutMs: 5000,
      serviceAccount: 'playground-builds@pg-infra.iam.gserviceaccount.com',
    });
    try {
      await asAccount.start(plan);
      await adapter.start(plan);
      const [named, unnamed] = api.createdBuilds();
      expect(named).toMatchObject({
        serviceAccount:
          'projects/pg-infra/serviceAccounts/playground-builds@pg-infra.iam.gserviceaccount.com',
        options: { logging: 5 },
      });
      expect(unnamed).not.toHaveProperty('serviceAccount');
    } finally {
      await asAccount.close();
    }
  });

  it('with PLAYGROUND_PULL_SECRET, sends availableSecrets and the wrap step’s secretEnv', async () => {
    const versionName = 'projects/pg-builds/secrets/docker-hub/versions/latest';
    const withSecret = new CloudBuildAdapter({
      projectId: 'pg-builds',
      apiUrl: api.url,
      timeoutMs: 5000,
      pullSecret: versionName,
    });
    try {
      await withSecret.start(plan);
      const [body] = api.createdBuilds();
      expect(body).toMatchObject({
        availableSecrets: { secretManager: [{ versionName, env: 'PG_PULL_CREDENTIALS' }] },
        steps: [{ id: 'bundle' }, { id: 'wrap', secretEnv: ['PG_PULL_CREDENTIALS'] }, {}, {}, {}],
      });
    } finally {
      await withSecret.close();
    }
  });

  it('reports UNAVAILABLE as retryable without creating a build; the next try works', async () => {
    api.unavailable(1);
    const error = await expectRejection(adapter.start(plan));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, grpcCode: 14 });
    expect(api.createdBuilds()).toHaveLength(0);
    const { buildId } = await adapter.start(plan);
    expect((await adapter.get(buildId)).status).toBe('queued');
    expect(api.createdBuilds()).toHaveLength(1);
  });
});

describe('get', () => {
  it('follows the build step by step to SUCCESS with the image digest', async () => {
    const start = now;
    const { buildId } = await adapter.start(plan);
    const at = (ms: number) => {
      now = start + ms;
      return adapter.get(buildId);
    };

    const queued = await at(500);
    expect(queued).toMatchObject({ id: buildId, status: 'queued', done: false });
    expect(statuses(queued)).toEqual([
      'bundle:pending',
      'wrap:pending',
      'test-start:pending',
      'test:pending',
      'push:pending',
    ]);

    const wrapping = await at(15_000);
    expect(wrapping.status).toBe('working');
    expect(wrapping.startedAt).toEqual(new Date(start + 1000));
    expect(statuses(wrapping)).toEqual([
      'bundle:success',
      'wrap:working',
      'test-start:pending',
      'test:pending',
      'push:pending',
    ]);
    expect(wrapping.steps[0]).toEqual({
      id: 'bundle',
      status: 'success',
      startedAt: new Date(start + 1000),
      endedAt: new Date(start + 11_000),
    });
    expect(wrapping.steps[1]?.endedAt).toBeUndefined();

    const testing = await at(35_000);
    expect(statuses(testing)).toEqual([
      'bundle:success',
      'wrap:success',
      'test-start:success',
      'test:working',
      'push:pending',
    ]);

    const done = await at(60_000);
    expect(done).toMatchObject({ status: 'success', done: true, imageDigest: digestOf(IMAGE) });
    expect(done.failure).toBeUndefined();
    expect(done.endedAt).toEqual(new Date(start + 53_000));
    expect(done.steps.every((step) => step.status === 'success')).toBe(true);
    expect(done.logUrl).toContain(buildId);
  });

  it("reads the test step's checks from results.buildStepOutputs, by step id", async () => {
    const checks = 'PASS health: 200\nPASS process: 2 feature(s) on a 320 px tile at zoom 17\n';
    api.script('next', { queuedMs: 0, stepMs: 10, steps: { test: { output: checks } } });
    const start = now;
    const { buildId } = await adapter.start(plan);
    now = start + 1000;
    const done = await adapter.get(buildId);
    expect(done.status).toBe('success');
    // The client decodes the bytes the stand-in sent as base64; steps that wrote nothing are absent.
    expect(done.stepOutputs).toEqual({ test: checks });
  });

  it('derives step progress from timing when step status only comes at the end', async () => {
    api.script('next', { queuedMs: 0, stepMs: 1000, stepStatus: 'on-completion' });
    const start = now;
    const { buildId } = await adapter.start(plan);
    now = start + 1500;
    expect(statuses(await adapter.get(buildId))).toEqual([
      'bundle:success',
      'wrap:working',
      'test-start:pending',
      'test:pending',
      'push:pending',
    ]);
  });

  it('names the failing test step, with its log lines from the stand-in', async () => {
    const log = [
      'PASS health',
      'FAIL process: 500 Internal Server Error',
      'predictor raised KeyError',
    ];
    api.script('next', {
      queuedMs: 0,
      stepMs: 1000,
      steps: { test: { durationMs: 5000, status: 'FAILURE', logs: log } },
    });
    const { buildId } = await adapter.start(plan);
    now += 60_000;
    const state = await adapter.get(buildId);
    expect(state).toMatchObject({ status: 'failure', done: true });
    expect(state.failure?.step).toBe('test');
    expect(state.failure?.step?.startsWith('test')).toBe(true);
    expect(state.failure?.detail).toBe(
      'Build step failure: build step 3 "gcr.io/cloud-builders/docker" failed: step exited with non-zero status: 1',
    );
    expect(statuses(state)).toEqual([
      'bundle:success',
      'wrap:success',
      'test-start:success',
      'test:failure',
      'push:pending',
    ]);
    expect(state.imageDigest).toBeUndefined();
    expect(api.logs(buildId).slice(-2)).toEqual(log.slice(-2));
  });

  it('reports a build timeout on the step it stopped', async () => {
    api.script('next', {
      queuedMs: 0,
      stepMs: 1000,
      timeoutMs: 10_000,
      steps: { test: { durationMs: 60_000 } },
    });
    const { buildId } = await adapter.start(plan);
    now += 120_000;
    const state = await adapter.get(buildId);
    expect(state).toMatchObject({ status: 'timeout', done: true, failure: { step: 'test' } });
    expect(state.failure?.detail).toMatch(/timeout/);
    expect(state.steps.find((step) => step.id === 'test')?.status).toBe('timeout');
  });

  it('gets through UNAVAILABLE by the client retrying within its time budget', async () => {
    const { buildId } = await adapter.start(plan);
    api.unavailable(2);
    expect((await adapter.get(buildId)).id).toBe(buildId);
    expect(api.requests.slice(1).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('reports an unknown build as build_api_error NOT_FOUND', async () => {
    const error = await expectRejection(adapter.get('no-such-build'));
    expect(error).toMatchObject({ code: 'build_api_error', grpcCode: 5, retryable: false });
    expect(error.message).toContain('getBuild');
    expect(api.requests.at(-1)?.status).toBe(404);
  });

  it('refuses an id that is no build id before calling', async () => {
    await expect(adapter.get('../../x')).rejects.toMatchObject({ code: 'build_api_error' });
    expect(api.requests).toEqual([]);
  });
});

describe('cancel', () => {
  it('cancels the running step and the build; cancelling again is harmless', async () => {
    const { buildId } = await adapter.start(plan);
    now += 15_000; // in wrap
    await adapter.cancel(buildId);
    expect(api.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v1/projects/pg-builds/builds/${buildId}:cancel`,
      status: 200,
    });
    now += 60_000;
    const state = await adapter.get(buildId);
    expect(state).toMatchObject({ status: 'cancelled', done: true, failure: { step: 'wrap' } });
    expect(statuses(state).slice(0, 3)).toEqual([
      'bundle:success',
      'wrap:cancelled',
      'test-start:pending',
    ]);
    await adapter.cancel(buildId);
    expect((await adapter.get(buildId)).endedAt).toEqual(state.endedAt);
  });

  it('reports an unknown build as build_api_error', async () => {
    await expect(adapter.cancel('no-such-build')).rejects.toMatchObject({
      code: 'build_api_error',
      grpcCode: 5,
    });
  });
});

describe('more of the API', () => {
  it('uses the locations/{location} routes for regional builds', async () => {
    const regional = new CloudBuildAdapter({
      projectId: 'pg-builds',
      location: 'europe-west1',
      apiUrl: api.url,
    });
    const { buildId } = await regional.start(plan);
    now += 120_000;
    expect((await regional.get(buildId)).status).toBe('success');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/projects/pg-builds/locations/europe-west1/builds',
      `GET /v1/projects/pg-builds/locations/europe-west1/builds/${buildId}`,
    ]);
    await regional.close();
  });

  it('finds the builds of a revision by tag, newest first', async () => {
    const first = await adapter.start(plan);
    now += 1;
    const second = await adapter.start(plan);
    await adapter.start({ ...plan, revision: 2 });
    const found = await adapter.findByRevision('PG-0042', 1);
    expect(found.map((build) => build.id)).toEqual([second.buildId, first.buildId]);
    expect(api.requests.at(-1)?.query.filter).toBe('tags="pg-0042-r1"');
  });

  it('serves the create operation to the client polling it, status normalised either way', async () => {
    const client = new CloudBuildClient(
      googleClientOptions(api.url) as unknown as ConstructorParameters<typeof CloudBuildClient>[0],
    );
    const [operation] = await client.createBuild({
      projectId: 'pg-builds',
      build: buildRequest(plan),
    });
    now += 120_000;
    const polled = await client.checkCreateBuildProgress(operation.name as string);
    expect(polled.done).toBe(true);
    const metadata = polled.metadata as { build?: { status?: unknown } } | null;
    expect(typeof metadata?.build?.status).toBe('number'); // DESIGN.md's gotcha: a number here
    expect(normaliseStatus(metadata?.build?.status)).toBe('success');
    expect(normaliseStatus((polled.result as { status?: unknown } | undefined)?.status)).toBe(
      'success',
    );
    expect(api.requests.at(-1)?.path).toMatch(/^\/v1\/operations\/build\/pg-builds\//);
    await client.close();
  });
});

describe('a dead or silent API', () => {
  it('gives up on a closed port within the time budget, as unavailable', async () => {
    const closed = await startCloudBuildApi();
    const url = closed.url;
    await closed.close();
    const dead = new CloudBuildAdapter({ projectId: 'pg-builds', apiUrl: url, timeoutMs: 800 });
    const started = Date.now();
    expect(await expectRejection(dead.get('b1'))).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(await expectRejection(dead.start(plan))).toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(6000);
    await dead.close();
  });

  it('stops waiting for an answer that never comes', async () => {
    const { buildId } = await adapter.start(plan);
    const impatient = new CloudBuildAdapter({
      projectId: 'pg-builds',
      apiUrl: api.url,
      timeoutMs: 500,
    });
    api.stall(10, { path: `/v1/projects/pg-builds/builds/${buildId}` });
    const started = Date.now();
    expect(await expectRejection(impatient.get(buildId))).toMatchObject({
      code: 'unavailable',
      grpcCode: 4,
    });
    expect(await expectRejection(impatient.cancel(buildId))).toMatchObject({ code: 'unavailable' });
    expect(Date.now() - started).toBeLessThan(6000);
    await impatient.close();
  });
});
