// The doctor's adapters with the official clients (REST transport) against the stand-ins,
// each asserted on what the stand-in received and on Google's (or Slack's) failing answers.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEngineSetupProbe } from '../../src/gcp/app-engine-setup.ts';
import { ArtifactRegistryProbe } from '../../src/gcp/artifact-registry.ts';
import { ResourceManagerProbe } from '../../src/gcp/resource-manager.ts';
import { type AppEngineApiStandIn, startAppEngineApi } from '../../src/local/app-engine/server.ts';
import {
  type ArtifactRegistryStandIn,
  startArtifactRegistryApi,
} from '../../src/local/artifact-registry/server.ts';
import {
  type ResourceManagerStandIn,
  startResourceManagerApi,
} from '../../src/local/resource-manager/server.ts';
import { type SlackApiStandIn, startSlackApi } from '../../src/local/slack-api/server.ts';
import { SlackSetupProbe } from '../../src/slack/setup-probe.ts';

describe('ResourceManagerProbe against the Resource Manager stand-in', () => {
  let api: ResourceManagerStandIn;
  let probe: ResourceManagerProbe;
  beforeAll(async () => {
    api = await startResourceManagerApi({
      projects: [{ id: 'pg-prod-1', number: '222222222222', granted: ['a.b.get', 'a.b.list'] }],
    });
    probe = new ResourceManagerProbe({ apiUrl: api.url });
  });
  afterAll(async () => {
    await probe.close();
    await api.close();
  });

  it('answers the granted subset of the permissions asked, by projects.testIamPermissions', async () => {
    expect(await probe.testPermissions('pg-prod-1', ['a.b.get', 'a.b.update'])).toEqual({
      reached: true,
      value: ['a.b.get'],
    });
    expect(api.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v3/projects/pg-prod-1:testIamPermissions',
      // The resource travels in the path; the body holds the rest of the request.
      body: { permissions: ['a.b.get', 'a.b.update'] },
      status: 200,
    });
    // None granted: proto3 JSON leaves the empty list out, read as [].
    expect(await probe.testPermissions('pg-prod-1', ['x.y.z'])).toEqual({
      reached: true,
      value: [],
    });
  });

  it('asks at most 100 permissions a call', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `p.q.n${i}`);
    api.grant('pg-prod-1', [many[0] ?? '', many[120] ?? '']);
    const before = api.requests.length;
    expect(await probe.testPermissions('pg-prod-1', many)).toEqual({
      reached: true,
      value: [many[0], many[120]],
    });
    const sizes = api.requests
      .slice(before)
      .map((r) => (r.body as { permissions: string[] }).permissions.length);
    expect(sizes).toEqual([100, 50]);
  });

  it('reads a project number; an unknown project is PERMISSION_DENIED, as Google answers', async () => {
    expect(await probe.projectNumber('pg-prod-1')).toEqual({
      reached: true,
      value: '222222222222',
    });
    expect(await probe.testPermissions('pg-nope-1', ['a.b.get'])).toEqual({
      reached: false,
      code: 'denied',
      message: 'Permission denied on resource project pg-nope-1 (or it may not exist).',
    });
    expect(api.requests.at(-1)?.status).toBe(403);
  });

  it('reads a 503 as unavailable', async () => {
    api.unavailable(1);
    expect(await probe.projectNumber('pg-prod-1')).toMatchObject({
      reached: false,
      code: 'unavailable',
    });
  });
});

describe('ArtifactRegistryProbe against the Artifact Registry stand-in', () => {
  let api: ArtifactRegistryStandIn;
  let probe: ArtifactRegistryProbe;
  const where = { project: 'pg-host-1', location: 'europe', repository: 'playground' };
  beforeAll(async () => {
    api = await startArtifactRegistryApi({
      repositories: [
        {
          ...where,
          bindings: [{ role: 'roles/artifactregistry.reader', members: ['user:a@b.c'] }],
        },
      ],
    });
    probe = new ArtifactRegistryProbe({ apiUrl: api.url });
  });
  afterAll(async () => {
    await probe.close();
    await api.close();
  });

  it("reads the repository's bindings by repositories.getIamPolicy; an unknown one is not_found", async () => {
    expect(await probe.policy(where)).toEqual({
      reached: true,
      value: [{ role: 'roles/artifactregistry.reader', members: ['user:a@b.c'] }],
    });
    expect(api.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/projects/pg-host-1/locations/europe/repositories/playground:getIamPolicy',
    });
    expect(await probe.policy({ ...where, repository: 'other' })).toMatchObject({
      reached: false,
      code: 'not_found',
    });
    api.deny(1);
    expect(await probe.policy(where)).toMatchObject({ reached: false, code: 'denied' });
  });
});

