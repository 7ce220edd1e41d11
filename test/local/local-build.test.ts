// Local builds attached to the Cloud Build and App Engine stand-ins, driven through the
// pipeline's real adapters (official clients, REST): the example predictor is unpacked,
// served by real gunicorn and checked by the bundle's check_service.py; the deployed
// version's URL is that service. Other images are simulated; demo failures fail once.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../src/bundle/render.ts';
import { parseSpecYaml, type SubmissionSpec } from '../../src/domain/submission-spec/index.ts';
import { AppEngineAdapter } from '../../src/gcp/app-engine.ts';
import { CloudLoggingBuildLogs } from '../../src/gcp/build-logs.ts';
import { bundleArchive, tar } from '../../src/gcp/build-request.ts';
import { CloudBuildAdapter } from '../../src/gcp/cloud-build.ts';
import { type AppEngineApiStandIn, startAppEngineApi } from '../../src/local/app-engine/server.ts';
import { attachLocalBuilds, type LocalBuilds } from '../../src/local/builds/attach.ts';
import { demoFailureOf } from '../../src/local/builds/demo-failures.ts';
import { untar } from '../../src/local/builds/read-build.ts';
import { SIMULATED_NOTE } from '../../src/local/builds/simulated.ts';
import { STEP_SECONDS_ENV, stepSecondsFromEnv } from '../../src/local/builds/timing.ts';
import { type CloudBuildStandIn, startCloudBuildApi } from '../../src/local/cloud-build/server.ts';
import { cloudBuildLogSource } from '../../src/local/cloud-logging/from-cloud-build.ts';
import {
  type CloudLoggingStandIn,
  startCloudLoggingApi,
} from '../../src/local/cloud-logging/server.ts';
import type { BuildState } from '../../src/ports/build.ts';
import type { OperationState } from '../../src/ports/deploy.ts';
import { makePng } from '../wrapper/helpers.ts';

/** The repository's examples, which attachLocalBuilds uses by default. */
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const PROJECT = 'pg-dev-1';
const REGISTRY = 'europe-docker.pkg.dev/pg-bot-1/playground';

