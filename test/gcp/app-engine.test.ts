// The AppEngineAdapter with the real @google-cloud/appengine-admin client (google-gax REST
// transport) against the Admin API stand-in on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppEngineAdapter, AppEngineError, VersionRequestError } from '../../src/gcp/app-engine.ts';
import { type AppEngineApiStandIn, startAppEngineApi } from '../../src/local/app-engine/server.ts';
import type { DeployPlan } from '../../src/ports/deploy.ts';
import { refusedPort } from '../helpers/refused-port.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const DIGEST = `sha256:${'c0ffee'.repeat(10)}abcd`;
const IMAGE = `europe-docker.pkg.dev/pg-build/playground/pg-0042@${DIGEST}`;
const SERVICE = 'my-service';

let api: AppEngineApiStandIn;
let adapter: AppEngineAdapter;

beforeAll(async () => {
  api = await startAppEngineApi({
    apps: [
      { id: 'p1', services: ['default'] },
      { id: 'p2', regionCode: 'uc', services: ['default'] },
      { id: 'p3', maxVersions: 2, services: ['default'] },
      'pg-new-1', // a new application: no `default` service yet
    ],
  });
  adapter = new AppEngineAdapter({ apiUrl: api.url, timeoutMs: 2000, retryDelayMs: 20 });
});
afterEach(() => api.reset());
afterAll(async () => {
  await adapter.close();
  await api.close();
});

function plan(overrides: Partial<DeployPlan> = {}): DeployPlan {
  return {
    project: 'p1',
    spec: sampleSpec(),
    versionId: 'pg-0042-r1',
    imageUrl: IMAGE,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<AppEngineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppEngineError);
  expect((error as Error).name).toBe('AppEngineError'); // as logs show it
  return error as AppEngineError;
}

/** Polls until done, as the tracker would (without its backoff); returns the states seen. */
async function pollToEnd(name: string) {
  const states = [];
  for (let i = 0; i < 20; i += 1) {
    const state = await adapter.getOperation(name);
    states.push(state);
    if (state.done) return states;
  }
  throw new Error(`operation ${name} never finished`);
}

