// The Admin API stand-in over plain HTTP: paths, Google JSON errors, enums, operations.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppEngineApiStandIn,
  type JsonObject,
  startAppEngineApi,
} from '../../../src/local/app-engine/server.ts';

const INT = '?$alt=json%3Benum-encoding=int';
const IMAGE = `europe-docker.pkg.dev/b/playground/pg-1@sha256:${'e'.repeat(64)}`;

let now = Date.parse('2030-01-01T00:00:00Z');
let api: AppEngineApiStandIn;

beforeAll(async () => {
  api = await startAppEngineApi({
    apps: [
      { id: 'p1', services: ['default'] },
      { id: 'p2', locationId: 'us-central', regionCode: 'uc', services: ['default'] },
      { id: 'tiny', maxVersions: 2, services: ['default'] },
      { id: 'standard-only', locationId: 'asia-east1', flexibleEnvironment: false },
    ],
    clock: () => now,
    user: 'bot@p1.iam.gserviceaccount.com',
  });
});
afterEach(() => api.reset());
afterAll(() => api.close());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as JsonObject };
}

function version(overrides: JsonObject = {}): JsonObject {
  return {
    id: 'v1',
    runtime: 'custom',
    env: 'flex',
    servingStatus: 1,
    deployment: { container: { image: IMAGE } },
    resources: { cpu: 4, memoryGb: 3.2, diskGb: 10 },
    automaticScaling: { minTotalInstances: 1, maxTotalInstances: 2, coolDownPeriod: '180s' },
    livenessCheck: { path: '/api/v1/health', checkInterval: '30s', initialDelay: '1800s' },
    readinessCheck: { path: '/api/v1/health', checkInterval: '5s', appStartTimeout: '1800s' },
    envVariables: { ZOOM_LEVEL: '16' },
    ...overrides,
  };
}

async function deploy(app = 'p1', service = 's1', body = version()) {
  const created = await call('POST', `/v1/apps/${app}/services/${service}/versions${INT}`, body);
  expect(created.status).toBe(200);
  const name = String(created.json.name);
  return { name, poll: () => call('GET', `/v1/${name}`) };
}

describe('applications', () => {
  it('serves an application with its default host name, enums as asked', async () => {
    expect(await call('GET', '/v1/apps/p2')).toEqual({
      status: 200,
      json: expect.objectContaining({
        name: 'apps/p2',
        id: 'p2',
        locationId: 'us-central',
        defaultHostname: 'p2.uc.r.appspot.com',
        servingStatus: 'SERVING',
      }),
    });
    expect((await call('GET', `/v1/apps/p1${INT}`)).json).toMatchObject({
      defaultHostname: 'p1.ew.r.appspot.com',
      servingStatus: 1,
      databaseType: 2,
    });
  });

  it("answers apps.locations.get for the application's region: a LocationMetadata saying whether it has the flexible environment", async () => {
    const metadata = (flexible: boolean) => ({
      '@type': 'type.googleapis.com/google.appengine.v1.LocationMetadata',
      standardEnvironmentAvailable: true,
      flexibleEnvironmentAvailable: flexible,
    });
    expect(await call('GET', '/v1/apps/p2/locations/us-central')).toEqual({
      status: 200,
      json: {
        name: 'apps/p2/locations/us-central',
        locationId: 'us-central',
        metadata: metadata(true),
      },
    });
    expect((await call('GET', '/v1/apps/standard-only/locations/asia-east1')).json).toMatchObject({
      locationId: 'asia-east1',
      metadata: metadata(false),
    });
  });

  it.each([
    ['/v1/apps/p1/locations/mars-north', 'Location not found: apps/p1/locations/mars-north'],
    ['/v1/apps/nope/locations/europe-west', 'Application not found: apps/nope'],
    ['/v1/apps/nope', 'Application not found: apps/nope'],
    ['/v1/apps/p1/services/none', 'Service not found: apps/p1/services/none'],
    ['/v1/apps/p1/services/none/versions/v1', 'Service not found: apps/p1/services/none'],
    ['/v1/apps/p1/operations/none', 'Operation not found: apps/p1/operations/none'],
    ['/v1/apps/nope/operations/x', 'Application not found: apps/nope'],
    ['/v2/whatever', 'No such method: GET /v2/whatever'],
  ])('answers 404 NOT_FOUND for %s', async (path, message) => {
    expect(await call('GET', path)).toEqual({
      status: 404,
      json: { error: { code: 404, message, status: 'NOT_FOUND' } },
    });
  });
});