describe('AppEngineSetupProbe against the App Engine stand-in', () => {
  let api: AppEngineApiStandIn;
  let probe: AppEngineSetupProbe;
  beforeAll(async () => {
    api = await startAppEngineApi({
      apps: [
        { id: 'pg-prod-1', locationId: 'us-central', services: ['default'] },
        'pg-dev-1',
        { id: 'pg-std-1', locationId: 'asia-east1', flexibleEnvironment: false },
      ],
    });
    probe = new AppEngineSetupProbe({ apiUrl: api.url });
  });
  afterAll(async () => {
    await probe.close();
    await api.close();
  });

  it('reads the application (apps.get), its region and status, and its services', async () => {
    expect(await probe.application('pg-prod-1')).toEqual({
      reached: true,
      value: { locationId: 'us-central', servingStatus: 'SERVING' },
    });
    expect(await probe.services('pg-prod-1')).toEqual({ reached: true, value: ['default'] });
    expect(await probe.services('pg-dev-1')).toEqual({ reached: true, value: [] });
    expect(await probe.application('pg-none-1')).toMatchObject({
      reached: false,
      code: 'not_found',
    });
  });

  it("reads whether the application's region has the flexible environment (apps.locations.get)", async () => {
    expect(await probe.flexibleEnvironment('pg-prod-1', 'us-central')).toEqual({
      reached: true,
      value: true,
    });
    expect(await probe.flexibleEnvironment('pg-std-1', 'asia-east1')).toEqual({
      reached: true,
      value: false,
    });
    expect(api.requestsTo('GET', '/v1/apps/pg-std-1/locations/asia-east1')).toHaveLength(1);
    expect(await probe.flexibleEnvironment('pg-prod-1', 'mars-north')).toEqual({
      reached: false,
      code: 'not_found',
      message: 'Location not found: apps/pg-prod-1/locations/mars-north',
    });
    api.deny(1);
    expect(await probe.flexibleEnvironment('pg-prod-1', 'us-central')).toMatchObject({
      reached: false,
      code: 'denied',
    });
  });
});

describe('SlackSetupProbe against the Slack stand-in', () => {
  let api: SlackApiStandIn;
  let probe: SlackSetupProbe;
  beforeAll(async () => {
    api = await startSlackApi({
      botToken: 'xoxb-probe',
      users: [{ id: 'UAPPROVER1', name: 'alex', real_name: 'Alex Approver' }],
      usergroups: [{ id: 'SAPPROVERS', handle: 'approvers', users: ['UAPPROVER1'] }],
      channels: [{ id: 'CREVIEW001', name: 'playground-review', botIsMember: false }],
      scopes: ['commands', 'chat:write'],
    });
    probe = new SlackSetupProbe(
      new webApi.WebClient('xoxb-probe', { slackApiUrl: api.url, retryConfig: { retries: 0 } }),
    );
  });
  afterAll(() => api.close());

  it("reads the token's scopes from the x-oauth-scopes header, as Slack sends it", async () => {
    expect(await probe.identity()).toEqual({
      reached: true,
      value: {
        botUserId: 'UBOT000001',
        team: 'playground-local',
        scopes: ['commands', 'chat:write'],
      },
    });
    api.setScopes(['commands']);
    expect(await probe.identity()).toMatchObject({ value: { scopes: ['commands'] } });
  });

  it('reads the channel and whether the bot is in it; resolves users and user groups', async () => {
    expect(await probe.channel('CREVIEW001')).toEqual({
      reached: true,
      value: { name: 'playground-review', isMember: false },
    });
    api.setBotMember('CREVIEW001', true);
    expect(await probe.channel('CREVIEW001')).toMatchObject({ value: { isMember: true } });
    expect(await probe.channel('CNOPE0001')).toEqual({
      reached: false,
      code: 'not_found',
      message: 'channel_not_found',
    });
    expect(await probe.approver('UAPPROVER1')).toEqual({ reached: true, value: 'Alex Approver' });
    expect(await probe.approver('SAPPROVERS')).toMatchObject({ reached: true });
    expect(await probe.approver('UNOBODY01')).toMatchObject({ reached: false, code: 'not_found' });
  });

  it('reads a refused token as denied', async () => {
    const wrong = new SlackSetupProbe(
      new webApi.WebClient('xoxb-wrong', { slackApiUrl: api.url, retryConfig: { retries: 0 } }),
    );
    expect(await wrong.identity()).toEqual({
      reached: false,
      code: 'denied',
      message: 'invalid_auth',
    });
  });
});