describe('createVersion and getOperation', () => {
  it('creates the version, returns the operation without waiting, and polls it to its URL', async () => {
    const { operation } = await adapter.createVersion(plan());
    expect(operation).toMatch(/^apps\/p1\/operations\/[0-9a-f-]{36}$/);
    expect(api.requestsTo('GET', '/v1/apps/p1/operations/')).toHaveLength(0);

    const states = await pollToEnd(operation);
    expect(states).toEqual([
      { done: true, versionUrl: 'https://pg-0042-r1-dot-my-service-dot-p1.ew.r.appspot.com' },
    ]);

    const [create, ...rest] = api.requestsTo('POST', '/v1/apps/');
    expect(rest).toEqual([]);
    expect(create?.path).toBe('/v1/apps/p1/services/my-service/versions');
    expect(create?.query).toEqual({ $alt: 'json;enum-encoding=int' });
    expect(create?.body).toMatchObject({
      id: 'pg-0042-r1',
      runtime: 'custom',
      env: 'flex',
      servingStatus: 1,
      deployment: { container: { image: IMAGE } },
      resources: { cpu: 4, memoryGb: 3.2, diskGb: 10 },
      automaticScaling: { minTotalInstances: 1, maxTotalInstances: 2, coolDownPeriod: '180s' },
      livenessCheck: {
        path: '/api/v1/health',
        checkInterval: '30s',
        timeout: '4s',
        failureThreshold: 4,
        successThreshold: 2,
        initialDelay: '1800s',
      },
      readinessCheck: {
        path: '/api/v1/health',
        checkInterval: '5s',
        timeout: '4s',
        failureThreshold: 2,
        successThreshold: 2,
        appStartTimeout: '1800s',
      },
      envVariables: {
        PREDICTOR_CLASS: 'MyPredictor',
        PREDICTOR_PACKAGE: 'my_package.my_module',
        PROJECT_NAME: 'p1',
        ZOOM_LEVEL: '16',
        PADDING: '24',
        SERVICE_NAME: 'my-service',
        PARTNER_IMAGE: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
      },
    });
    expect(api.version('p1', SERVICE, 'pg-0042-r1')).toMatchObject({
      name: 'apps/p1/services/my-service/versions/pg-0042-r1',
      servingStatus: 'SERVING',
    });
  });

  it('reports a deploy operation that ends in an error, and the id can be used again', async () => {
    api.scriptDeploy({ polls: 2, error: { code: 9, message: 'readiness check failed' } });
    const { operation } = await adapter.createVersion(plan());
    expect(await pollToEnd(operation)).toEqual([
      { done: false },
      { done: true, error: { code: 9, message: 'readiness check failed' } },
    ]);
    expect(api.versions('p1', SERVICE)).toEqual([]);

    const again = await adapter.createVersion(plan());
    expect((await pollToEnd(again.operation)).at(-1)?.versionUrl).toMatch(
      /^https:\/\/pg-0042-r1-dot/,
    );
  });

  it('follows a slow operation over several polls', async () => {
    api.scriptDeploy({ polls: 4 });
    const { operation } = await adapter.createVersion(plan());
    const states = await pollToEnd(operation);
    expect(states.map((s) => s.done)).toEqual([false, false, false, true]);
    expect(api.requestsTo('GET', `/v1/${operation}`)).toHaveLength(4);
  });

  it('falls back to the default host name when the version has no versionUrl', async () => {
    api.scriptDeploy({ omitVersionUrl: true });
    const { operation } = await adapter.createVersion(plan({ project: 'p2' }));
    expect(await pollToEnd(operation)).toEqual([
      { done: true, versionUrl: 'https://pg-0042-r1-dot-my-service-dot-p2.uc.r.appspot.com' },
    ]);
    expect(api.requestsTo('GET', /^\/v1\/apps\/p2$/)).toHaveLength(1);
  });

  it('says version_exists for a version id that is taken (or still being created)', async () => {
    api.scriptDeploy({ polls: 3 });
    await adapter.createVersion(plan());
    const error = await failure(adapter.createVersion(plan()));
    expect(error).toMatchObject({ code: 'version_exists', grpcCode: 6, retryable: false });
    expect(error.message).toBe(
      'createVersion: Version pg-0042-r1 already exists in service my-service.',
    );
  });

  it('passes on what the API refuses in the version, with its message', async () => {
    const spec = sampleSpec({ resources: { cpu: 3, memory_gb: 3.2, disk_size_gb: 10 } });
    const error = await failure(adapter.createVersion(plan({ spec })));
    expect(error).toMatchObject({ code: 'appengine_api_error', grpcCode: 3, retryable: false });
    expect(error.message).toMatch(/^createVersion: resources\.cpu 3 is not available/);
  });

  it("passes on App Engine's refusal of a first service other than `default`, not to be retried", async () => {
    const error = await failure(adapter.createVersion(plan({ project: 'pg-new-1' })));
    expect(error).toMatchObject({ code: 'appengine_api_error', grpcCode: 3, retryable: false });
    expect(error.message).toBe(
      "createVersion: The first service (module) you upload to a new application must be the 'default' service (module). Please upload a version of the 'default' service (module) before uploading a version for the 'my-service' service (module).",
    );
    expect(api.versions('pg-new-1', SERVICE)).toEqual([]);
  });

  it('refuses a plan that breaks the version rules before calling the API', async () => {
    await expect(
      adapter.createVersion(plan({ imageUrl: 'europe-docker.pkg.dev/p/r/img:latest' })),
    ).rejects.toBeInstanceOf(VersionRequestError);
    await expect(adapter.createVersion(plan({ versionId: 'x'.repeat(42) }))).rejects.toThrow(
      /more than App Engine allows in a host name/,
    );
    expect(api.requests).toEqual([]);
  });

  it('answers 404 for an unknown project', async () => {
    const error = await failure(adapter.createVersion(plan({ project: 'nobody' })));
    expect(error).toMatchObject({ code: 'appengine_api_error', grpcCode: 5 });
    expect(error.message).toBe('createVersion: Application not found: apps/nobody');
    await expect(adapter.defaultHostname('nobody')).rejects.toMatchObject({
      code: 'appengine_api_error',
      message: 'getApplication: Application not found: apps/nobody',
    });
    await expect(adapter.getOperation('apps/p1/operations/unknown')).rejects.toMatchObject({
      code: 'appengine_api_error',
      grpcCode: 5,
    });
  });
});