describe('versions.create', () => {
  it('starts an operation with OperationMetadataV1, then ends it with the version', async () => {
    const created = await call('POST', `/v1/apps/p1/services/s1/versions${INT}`, version());
    expect(created.json).toEqual({
      name: expect.stringMatching(/^apps\/p1\/operations\/[0-9a-f-]{36}$/),
      metadata: {
        '@type': 'type.googleapis.com/google.appengine.v1.OperationMetadataV1',
        method: 'google.appengine.v1.Versions.CreateVersion',
        insertTime: '2030-01-01T00:00:00.000Z',
        target: 'apps/p1/services/s1/versions/v1',
        user: 'bot@p1.iam.gserviceaccount.com',
      },
      done: false,
    });
    const done = await call('GET', `/v1/${created.json.name}`);
    expect(done.json).toMatchObject({
      done: true,
      metadata: { endTime: '2030-01-01T00:00:00.000Z' },
      response: {
        '@type': 'type.googleapis.com/google.appengine.v1.Version',
        name: 'apps/p1/services/s1/versions/v1',
        id: 'v1',
        servingStatus: 'SERVING',
        versionUrl: 'https://v1-dot-s1-dot-p1.ew.r.appspot.com',
        createdBy: 'bot@p1.iam.gserviceaccount.com',
        deployment: { container: { image: IMAGE } },
      },
    });
    expect((await call('GET', `/v1/apps/p1/services/s1/versions/v1${INT}`)).json).toMatchObject({
      id: 'v1',
      servingStatus: 1,
    });
    expect(api.split('p1', 's1')).toEqual({ shardBy: 'UNSPECIFIED', allocations: { v1: 1 } });
  });

  it('records the request as sent', async () => {
    await deploy();
    expect(api.requests[0]).toEqual({
      method: 'POST',
      path: '/v1/apps/p1/services/s1/versions',
      query: { $alt: 'json;enum-encoding=int' },
      body: version(),
      status: 200,
      time: now,
    });
  });

  it('ends an operation only after its scripted polls and duration', async () => {
    api.scriptDeploy({ versionId: 'v2', polls: 2, durationMs: 60_000 });
    const first = await deploy();
    const second = await deploy('p1', 's1', version({ id: 'v2' }));
    expect((await first.poll()).json.done).toBe(true); // unscripted: the first poll
    expect((await second.poll()).json.done).toBe(false);
    expect((await second.poll()).json.done).toBe(false); // polled enough, not long enough
    now += 60_000;
    expect((await second.poll()).json).toMatchObject({
      done: true,
      metadata: { endTime: '2030-01-01T00:01:00.000Z' },
    });
    expect(api.operation(second.name)).toMatchObject({ done: true });
  });

  it('ends a scripted failure with the operation error and no version', async () => {
    api.scriptDeploy({ error: { code: 9, message: 'readiness check failed' } });
    const { poll } = await deploy();
    expect((await poll()).json).toMatchObject({
      done: true,
      error: { code: 9, message: 'readiness check failed' },
    });
    expect((await poll()).json).not.toHaveProperty('response');
    expect(api.versions('p1', 's1')).toEqual([]);
    expect(api.split('p1', 's1')).toBeUndefined();
  });

  it('answers 409 ALREADY_EXISTS for a version id in use, also while it is being created', async () => {
    api.scriptDeploy({ polls: 2 });
    const { poll } = await deploy();
    const conflict = {
      status: 409,
      json: {
        error: {
          code: 409,
          message: 'Version v1 already exists in service s1.',
          status: 'ALREADY_EXISTS',
        },
      },
    };
    expect(await call('POST', '/v1/apps/p1/services/s1/versions', version())).toEqual(conflict);
    await poll();
    await poll();
    expect(await call('POST', '/v1/apps/p1/services/s1/versions', version())).toEqual(conflict);
  });

  it.each([
    ['no image', { deployment: {} }, /deployment\.container\.image is required/],
    [
      'an image without tag or digest',
      { deployment: { container: { image: 'eu.gcr.io/p/x' } } },
      /fully qualified/,
    ],
    ['no id', { id: undefined }, /Version id is required/],
    ['an invalid id', { id: 'V_1' }, /Invalid version id "V_1"/],
    ['a reserved id', { id: 'ah-x' }, /Invalid version id/],
    ['a host name over 63 characters', { id: 'v'.repeat(52) }, /must be at most 63 characters/],
    ['the standard environment', { env: 'standard' }, /flexible versions only/],
    ['no environment', { env: undefined }, /not env "standard"/],
    ['no runtime', { runtime: '' }, /Runtime is required/],
    [
      'an odd CPU count',
      { resources: { cpu: 3, memoryGb: 3.2, diskGb: 10 } },
      /cpu 3 is not available/,
    ],
    [
      'too much memory',
      { resources: { cpu: 1, memoryGb: 8, diskGb: 10 } },
      /memoryGb 8 is outside 0.5..6.1/,
    ],
    ['too small a disk', { resources: { cpu: 1, memoryGb: 1, diskGb: 5 } }, /diskGb 5 is outside/],
    [
      'max below min instances',
      { automaticScaling: { minTotalInstances: 3, maxTotalInstances: 2 } },
      /minTotalInstances/,
    ],
    [
      'a bad duration',
      { livenessCheck: { checkInterval: 30 } },
      /livenessCheck\.checkInterval must be a duration/,
    ],
    ['a relative check path', { readinessCheck: { path: 'health' } }, /must start with "\/"/],
    [
      'a non-string env variable',
      { envVariables: { ZOOM_LEVEL: 16 } },
      /envVariables\.ZOOM_LEVEL must be a string/,
    ],
  ])('answers 400 INVALID_ARGUMENT for %s', async (_what, overrides, message) => {
    const body = JSON.parse(JSON.stringify(version(overrides as JsonObject)));
    const answer = await call('POST', '/v1/apps/p1/services/s1/versions', body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toEqual({
      code: 400,
      message: expect.stringMatching(message),
      status: 'INVALID_ARGUMENT',
    });
    expect(api.versions('p1', 's1')).toEqual([]);
  });

  it('answers 400 for a body that is not JSON, and 404 for an unknown application', async () => {
    expect((await call('POST', '/v1/apps/p1/services/s1/versions', '{nope')).status).toBe(400);
    expect((await call('POST', '/v1/apps/nope/services/s1/versions', version())).json).toEqual({
      error: { code: 404, message: 'Application not found: apps/nope', status: 'NOT_FOUND' },
    });
  });

  it('refuses a first service other than `default`, as App Engine does, and takes `default` and then any', async () => {
    api.addApp('fresh');
    expect(await call('POST', '/v1/apps/fresh/services/s1/versions', version())).toEqual({
      status: 400,
      json: googleError(
        400,
        'INVALID_ARGUMENT',
        "The first service (module) you upload to a new application must be the 'default' service (module). Please upload a version of the 'default' service (module) before uploading a version for the 's1' service (module).",
      ),
    });
    expect(api.versions('fresh', 's1')).toEqual([]);
    await (await deploy('fresh', 'default', version({ id: 'first' }))).poll();
    await (await deploy('fresh', 's1')).poll();
    expect(api.versions('fresh', 's1')).toMatchObject([{ id: 'v1' }]);
  });

  it('leaves out versionUrl when scripted to', async () => {
    api.scriptDeploy({ omitVersionUrl: true });
    const { poll } = await deploy();
    expect((await poll()).json.response).not.toHaveProperty('versionUrl');
  });
});

describe('operations.list', () => {
  it("lists the application's operations newest first, a page at a time", async () => {
    const first = await deploy('p1', 's1', version({ id: 'v1' }));
    now += 1000;
    const second = await deploy('p1', 's1', version({ id: 'v2' }));
    await deploy('p2', 's1', version({ id: 'v1' }));
    const page = await call('GET', '/v1/apps/p1/operations?pageSize=1');
    expect(page.status).toBe(200);
    const operations = page.json.operations as JsonObject[];
    expect(operations.map((op) => op.name)).toEqual([second.name]);
    expect(operations[0]?.metadata).toMatchObject({
      '@type': 'type.googleapis.com/google.appengine.v1.OperationMetadataV1',
      method: 'google.appengine.v1.Versions.CreateVersion',
      target: 'apps/p1/services/s1/versions/v2',
      insertTime: new Date(now).toISOString(),
    });
    expect(page.json.nextPageToken).toBe('1');
    const rest = await call('GET', '/v1/apps/p1/operations?pageSize=1&pageToken=1');
    expect((rest.json.operations as JsonObject[]).map((op) => op.name)).toEqual([first.name]);
    expect(rest.json.nextPageToken).toBeUndefined();
    expect((await call('GET', '/v1/apps/p1/operations?pageToken=x')).status).toBe(400);
    expect((await call('GET', '/v1/apps/p9/operations')).status).toBe(404);
  });
});

describe('services.patch (traffic split)', () => {
  it('moves traffic when its operation ends, and answers with the service', async () => {
    await (await deploy()).poll();
    await (await deploy('p1', 's1', version({ id: 'v2' }))).poll();
    const patch = await call(
      'PATCH',
      `/v1/apps/p1/services/s1?updateMask=split&$alt=json%3Benum-encoding=int`,
      {
        split: { allocations: { v2: 1 }, shardBy: 2 },
      },
    );
    expect(patch.json).toMatchObject({
      done: false,
      metadata: {
        method: 'google.appengine.v1.Services.UpdateService',
        target: 'apps/p1/services/s1',
      },
    });
    expect(api.split('p1', 's1')?.allocations).toEqual({ v1: 1 });
    const done = await call('GET', `/v1/${patch.json.name}`);
    expect(done.json.response).toEqual({
      '@type': 'type.googleapis.com/google.appengine.v1.Service',
      name: 'apps/p1/services/s1',
      id: 's1',
      split: { shardBy: 'IP', allocations: { v2: 1 } },
    });
    expect((await call('GET', `/v1/apps/p1/services/s1${INT}`)).json).toEqual({
      name: 'apps/p1/services/s1',
      id: 's1',
      split: { shardBy: 2, allocations: { v2: 1 } },
    });
  });

  it.each([
    ['no updateMask', '', { split: { allocations: { v1: 1 } } }, /updateMask is required/],
    [
      'another field',
      '?updateMask=split,labels',
      { split: { allocations: { v1: 1 } } },
      /not: labels/,
    ],
    [
      'an unknown version',
      '?updateMask=split',
      { split: { allocations: { v9: 1 } } },
      /Version v9 does not exist/,
    ],
    [
      'shares not summing to 1',
      '?updateMask=split',
      { split: { allocations: { v1: 0.5 } } },
      /sum to 1/,
    ],
    [
      'gradual migration (migrateTraffic), which flexible versions do not have',
      '?updateMask=split&migrateTraffic=true',
      { split: { allocations: { v1: 1 }, shardBy: 3 } },
      /Traffic migration does not support App Engine Flexible Environment/,
    ],
    [
      'a bad shardBy',
      '?updateMask=split',
      { split: { allocations: { v1: 1 }, shardBy: 9 } },
      /shardBy/,
    ],
  ])('answers 400 for %s', async (_what, query, body, message) => {
    await (await deploy()).poll();
    const answer = await call('PATCH', `/v1/apps/p1/services/s1${query}`, body);
    expect(answer.status).toBe(400);
    expect(String((answer.json.error as JsonObject).message)).toMatch(message);
  });
});

/** Deploys the versions of s1 in p1 one after the other, each polled to its end. */
async function deployed(...ids: string[]) {
  for (const id of ids) await (await deploy('p1', 's1', version({ id }))).poll();
}

/** Starts or stops a version; the operation as answered. */
async function setStatus(id: string, servingStatus: number | string, mask = 'servingStatus') {
  return call('PATCH', `/v1/apps/p1/services/s1/versions/${id}?updateMask=${mask}`, {
    servingStatus,
  });
}

function googleError(code: number, status: string, message: string) {
  return { error: { code, message, status } };
}

describe('versions.list and versions.get', () => {
  it('lists the BASIC view by default, FULL when asked, a page at a time', async () => {
    await deployed('v1', 'v2');
    const basic = await call('GET', '/v1/apps/p1/services/s1/versions?pageSize=1');
    expect(basic.status).toBe(200);
    const [first] = basic.json.versions as JsonObject[];
    expect(first).toMatchObject({
      id: 'v1',
      servingStatus: 'SERVING',
      createTime: expect.any(String),
    });
    for (const key of ['deployment', 'envVariables', 'livenessCheck', 'readinessCheck']) {
      expect(first).not.toHaveProperty(key);
    }
    expect(first).toHaveProperty('resources');
    expect(first).toHaveProperty('versionUrl');
    expect(basic.json.nextPageToken).toBe('1');
    const rest = await call(
      'GET',
      '/v1/apps/p1/services/s1/versions?pageSize=1&pageToken=1&view=FULL',
    );
    const [second] = rest.json.versions as JsonObject[];
    expect(second).toMatchObject({ id: 'v2', deployment: { container: { image: IMAGE } } });
    expect(rest.json).not.toHaveProperty('nextPageToken');
    // As google-gax sends it: the view as a number (1 FULL), enums answered as numbers.
    const full = await call('GET', `/v1/apps/p1/services/s1/versions${INT}&view=1`);
    expect((full.json.versions as JsonObject[]).map((v) => [v.id, v.servingStatus])).toEqual([
      ['v1', 1],
      ['v2', 1],
    ]);
    expect((full.json.versions as JsonObject[])[0]).toHaveProperty('envVariables');
  });

  it('gets one version in the BASIC view unless FULL is asked', async () => {
    await deployed('v1');
    const basic = await call('GET', '/v1/apps/p1/services/s1/versions/v1');
    expect(basic.json).not.toHaveProperty('deployment');
    const full = await call('GET', '/v1/apps/p1/services/s1/versions/v1?view=FULL');
    expect(full.json).toMatchObject({ deployment: { container: { image: IMAGE } } });
  });

  it('lists the services with their splits', async () => {
    await deployed('v1');
    await (await deploy('p1', 's2', version({ id: 'v9' }))).poll();
    expect((await call('GET', '/v1/apps/p1/services')).json).toEqual({
      services: [
        // seeded, as after the project's own first deploy; it has no versions here
        {
          name: 'apps/p1/services/default',
          id: 'default',
          split: { shardBy: 'UNSPECIFIED', allocations: {} },
        },
        {
          name: 'apps/p1/services/s1',
          id: 's1',
          split: { shardBy: 'UNSPECIFIED', allocations: { v1: 1 } },
        },
        {
          name: 'apps/p1/services/s2',
          id: 's2',
          split: { shardBy: 'UNSPECIFIED', allocations: { v9: 1 } },
        },
      ],
    });
    expect((await call('GET', '/v1/apps/p2/services')).json).toMatchObject({
      services: [{ id: 'default' }],
    });
    expect((await call('GET', '/v1/apps/p1/services/none/versions')).status).toBe(404);
  });
});

describe('versions.patch (start and stop)', () => {
  it('stops a version when its operation ends, and starts it again', async () => {
    await deployed('v1', 'v2');
    const stop = await setStatus('v2', 2);
    expect(stop.json).toMatchObject({
      done: false,
      metadata: {
        method: 'google.appengine.v1.Versions.UpdateVersion',
        target: 'apps/p1/services/s1/versions/v2',
      },
    });
    expect(api.version('p1', 's1', 'v2')?.servingStatus).toBe('SERVING');
    const done = await call('GET', `/v1/${stop.json.name}`);
    expect(done.json).toMatchObject({
      done: true,
      response: {
        '@type': 'type.googleapis.com/google.appengine.v1.Version',
        id: 'v2',
        servingStatus: 'STOPPED',
      },
    });
    expect(api.version('p1', 's1', 'v2')?.servingStatus).toBe('STOPPED');
    // The field's proto spelling works as well, and the status by name.
    const start = await setStatus('v2', 'SERVING', 'serving_status');
    await call('GET', `/v1/${start.json.name}`);
    expect(api.version('p1', 's1', 'v2')?.servingStatus).toBe('SERVING');
  });

  it('gives no traffic to a stopped version', async () => {
    await deployed('v1', 'v2');
    await call('GET', `/v1/${(await setStatus('v2', 'STOPPED')).json.name}`);
    const split = await call('PATCH', '/v1/apps/p1/services/s1?updateMask=split', {
      split: { allocations: { v2: 1 } },
    });
    expect(split).toEqual({
      status: 400,
      json: googleError(
        400,
        'INVALID_ARGUMENT',
        'Version v2 is stopped: start it before giving it traffic.',
      ),
    });
    expect(api.split('p1', 's1')?.allocations).toEqual({ v1: 1 });
  });

  it.each([
    ['no updateMask', '', 2, /updateMask is required/],
    [
      'a flexible scaling field',
      'automaticScaling.minTotalInstances',
      2,
      /does not update automatic_scaling\.min_total_instances/,
    ],
    [
      'a standard-only field',
      'instanceClass',
      2,
      /instance_class cannot be updated for a flexible version/,
    ],
    ['an unknown status', 'servingStatus', 7, /Invalid servingStatus 7/],
  ])('answers 400 for %s', async (_what, mask, status, message) => {
    await deployed('v1');
    const answer = await setStatus('v1', status, mask);
    expect(answer.status).toBe(400);
    expect(String((answer.json.error as JsonObject).message)).toMatch(message);
    expect(api.version('p1', 's1', 'v1')?.servingStatus).toBe('SERVING');
  });

  it('answers 404 for a version that does not exist', async () => {
    await deployed('v1');
    expect((await setStatus('v9', 2)).json).toEqual(
      googleError(404, 'NOT_FOUND', 'Version not found: apps/p1/services/s1/versions/v9'),
    );
  });
});

describe('versions.delete', () => {
  it('deletes a version without traffic when its operation ends', async () => {
    await deployed('v1', 'v2');
    const deleted = await call('DELETE', '/v1/apps/p1/services/s1/versions/v2');
    expect(deleted.json).toMatchObject({
      done: false,
      metadata: {
        method: 'google.appengine.v1.Versions.DeleteVersion',
        target: 'apps/p1/services/s1/versions/v2',
      },
    });
    expect(api.versions('p1', 's1').map((v) => v.id)).toEqual(['v1', 'v2']);
    expect((await call('GET', `/v1/${deleted.json.name}`)).json).toMatchObject({
      done: true,
      response: { '@type': 'type.googleapis.com/google.protobuf.Empty' },
    });
    expect(api.versions('p1', 's1').map((v) => v.id)).toEqual(['v1']);
    expect((await call('DELETE', '/v1/apps/p1/services/s1/versions/v2')).status).toBe(404);
  });

  it("refuses to delete a version that has traffic, in Google's words", async () => {
    await deployed('v1', 'v2');
    await call('PATCH', '/v1/apps/p1/services/s1?updateMask=split', {
      split: { allocations: { v1: 0.5, v2: 0.5 } },
    }).then((op) => call('GET', `/v1/${op.json.name}`));
    const refusal = googleError(
      400,
      'INVALID_ARGUMENT',
      'Cannot delete a version with a non-zero traffic allocation. Please update your traffic split to remove the allocation for this version and try again.',
    );
    for (const id of ['v1', 'v2']) {
      expect(await call('DELETE', `/v1/apps/p1/services/s1/versions/${id}`)).toEqual({
        status: 400,
        json: refusal,
      });
    }
    expect(api.versions('p1', 's1')).toHaveLength(2);
  });

  it('answers 409 ABORTED to a second operation on a version while the first runs', async () => {
    await deployed('v1', 'v2');
    const stop = await setStatus('v2', 2);
    const operationId = String(stop.json.name).split('/').at(-1);
    expect(await call('DELETE', '/v1/apps/p1/services/s1/versions/v2')).toEqual({
      status: 409,
      json: googleError(
        409,
        'ABORTED',
        `Cannot operate on apps/p1/services/s1/versions/v2 because an operation is already in progress for apps/p1/services/s1/versions/v2 by ${operationId}.`,
      ),
    });
    await call('GET', `/v1/${stop.json.name}`);
    expect((await call('DELETE', '/v1/apps/p1/services/s1/versions/v2')).status).toBe(200);
  });
});

describe('the version limit', () => {
  it('refuses a create beyond the most versions, counting those being created, until one is deleted', async () => {
    await (await deploy('tiny', 's1', version({ id: 'v1' }))).poll();
    const second = await deploy('tiny', 's1', version({ id: 'v2' })); // being created: it counts
    const limit = googleError(
      400,
      'INVALID_ARGUMENT',
      'Your app may not have more than 2 versions. Please delete one of the existing versions before trying to create a new version.',
    );
    const third = () => call('POST', '/v1/apps/tiny/services/s2/versions', version({ id: 'v3' }));
    expect(await third()).toEqual({ status: 400, json: limit });
    await second.poll();
    expect(await third()).toEqual({ status: 400, json: limit });
    const deleted = await call('DELETE', '/v1/apps/tiny/services/s1/versions/v2');
    await call('GET', `/v1/${deleted.json.name}`);
    expect((await third()).status).toBe(200);
  });

  it("defaults to App Engine's 210", async () => {
    api.addApp({ id: 'wide', services: ['default'] });
    for (let i = 0; i < 210; i += 1) await deploy('wide', 's1', version({ id: `v${i}` }));
    expect(
      (await call('POST', '/v1/apps/wide/services/s1/versions', version({ id: 'v210' }))).json,
    ).toEqual(
      googleError(
        400,
        'INVALID_ARGUMENT',
        'Your app may not have more than 210 versions. Please delete one of the existing versions before trying to create a new version.',
      ),
    );
  });
});

describe('operations scripted to take long or hang', () => {
  it('never ends a hanging operation until told to', async () => {
    await deployed('v1', 'v2');
    api.scriptOperation({ method: 'UpdateVersion', target: 'v2', hang: true });
    const stop = await setStatus('v2', 2);
    now += 3_600_000;
    for (let i = 0; i < 5; i += 1) {
      expect((await call('GET', `/v1/${stop.json.name}`)).json.done).toBe(false);
    }
    expect(api.version('p1', 's1', 'v2')?.servingStatus).toBe('SERVING');
    api.endOperation(String(stop.json.name));
    expect(api.operation(String(stop.json.name))).toMatchObject({ done: true });
    expect(api.version('p1', 's1', 'v2')?.servingStatus).toBe('STOPPED');
  });

  it('hangs a deploy too, and ends a scripted split with its error, changing nothing', async () => {
    api.scriptDeploy({ hang: true });
    const { name, poll } = await deploy();
    expect((await poll()).json.done).toBe(false);
    api.endOperation(name);
    expect((await poll()).json).toMatchObject({ done: true, response: { id: 'v1' } });
    await deployed('v2');

    api.scriptOperation({
      method: 'UpdateService',
      polls: 2,
      error: { code: 13, message: 'boom' },
    });
    const split = await call('PATCH', '/v1/apps/p1/services/s1?updateMask=split', {
      split: { allocations: { v2: 1 } },
    });
    expect((await call('GET', `/v1/${split.json.name}`)).json.done).toBe(false);
    expect((await call('GET', `/v1/${split.json.name}`)).json).toMatchObject({
      done: true,
      error: { code: 13, message: 'boom' },
    });
    expect(api.split('p1', 's1')?.allocations).toEqual({ v1: 1 });
    expect(() => api.endOperation('apps/p1/operations/none')).toThrow(/Operation not found/);
  });

  it('applies a script to its target only', async () => {
    await deployed('v1', 'v2', 'v3');
    api.scriptOperation({ method: 'DeleteVersion', target: 'v3', hang: true });
    const v2 = await call('DELETE', '/v1/apps/p1/services/s1/versions/v2');
    expect((await call('GET', `/v1/${v2.json.name}`)).json.done).toBe(true);
    const v3 = await call('DELETE', '/v1/apps/p1/services/s1/versions/v3');
    expect((await call('GET', `/v1/${v3.json.name}`)).json.done).toBe(false);
  });
});

describe('scripted faults', () => {
  it('answers 503 UNAVAILABLE to the next matching requests only, and records them', async () => {
    api.unavailable(2, { method: 'GET', path: '/v1/apps/p1' });
    const unavailable = {
      status: 503,
      json: {
        error: {
          code: 503,
          message: 'The service is currently unavailable.',
          status: 'UNAVAILABLE',
        },
      },
    };
    expect(await call('GET', '/v1/apps/p2')).toMatchObject({ status: 200 });
    expect(await call('GET', '/v1/apps/p1')).toEqual(unavailable);
    expect(await call('GET', '/v1/apps/p1')).toEqual(unavailable);
    expect(await call('GET', '/v1/apps/p1')).toMatchObject({ status: 200 });
    expect(api.requestsTo('GET', /^\/v1\/apps\/p1$/).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('answers 403 PERMISSION_DENIED when told to, as for a service account without the role', async () => {
    api.deny(1, { method: 'POST' });
    const denied = await call('POST', `/v1/apps/p1/services/s1/versions${INT}`, version());
    expect(denied).toEqual({
      status: 403,
      json: {
        error: {
          code: 403,
          message: 'The caller does not have permission',
          status: 'PERMISSION_DENIED',
        },
      },
    });
    expect(api.versions('p1', 's1')).toEqual([]);
    await deploy();
  });

  it('holds a stalled request without blocking others', async () => {
    api.stall(1, { path: /^\/v1\/apps\/p1$/ });
    const controller = new AbortController();
    const stalled = fetch(`${api.url}/v1/apps/p1`, { signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(await call('GET', '/v1/apps/p2')).toMatchObject({ status: 200 });
    expect(api.requestsTo('GET', '/v1/apps/p1')[0]?.status).toBe(0);
    controller.abort();
    expect(await stalled).toBeInstanceOf(Error);
  });

  it('forgets state, scripts and faults on reset, keeping the applications', async () => {
    await (await deploy()).poll();
    api.unavailable(5);
    api.scriptDeploy({ error: { code: 13, message: 'boom' } });
    api.reset();
    expect(api.versions('p1', 's1')).toEqual([]);
    expect(api.requests).toEqual([]);
    const { poll } = await deploy();
    expect((await poll()).json).toMatchObject({ done: true, response: { id: 'v1' } });
  });

  it('adds applications on the fly', async () => {
    expect((await call('GET', '/v1/apps/p3')).status).toBe(404);
    api.addApp('p3');
    expect((await call('GET', '/v1/apps/p3')).json.defaultHostname).toBe('p3.ew.r.appspot.com');
  });
});