/** The example's spec.yaml, as a partner submits it. */
function exampleSpec(overrides: Partial<SubmissionSpec> = {}): SubmissionSpec {
  const parsed = parseSpecYaml(readFileSync(`${EXAMPLES}boat-detector/spec.yaml`, 'utf8'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { ...parsed.spec, ...overrides };
}

let cloudBuild: CloudBuildStandIn;
let appEngine: AppEngineApiStandIn;
let local: LocalBuilds;
let builds: CloudBuildAdapter;
let deploys: AppEngineAdapter;
let logging: CloudLoggingStandIn;
let buildLogs: CloudLoggingBuildLogs;

beforeAll(async () => {
  cloudBuild = await startCloudBuildApi();
  appEngine = await startAppEngineApi({ apps: [{ id: PROJECT, services: ['default'] }] });
  local = attachLocalBuilds({ cloudBuild, appEngine, stepSeconds: 0.15 });
  builds = new CloudBuildAdapter({ projectId: 'pg-bot-1', apiUrl: cloudBuild.url });
  deploys = new AppEngineAdapter({ apiUrl: appEngine.url });
  logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
  buildLogs = new CloudLoggingBuildLogs({ projectId: 'pg-bot-1', apiUrl: logging.url });
});
afterAll(async () => {
  await local?.close();
  await builds?.close();
  await deploys?.close();
  await buildLogs?.close();
  await logging?.close();
  await cloudBuild?.close();
  await appEngine?.close();
});

/** Starts a build of `spec` for submission `id` revision 1 and polls it to its end. */
/** Runs a build to its end; `notes` are the status details it showed while running. */
async function build(id: string, spec: SubmissionSpec): Promise<BuildState & { notes: string[] }> {
  const { buildId } = await builds.start({
    submissionId: id,
    revision: 1,
    spec,
    bundle: render(spec, { project: PROJECT }),
    image: `${REGISTRY}/${spec.service}:${id.toLowerCase()}-r1`,
  });
  const seen = new Set<string>();
  const notes = new Set<string>();
  for (const started = Date.now(); Date.now() - started < 20_000; ) {
    const state = await builds.get(buildId);
    for (const step of state.steps) if (step.status === 'working') seen.add(step.id);
    if (state.detail) notes.add(state.detail);
    if (state.done) {
      // Steps were seen running one by one, not only at the end.
      expect(seen.size).toBeGreaterThan(0);
      return { ...state, notes: [...notes] };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`build ${buildId} did not end`);
}

/** Deploys the build's image by digest and polls the operation to its end. */
async function deploy(
  spec: SubmissionSpec,
  state: BuildState,
  versionId: string,
): Promise<OperationState> {
  const image = `${REGISTRY}/${spec.service}@${state.imageDigest}`;
  const { operation } = await deploys.createVersion({
    project: PROJECT,
    spec,
    versionId,
    imageUrl: image,
  });
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    const result = await deploys.getOperation(operation);
    if (result.done) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`operation ${operation} did not end`);
}

const statuses = (state: BuildState) => state.steps.map((s) => `${s.id}:${s.status}`);

describe('a build of the example image', () => {
  it('really serves and checks the predictor; the version URL is that service', async () => {
    const spec = exampleSpec();
    expect(spec.image).toBe('docker.io/examples/boat-detector:1.0');
    const state = await build('PG-0001', spec);
    expect(state.status, JSON.stringify(cloudBuild.logs(state.id))).toBe('success');
    expect(statuses(state)).toEqual([
      'bundle:success',
      'wrap:success',
      'test-start:success',
      'test:success',
      'push:success',
    ]);
    // Steps take their time, one after the other.
    for (const step of state.steps) {
      expect(Number(step.endedAt) - Number(step.startedAt)).toBeGreaterThanOrEqual(140);
    }
    expect(cloudBuild.logs(state.id, 'bundle')).toContain('./check_service.py');
    expect(cloudBuild.logs(state.id, 'wrap').join('\n')).toMatch(/Listening at: http:\/\/127/);
    // The check runs with --details; its lines are also the test step's output.
    const checks = cloudBuild.logs(state.id, 'test');
    expect(checks).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PASS health: 200/),
        expect.stringMatching(/^PASS process: 1 feature\(s\) on a \d+ px tile at zoom \d+$/),
        expect.stringMatching(/^PASS error-not-image: HTTP 400/),
      ]),
    );
    expect(state.stepOutputs?.test).toBe(`${checks.join('\n')}\n`);

    const deployed = await deploy(spec, state, 'v1');
    expect(deployed.error).toBeUndefined();
    const url = deployed.versionUrl as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(appEngine.version(PROJECT, 'boat-detector', 'v1')?.versionUrl).toBe(url);

    const health = await fetch(`${url}/api/v1/health`);
    expect(health.status).toBe(200);
    const size = 256 + 2 * spec.PADDING;
    const tile = makePng(size, size, { bright: [120, 140, 150, 152] }).toString('base64');
    const answer = await fetch(`${url}/api/v1/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resolution: 2.39, tiles: [tile] }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as {
      type: string;
      features: { geometry: { type: string; coordinates: number[][][] }; properties: object }[];
    };
    expect(body.type).toBe('FeatureCollection');
    expect(body.features).toHaveLength(1);
    expect(body.features[0]?.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [120, 140],
          [150, 140],
          [150, 152],
          [120, 152],
          [120, 140],
        ],
      ],
    });
    expect(body.features[0]?.properties).toMatchObject({ category: ['boat'] });
  });

  it('a demo failure in test fails that step once; the second attempt succeeds', async () => {
    const spec = exampleSpec({ service: 'boat-detector-fail-test' });
    const failed = await build('PG-0002', spec);
    expect(failed.status).toBe('failure');
    expect(failed.failure?.step).toBe('test');
    expect(statuses(failed).slice(0, 4)).toEqual([
      'bundle:success',
      'wrap:success',
      'test-start:success',
      'test:failure',
    ]);
    expect(cloudBuild.logs(failed.id).join('\n')).toMatch(/^FAIL demo: .*boat-detector-fail-test/m);

    const retried = await build('PG-0002', spec);
    expect(retried.status).toBe('success');
    const deployed = await deploy(spec, retried, 'v1');
    expect(deployed.versionUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${deployed.versionUrl}/api/v1/health`)).status).toBe(200);
  });
});