describe('promote', () => {
  it('moves all traffic to the version with a split patch', async () => {
    for (const versionId of ['pg-0042-r1', 'pg-0042-r2']) {
      const { operation } = await adapter.createVersion(plan({ versionId }));
      await pollToEnd(operation);
    }
    // The first version of a new service takes its traffic; the second does not.
    expect(api.split('p1', SERVICE)?.allocations).toEqual({ 'pg-0042-r1': 1 });

    const { operation } = await adapter.promote('p1', SERVICE, 'pg-0042-r2');
    expect(operation).toMatch(/^apps\/p1\/operations\//);
    expect(await pollToEnd(operation)).toEqual([{ done: true, split: { 'pg-0042-r2': 1 } }]);
    expect(api.split('p1', SERVICE)).toEqual({
      shardBy: 'IP',
      allocations: { 'pg-0042-r2': 1 },
    });

    const [patch] = api.requestsTo('PATCH', '/v1/apps/');
    expect(patch?.path).toBe('/v1/apps/p1/services/my-service');
    expect(patch?.query).toEqual({ updateMask: 'split', $alt: 'json;enum-encoding=int' });
    expect(patch?.body).toMatchObject({
      split: { allocations: { 'pg-0042-r2': 1 }, shardBy: 2 },
    });
  });

  it('fails for a service that does not exist', async () => {
    await expect(adapter.promote('p1', 'nothing-here', 'v1')).rejects.toMatchObject({
      code: 'appengine_api_error',
      grpcCode: 5,
    });
  });
});

/** Creates the versions one after the other, each to its end. */
async function deployed(...versionIds: string[]) {
  for (const versionId of versionIds) {
    await pollToEnd((await adapter.createVersion(plan({ versionId }))).operation);
  }
}

const URL_R1 = 'https://pg-0042-r1-dot-my-service-dot-p1.ew.r.appspot.com';
const URL_R2 = 'https://pg-0042-r2-dot-my-service-dot-p1.ew.r.appspot.com';

describe('listVersions and trafficSplit', () => {
  it("lists the service's versions oldest first, with status, creation time, traffic and URL", async () => {
    const before = Date.now();
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.requests.length = 0;
    const versions = await adapter.listVersions('p1', SERVICE);
    expect(versions).toEqual([
      {
        id: 'pg-0042-r1',
        servingStatus: 'SERVING',
        createTime: expect.any(Date),
        traffic: 1,
        url: URL_R1,
      },
      {
        id: 'pg-0042-r2',
        servingStatus: 'SERVING',
        createTime: expect.any(Date),
        traffic: 0,
        url: URL_R2,
      },
    ]);
    expect(versions[0]?.createTime?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const [list, ...more] = api.requestsTo('GET', /\/versions$/);
    expect(more).toEqual([]);
    expect(list?.path).toBe('/v1/apps/p1/services/my-service/versions');
    // view 0 is BASIC, which leaves out the deployment details.
    expect(list?.query).toEqual({ view: '0', pageSize: '100', $alt: 'json;enum-encoding=int' });
    expect(api.requestsTo('GET', /^\/v1\/apps\/p1\/services\/my-service$/)).toHaveLength(1);
  });

  it('builds a URL on the default host for a version without one, asking for the host once', async () => {
    api.scriptDeploy({ omitVersionUrl: true });
    api.scriptDeploy({ omitVersionUrl: true });
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.requests.length = 0;
    expect((await adapter.listVersions('p1', SERVICE)).map((v) => v.url)).toEqual([URL_R1, URL_R2]);
    expect(api.requestsTo('GET', /^\/v1\/apps\/p1$/)).toHaveLength(1);
  });

  it('reads the split, and says NOT_FOUND for a service that does not exist', async () => {
    await deployed('pg-0042-r1');
    expect(await adapter.trafficSplit('p1', SERVICE)).toEqual({
      shardBy: 'UNSPECIFIED',
      allocations: { 'pg-0042-r1': 1 },
    });
    await deployed('pg-0042-r2');
    await pollToEnd((await adapter.promote('p1', SERVICE, 'pg-0042-r2')).operation);
    expect(await adapter.trafficSplit('p1', SERVICE)).toEqual({
      shardBy: 'IP',
      allocations: { 'pg-0042-r2': 1 },
    });
    const missing = await failure(adapter.listVersions('p1', 'nothing-here'));
    expect(missing).toMatchObject({ code: 'appengine_api_error', grpcCode: 5 });
  });

  it('reads every page of a long list', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `pg-0042-r${String(i + 1).padStart(3, '0')}`);
    await deployed(...ids);
    api.requests.length = 0;
    expect((await adapter.listVersions('p1', SERVICE)).map((v) => v.id)).toEqual(ids);
    expect(api.requestsTo('GET', /\/versions$/).map((r) => r.query.pageToken)).toEqual([
      undefined,
      '100',
    ]);
  });

  it('repeats a list after UNAVAILABLE', async () => {
    await deployed('pg-0042-r1');
    api.unavailable(1, { method: 'GET', path: /\/versions$/ });
    expect(await adapter.listVersions('p1', SERVICE)).toHaveLength(1);
    expect(api.requestsTo('GET', /\/versions$/).map((r) => r.status)).toEqual([503, 200]);
  });
});

