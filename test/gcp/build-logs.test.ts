// CloudLoggingBuildLogs with the official client (@google-cloud/logging-api's v2 client, REST
// transport) against the Cloud Logging stand-in, which serves the logs of builds the real
// CloudBuildAdapter started on the Cloud Build stand-in (our build request, our step ids).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { render } from '../../src/bundle/render.ts';
import { BuildLogError, CloudLoggingBuildLogs } from '../../src/gcp/build-logs.ts';
import { CloudBuildAdapter } from '../../src/gcp/cloud-build.ts';
import {
  type CloudBuildStandIn,
  type StepScript,
  startCloudBuildApi,
} from '../../src/local/cloud-build/server.ts';
import { versionLogEntry } from '../../src/local/cloud-logging/from-app-engine.ts';
import { cloudBuildLogSource } from '../../src/local/cloud-logging/from-cloud-build.ts';
import {
  type CloudLoggingStandIn,
  startCloudLoggingApi,
} from '../../src/local/cloud-logging/server.ts';
import type { BuildLogQuery } from '../../src/ports/build-logs.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const PROJECT = 'pg-builds';
const UNKNOWN_BUILD = 'deadbeef-0000-4000-8000-000000000000';

let now = Date.parse('2030-01-01T00:00:00Z');
let cloudBuild: CloudBuildStandIn;
let logging: CloudLoggingStandIn;
let builds: CloudBuildAdapter;
let logs: CloudLoggingBuildLogs;