describe('a real build that goes wrong', () => {
  it("fails the test step with the check's FAIL lines and the service's log", async () => {
    const spec = exampleSpec({ service: 'boat-detector-typo', PREDICTOR_CLASS: 'BoatDetectr' });
    const state = await build('PG-0006', spec);
    expect(state.status).toBe('failure');
    expect(state.failure?.step).toBe('test');
    const logs = cloudBuild.logs(state.id, 'test');
    expect(logs[0]).toMatch(/^FAIL health: HTTP 500: .*BoatDetectr/);
    expect(logs.join('\n')).toMatch(/last 30 lines of the wrapped service's log/);
    // What the step printed is in the build's log in Cloud Logging, for the failure reply.
    expect(await buildLogs.tail({ buildId: state.id, stepId: 'test', lines: 1000 })).toEqual(logs);
    expect(await buildLogs.tail({ buildId: state.id, stepId: 'test', lines: 3 })).toEqual(
      logs.slice(-3),
    );
    await local.settled();
    expect(local.services().some((s) => s.buildId === state.id)).toBe(false);
  });

  it('a cancelled build stops its service', async () => {
    const spec = exampleSpec({ service: 'boat-detector-cancelled' });
    const { buildId } = await builds.start({
      submissionId: 'PG-0007',
      revision: 1,
      spec,
      bundle: render(spec, { project: PROJECT }),
      image: `${REGISTRY}/${spec.service}:pg-0007-r1`,
    });
    for (let state = await builds.get(buildId); ; state = await builds.get(buildId)) {
      if (state.steps.find((s) => s.id === 'wrap')?.status === 'success') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await builds.cancel(buildId);
    await local.settled();
    expect((await builds.get(buildId)).status).toBe('cancelled');
    expect(local.services().some((s) => s.buildId === buildId)).toBe(false);
  });
});

describe('a build of any other image', () => {
  it('is simulated, says so, and deploys to an appspot.com URL', async () => {
    const spec = exampleSpec({ image: 'eu.gcr.io/partner/model:1.4.2', service: 'partner-model' });
    const state = await build('PG-0003', spec);
    expect(state.status).toBe('success');
    // The build's status says so too, which the Slack thread shows.
    expect(state.notes).toEqual([SIMULATED_NOTE]);
    expect(cloudBuild.logs(state.id, 'wrap').join('\n')).toMatch(
      /simulated, nothing ran: docker build --build-arg base_id=eu\.gcr\.io\/partner\/model:1\.4\.2/,
    );
    expect(local.services().some((s) => s.buildId === state.id)).toBe(false);
    const deployed = await deploy(spec, state, 'v1');
    expect(deployed.versionUrl).toMatch(/^https:\/\/v1-dot-partner-model-dot-pg-dev-1\./);
  });

  it('a demo failure in wrap or deploy fails once; Retry succeeds', async () => {
    const wrap = exampleSpec({ image: 'eu.gcr.io/partner/model:1.4.2', service: 'm-fail-wrap' });
    const failed = await build('PG-0004', wrap);
    expect(failed.failure?.step).toBe('wrap');
    expect(statuses(failed).slice(0, 2)).toEqual(['bundle:success', 'wrap:failure']);
    expect((await build('PG-0004', wrap)).status).toBe('success');

    const spec = exampleSpec({ service: 'boat-detector-fail-deploy' });
    const state = await build('PG-0005', spec);
    expect(state.status).toBe('success');
    const refused = await deploy(spec, state, 'v1');
    expect(refused.error?.message).toMatch(/^Demo failure/);
    // Retry redeploys the image already built: its service is still there.
    const deployed = await deploy(spec, state, 'v1');
    expect(deployed.error).toBeUndefined();
    expect((await fetch(`${deployed.versionUrl}/api/v1/health`)).status).toBe(200);
  });
});

describe('close', () => {
  it('stops every gunicorn it started, workers included', async () => {
    await local.settled();
    const pids = local.services().map((s) => s.pid);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    const group = (pid: number) => spawnSync('pgrep', ['-g', String(pid)], { encoding: 'utf8' });
    for (const pid of pids) expect(group(pid).stdout.trim()).not.toBe('');
    await local.close();
    for (const pid of pids) expect(group(pid).stdout.trim()).toBe('');
    expect(local.services()).toEqual([]);
  });
});

describe('helpers', () => {
  it('reads demo failures from service ids', () => {
    expect(demoFailureOf('boats-fail-test')).toBe('test');
    expect(demoFailureOf('boats-fail-render')).toBe('render');
    expect(demoFailureOf('boats-fail-deploy')).toBe('deploy');
    expect(demoFailureOf('boats-fail-nothing')).toBeUndefined();
    expect(demoFailureOf('fail-test-boats')).toBeUndefined();
  });

  it('reads the step seconds from the environment', () => {
    expect(stepSecondsFromEnv({})).toBeUndefined();
    expect(stepSecondsFromEnv({ [STEP_SECONDS_ENV]: '0.5' })).toBe(0.5);
    expect(() => stepSecondsFromEnv({ [STEP_SECONDS_ENV]: 'soon' })).toThrow(STEP_SECONDS_ENV);
  });

  it('untar reads back what the build request packs', () => {
    const files = { 'a.txt': 'one', 'app/b.py': 'print("é")\n'.repeat(100) };
    expect(untar(tar(files))).toEqual(files);
    const bundle = render(exampleSpec(), { project: PROJECT });
    expect(untar(gunzipSync(Buffer.from(bundleArchive(bundle), 'base64')))).toEqual(bundle);
  });
});