describe('setServingStatus: stop and start', () => {
  it('stops a version with a servingStatus patch, and starts it again', async () => {
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.requests.length = 0;
    const { operation } = await adapter.setServingStatus('p1', SERVICE, 'pg-0042-r2', 'STOPPED');
    expect(operation).toMatch(/^apps\/p1\/operations\//);
    expect(await pollToEnd(operation)).toEqual([{ done: true, versionUrl: URL_R2 }]);
    expect(api.version('p1', SERVICE, 'pg-0042-r2')?.servingStatus).toBe('STOPPED');

    const [patch, ...more] = api.requestsTo('PATCH', '/v1/apps/');
    expect(more).toEqual([]);
    expect(patch?.path).toBe('/v1/apps/p1/services/my-service/versions/pg-0042-r2');
    expect(patch?.query).toEqual({ updateMask: 'servingStatus', $alt: 'json;enum-encoding=int' });
    // The client also sends the Version's empty maps; outside the mask, they change nothing.
    const empty = { betaSettings: {}, buildEnvVariables: {}, envVariables: {} };
    expect(patch?.body).toEqual({ servingStatus: 2, ...empty });
    expect((await adapter.listVersions('p1', SERVICE)).map((v) => v.servingStatus)).toEqual([
      'SERVING',
      'STOPPED',
    ]);

    // No traffic goes to a stopped version: it is started first.
    const refused = await failure(adapter.promote('p1', SERVICE, 'pg-0042-r2'));
    expect(refused).toMatchObject({ code: 'appengine_api_error', grpcCode: 3, retryable: false });
    const started = await adapter.setServingStatus('p1', SERVICE, 'pg-0042-r2', 'SERVING');
    await pollToEnd(started.operation);
    expect(api.requestsTo('PATCH', /versions/).at(-1)?.body).toEqual({
      servingStatus: 1,
      ...empty,
    });
    await pollToEnd((await adapter.promote('p1', SERVICE, 'pg-0042-r2')).operation);
    expect(api.split('p1', SERVICE)?.allocations).toEqual({ 'pg-0042-r2': 1 });
  });

  it('follows an operation that hangs, and says version_busy to another on that version', async () => {
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.scriptOperation({ method: 'UpdateVersion', target: 'pg-0042-r2', hang: true });
    const { operation } = await adapter.setServingStatus('p1', SERVICE, 'pg-0042-r2', 'STOPPED');
    for (let i = 0; i < 3; i += 1)
      expect(await adapter.getOperation(operation)).toEqual({ done: false });
    const busy = await failure(adapter.deleteVersion('p1', SERVICE, 'pg-0042-r2'));
    expect(busy).toMatchObject({ code: 'version_busy', grpcCode: 10, retryable: false });
    expect(busy.message).toMatch(
      /^deleteVersion: Cannot operate on apps\/p1\/services\/my-service\/versions\/pg-0042-r2 because an operation is already in progress/,
    );
    api.endOperation(operation);
    expect(await adapter.getOperation(operation)).toEqual({ done: true, versionUrl: URL_R2 });
  });
});

describe('deleteVersion', () => {
  it('deletes a version without traffic, as an operation', async () => {
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.requests.length = 0;
    const { operation } = await adapter.deleteVersion('p1', SERVICE, 'pg-0042-r2');
    expect(api.version('p1', SERVICE, 'pg-0042-r2')).toBeDefined(); // until the operation ends
    expect(await pollToEnd(operation)).toEqual([{ done: true }]);
    expect(api.versions('p1', SERVICE).map((v) => v.id)).toEqual(['pg-0042-r1']);
    const [request, ...more] = api.requestsTo('DELETE', '/v1/apps/');
    expect(more).toEqual([]);
    expect(request?.path).toBe('/v1/apps/p1/services/my-service/versions/pg-0042-r2');
    expect(request?.query).toEqual({ $alt: 'json;enum-encoding=int' });
    expect(request?.body).toBeUndefined();

    const gone = await failure(adapter.deleteVersion('p1', SERVICE, 'pg-0042-r2'));
    expect(gone).toMatchObject({ code: 'appengine_api_error', grpcCode: 5 });
  });

  it("passes on the refusal to delete a version that has traffic, in Google's words", async () => {
    await deployed('pg-0042-r1');
    const refused = await failure(adapter.deleteVersion('p1', SERVICE, 'pg-0042-r1'));
    expect(refused).toMatchObject({ code: 'appengine_api_error', grpcCode: 3, retryable: false });
    expect(refused.message).toBe(
      'deleteVersion: Cannot delete a version with a non-zero traffic allocation. Please update your traffic split to remove the allocation for this version and try again.',
    );
    expect(api.versions('p1', SERVICE)).toHaveLength(1);
  });

  it('reports a delete operation that fails', async () => {
    await deployed('pg-0042-r1', 'pg-0042-r2');
    api.scriptOperation({ method: 'DeleteVersion', error: { code: 13, message: 'internal' } });
    const { operation } = await adapter.deleteVersion('p1', SERVICE, 'pg-0042-r2');
    expect(await pollToEnd(operation)).toEqual([
      { done: true, error: { code: 13, message: 'internal' } },
    ]);
    expect(api.versions('p1', SERVICE)).toHaveLength(2);
  });
});

describe('countVersions and the version limit', () => {
  it("counts the application's versions across its services, page by page", async () => {
    await deployed('pg-0042-r1', 'pg-0042-r2');
    await pollToEnd(
      (await adapter.createVersion(plan({ spec: sampleSpec({ service: 'other' }) }))).operation,
    );
    api.requests.length = 0;
    expect(await adapter.countVersions('p1')).toBe(3);
    expect(await adapter.countVersions('p2')).toBe(0);
    const [services] = api.requestsTo('GET', /^\/v1\/apps\/p1\/services$/);
    expect(services?.query).toEqual({ pageSize: '100', $alt: 'json;enum-encoding=int' });
    expect(
      api
        .requestsTo('GET', /\/versions$/)
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      '/v1/apps/p1/services/default/versions', // the seeded `default`, with no versions
      '/v1/apps/p1/services/my-service/versions',
      '/v1/apps/p1/services/other/versions',
      '/v1/apps/p2/services/default/versions',
    ]);
  });

  it('says version_limit when the application holds its most versions', async () => {
    await pollToEnd((await adapter.createVersion(plan({ project: 'p3' }))).operation);
    await adapter.createVersion(plan({ project: 'p3', versionId: 'pg-0042-r2' })); // still being created
    const error = await failure(
      adapter.createVersion(plan({ project: 'p3', versionId: 'pg-0042-r3' })),
    );
    expect(error).toMatchObject({ code: 'version_limit', grpcCode: 3, retryable: false });
    expect(error.message).toBe(
      'createVersion: Your app may not have more than 2 versions. Please delete one of the existing versions before trying to create a new version.',
    );
  });
});