beforeAll(async () => {
  cloudBuild = await startCloudBuildApi({ clock: () => now });
  logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
  builds = new CloudBuildAdapter({ projectId: PROJECT, apiUrl: cloudBuild.url });
  logs = new CloudLoggingBuildLogs({ projectId: PROJECT, apiUrl: logging.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await logs?.close();
  await builds?.close();
  await logging?.close();
  await cloudBuild?.close();
});
beforeEach(() => {
  cloudBuild.reset();
  logging.reset();
});

/** Starts a build of our build request with these step scripts and lets it run to its end. */
async function finishedBuild(steps: Record<string, StepScript>): Promise<string> {
  cloudBuild.script('next', { queuedMs: 0, stepMs: 1000, steps });
  const spec = sampleSpec();
  const { buildId } = await builds.start({
    submissionId: 'PG-0042',
    revision: 1,
    spec,
    bundle: render(spec, { project: 'playground-target' }),
    image: `europe-docker.pkg.dev/${PROJECT}/playground/my-service:pg-0042-r1`,
  });
  now += 60_000;
  return buildId;
}

const numbered = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}`);

async function refusal(query: BuildLogQuery, adapter = logs): Promise<BuildLogError> {
  const error = await adapter.tail(query).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BuildLogError);
  return error as BuildLogError;
}

describe('tail', () => {
  it('gives the last lines of the step asked, oldest first, without the step’s name', async () => {
    const buildId = await finishedBuild({
      'test-start': { logs: numbered('test-start', 3) },
      test: { status: 'FAILURE', logs: numbered('FAIL check', 8) },
    });
    expect(await logs.tail({ buildId, stepId: 'test', lines: 3 })).toEqual([
      'FAIL check 6',
      'FAIL check 7',
      'FAIL check 8',
    ]);
    // `test-start` is another step, though its id starts the same.
    expect(await logs.tail({ buildId, stepId: 'test-start', lines: 10 })).toEqual(
      numbered('test-start', 3),
    );
  });

  it('asks Cloud Logging for one page: this build, this step, newest first, as many as wanted', async () => {
    const buildId = await finishedBuild({ test: { logs: numbered('line', 30) } });
    expect(await logs.tail({ buildId, stepId: 'test', lines: 5 })).toEqual(
      numbered('line', 30).slice(-5),
    );
    const sent = logging.requestsTo('POST', '/v2/entries:list');
    expect(sent).toHaveLength(1); // one page, though more entries match
    expect(sent[0]?.status).toBe(200);
    expect(sent[0]?.body).toEqual({
      resourceNames: [`projects/${PROJECT}`],
      filter:
        `logName="projects/${PROJECT}/logs/cloudbuild" AND resource.type="build" AND ` +
        `resource.labels.build_id="${buildId}" AND labels.build_step=~"^Step #[0-9]+ - \\"test\\"$"`,
      orderBy: 'timestamp desc',
      pageSize: 5,
    });
  });

  it('bounds the search by the build’s create time, as an RFC 3339 timestamp', async () => {
    const buildId = await finishedBuild({ test: { status: 'FAILURE', logs: ['FAIL health'] } });
    const since = (await builds.get(buildId)).createdAt;
    expect(since).toBeInstanceOf(Date);
    expect(await logs.tail({ buildId, stepId: 'test', lines: 5, since })).toEqual(['FAIL health']);
    expect(logging.requests.at(-1)?.body).toMatchObject({
      filter: expect.stringMatching(
        new RegExp(` AND timestamp>="${(since as Date).toISOString().replaceAll('.', '\\.')}"$`),
      ),
    });
    // The bound is applied: nothing the build wrote is newer than its end.
    const after = new Date(now + 60_000);
    expect(await logs.tail({ buildId, stepId: 'test', lines: 5, since: after })).toEqual([]);
  });

  it('keeps to its build: another build’s lines of the same step are not in it', async () => {
    const first = await finishedBuild({ test: { logs: ['first build'] } });
    const second = await finishedBuild({ test: { logs: ['second build'] } });
    expect(await logs.tail({ buildId: first, stepId: 'test', lines: 10 })).toEqual(['first build']);
    expect(await logs.tail({ buildId: second, stepId: 'test', lines: 10 })).toEqual([
      'second build',
    ]);
  });

  it('gives what there is when the step printed fewer lines than asked, or none', async () => {
    const buildId = await finishedBuild({ test: { logs: ['only one'] } });
    expect(await logs.tail({ buildId, stepId: 'test', lines: 50 })).toEqual(['only one']);
    expect(await logs.tail({ buildId, stepId: 'push', lines: 50 })).toEqual([]);
  });

  it('gives [] for a build Cloud Logging has no lines of', async () => {
    expect(await logs.tail({ buildId: UNKNOWN_BUILD, stepId: 'test', lines: 20 })).toEqual([]);
    expect(await logs.tail({ buildId: UNKNOWN_BUILD, lines: 20 })).toEqual([]);
  });

  it('without a step, gives the build’s last lines as written, step names included', async () => {
    const buildId = await finishedBuild({
      test: { status: 'FAILURE', exitCode: 2, logs: ['FAIL health'] },
    });
    expect(await logs.tail({ buildId, lines: 4 })).toEqual([
      'Starting Step #3 - "test"',
      'Step #3 - "test": FAIL health',
      'ERROR',
      'ERROR: build step 3 "gcr.io/cloud-builders/docker" failed: step exited with non-zero status: 2',
    ]);
    expect(logging.requests.at(-1)?.body).toMatchObject({
      filter: `logName="projects/${PROJECT}/logs/cloudbuild" AND resource.type="build" AND resource.labels.build_id="${buildId}"`,
    });
  });
});

describe('refusals and failures', () => {
  it.each([
    ['a step id with a quote', { stepId: 'test" OR labels.build_step="MAIN' }],
    ['a step id with upper case', { stepId: 'Test' }],
    ['an empty step id', { stepId: '' }],
    ['a step id with a regular expression', { stepId: '.*' }],
    ['a build id that is not a UUID', { buildId: 'abc" OR "x' }],
    ['no lines', { lines: 0 }],
    ['more lines than one page holds', { lines: 1001 }],
    ['a fraction of a line', { lines: 2.5 }],
    ['a time bound that is no date', { since: new Date(Number.NaN) }],
  ])('refuses %s before any call', async (_what, change) => {
    const error = await refusal({ buildId: UNKNOWN_BUILD, stepId: 'test', lines: 10, ...change });
    expect(error.code).toBe('invalid_query');
    expect(error.retryable).toBe(false);
    expect(logging.requests).toHaveLength(0);
  });

  it('refuses a project id that is not one when made', () => {
    expect(
      () => new CloudLoggingBuildLogs({ projectId: 'Not A Project', apiUrl: logging.url }),
    ).toThrow(BuildLogError);
  });

  it('surfaces UNAVAILABLE as a retryable BuildLogError, after one try', async () => {
    logging.unavailable(1);
    const error = await refusal({ buildId: UNKNOWN_BUILD, stepId: 'test', lines: 10 });
    expect(error).toMatchObject({ code: 'unavailable', grpcCode: 14, retryable: true });
    expect(error.message).toBe('listLogEntries: The service is currently unavailable.');
    expect(logging.requests.map((r) => r.status)).toEqual([503]);
  });

  it('gives up on a request that gets no answer in time', async () => {
    logging.stall(1);
    const quick = new CloudLoggingBuildLogs({
      projectId: PROJECT,
      apiUrl: logging.url,
      timeoutMs: 300,
    });
    try {
      const started = Date.now();
      const error = await refusal({ buildId: UNKNOWN_BUILD, lines: 10 }, quick);
      expect(error).toMatchObject({ code: 'unavailable', grpcCode: 4 });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await quick.close();
    }
  });

  it('surfaces a refusal (PERMISSION_DENIED) as a BuildLogError not worth retrying', async () => {
    logging.deny(1);
    const error = await refusal({ buildId: UNKNOWN_BUILD, stepId: 'test', lines: 10 });
    expect(error).toMatchObject({ code: 'logging_api_error', grpcCode: 7, retryable: false });
    expect(error.message).toBe('listLogEntries: The caller does not have permission');
    expect(logging.requests.map((r) => r.status)).toEqual([403]);
  });

  it('surfaces no server at all as unavailable', async () => {
    const gone = await startCloudLoggingApi({ source: () => [] });
    await gone.close();
    const nobody = new CloudLoggingBuildLogs({ projectId: PROJECT, apiUrl: gone.url });
    try {
      const error = await refusal({ buildId: UNKNOWN_BUILD, lines: 10 }, nobody);
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    } finally {
      await nobody.close();
    }
  });
});

describe('versionTail', () => {
  const version = { project: 'pg-prod-1', service: 'my-service', versionId: 'pg-0042-r1' };
  const line = (text: string, at: number, more: { versionId?: string; project?: string } = {}) =>
    versionLogEntry({ ...version, ...more, text, time: new Date(now + at) });

  it("gives the version's last lines in its project, oldest first, others' left out", async () => {
    logging.write([
      line('booting', 1),
      line('other version', 2, { versionId: 'pg-0041-r1' }),
      line('other project', 3, { project: 'pg-dev-1' }),
      line('Traceback (most recent call last):', 4),
      line('MemoryError', 5),
    ]);
    const since = new Date(now);
    expect(await logs.versionTail({ ...version, lines: 2, since })).toEqual([
      'Traceback (most recent call last):',
      'MemoryError',
    ]);
    expect(logging.requests.at(-1)?.body).toEqual({
      resourceNames: ['projects/pg-prod-1'],
      filter:
        'resource.type="gae_app" AND resource.labels.module_id="my-service" AND ' +
        `resource.labels.version_id="pg-0042-r1" AND timestamp>="${since.toISOString()}"`,
      orderBy: 'timestamp desc',
      pageSize: 2,
    });
    expect(await logs.versionTail({ ...version, versionId: 'pg-0043-r1', lines: 5 })).toEqual([]);
  });

  it('refuses ids that are not App Engine ids, before any call', async () => {
    for (const query of [
      { ...version, project: 'Not A Project' },
      { ...version, service: 'My_Service' },
      { ...version, versionId: '-v1' },
    ]) {
      const error = await logs.versionTail({ ...query, lines: 5 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_query' });
    }
    expect(logging.requests).toEqual([]);
  });
});