describe('findCreateOperation: a create whose answer was lost', () => {
  it('finds the newest create of that version started since the request, and only that', async () => {
    const asked = new Date();
    // Other versions, another service's version, and a promote: none of them is it.
    for (const versionId of ['pg-0041-r1', 'pg-0042-r2']) {
      await pollToEnd((await adapter.createVersion(plan({ versionId }))).operation);
    }
    await pollToEnd((await adapter.promote('p1', SERVICE, 'pg-0041-r1')).operation);
    const failedFirst = await (async () => {
      api.scriptDeploy({ versionId: 'pg-0042-r1', error: { code: 9, message: 'no' } });
      const { operation } = await adapter.createVersion(plan());
      await pollToEnd(operation);
      return operation;
    })();
    const { operation: lost } = await adapter.createVersion(plan());
    expect(lost).not.toBe(failedFirst);

    expect(await adapter.findCreateOperation('p1', SERVICE, 'pg-0042-r1', asked)).toBe(lost);
    expect(await adapter.findCreateOperation('p1', 'other', 'pg-0042-r1', asked)).toBeUndefined();
    expect(await adapter.findCreateOperation('p1', SERVICE, 'pg-0042-r9', asked)).toBeUndefined();
    // Operations from before the request (clock skew allowed) belong to someone else.
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await adapter.findCreateOperation('p1', SERVICE, 'pg-0042-r1', later)).toBeUndefined();
    // The adopted operation is followed like any other, to the version's URL.
    expect((await pollToEnd(lost)).at(-1)).toEqual({
      done: true,
      versionUrl: 'https://pg-0042-r1-dot-my-service-dot-p1.ew.r.appspot.com',
    });

    const lists = api.requestsTo('GET', /^\/v1\/apps\/p1\/operations$/);
    expect(lists).toHaveLength(4);
    expect(lists.at(-1)?.query).toEqual({ pageSize: '100' });
  });

  it('reads the following pages, a few at most', async () => {
    const asked = new Date();
    const { operation: wanted } = await adapter.createVersion(plan());
    await pollToEnd(wanted);
    // 150 newer operations push the create onto the second page (newest first).
    for (let i = 0; i < 150; i += 1) await adapter.promote('p1', SERVICE, 'pg-0042-r1');
    api.requests.length = 0;
    expect(await adapter.findCreateOperation('p1', SERVICE, 'pg-0042-r1', asked)).toBe(wanted);
    const lists = api.requestsTo('GET', /^\/v1\/apps\/p1\/operations$/);
    expect(lists.map((r) => r.query.pageToken)).toEqual([undefined, '100']);
  });

  it('passes on that the application does not exist', async () => {
    await expect(
      adapter.findCreateOperation('nope', SERVICE, 'pg-0042-r1', new Date()),
    ).rejects.toMatchObject({ code: 'appengine_api_error', grpcCode: 5 });
  });
});

describe('an unavailable or silent API', () => {
  it('repeats a poll after UNAVAILABLE, briefly, and gets the answer', async () => {
    const { operation } = await adapter.createVersion(plan());
    api.unavailable(2, { method: 'GET', path: '/v1/apps/p1/operations/' });
    expect(await adapter.getOperation(operation)).toMatchObject({ done: true });
    expect(api.requestsTo('GET', '/v1/apps/p1/operations/').map((r) => r.status)).toEqual([
      503, 503, 200,
    ]);
  });

  it('gives up after its attempts with a retryable unavailable error', async () => {
    api.unavailable(3, { path: '/v1/apps/p1' });
    const error = await failure(adapter.defaultHostname('p1'));
    expect(error).toMatchObject({ code: 'unavailable', grpcCode: 14, retryable: true });
    expect(error.message).toBe('getApplication: The service is currently unavailable.');
    expect(await adapter.defaultHostname('p1')).toBe('p1.ew.r.appspot.com');
  });

  it('does not repeat a create itself: UNAVAILABLE, then success when the caller retries', async () => {
    api.unavailable(1, { method: 'POST' });
    const error = await failure(adapter.createVersion(plan()));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    expect(api.requestsTo('POST', '/v1/apps/')).toHaveLength(1);

    const { operation } = await adapter.createVersion(plan());
    expect((await pollToEnd(operation)).at(-1)?.versionUrl).toBeDefined();
    expect(api.requestsTo('POST', '/v1/apps/').map((r) => r.status)).toEqual([503, 200]);
  });

  it('stops waiting for an answer that does not come, and tries again', async () => {
    const impatient = new AppEngineAdapter({ apiUrl: api.url, timeoutMs: 300, retryDelayMs: 10 });
    try {
      api.stall(1, { path: '/v1/apps/p1' });
      const started = Date.now();
      expect(await impatient.defaultHostname('p1')).toBe('p1.ew.r.appspot.com');
      expect(Date.now() - started).toBeLessThan(5000);
      api.stall(1, { method: 'POST' });
      const error = await failure(impatient.createVersion(plan()));
      expect(error).toMatchObject({ code: 'unavailable', grpcCode: 4 });
      expect(error.message).toBe('createVersion: no answer within 300 ms');
    } finally {
      await impatient.close();
    }
  });

  it('says unavailable at once when nothing listens', async () => {
    const port = await refusedPort();
    const dead = new AppEngineAdapter({ apiUrl: `http://127.0.0.1:${port}`, retryDelayMs: 10 });
    try {
      const started = Date.now();
      const error = await failure(dead.getOperation('apps/p1/operations/x'));
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
      expect(error.message).toMatch(/ECONNREFUSED/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await dead.close();
    }
  });
});
