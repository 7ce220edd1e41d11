// The stand-in's serving side over plain HTTP: a service's URL answers from the version
// holding its traffic, a version's own URL from that version while it is not stopped.
// The versions' "instances" are small HTTP servers that say who they are and what they got.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppEngineApiStandIn,
  type JsonObject,
  startAppEngineApi,
} from '../../../src/local/app-engine/server.ts';
import { type LocalServing, startLocalServing } from '../../../src/local/app-engine/serving.ts';

const IMAGE = (v: string) => `europe-docker.pkg.dev/b/playground/svc@sha256:${v.repeat(64)}`;

let api: AppEngineApiStandIn;
let serving: LocalServing;
/** Version id -> the URL of its instances; a version missing here runs nowhere. */
const instances = new Map<string, string>();
const servers: Server[] = [];

/** An HTTP server answering as version `id`: its id, and the request it got. */
async function instance(id: string): Promise<string> {
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    res.writeHead(200, { 'content-type': 'application/json', 'x-answered-by': id });
    res.end(JSON.stringify({ version: id, method: req.method, path: req.url, body }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  api = await startAppEngineApi({ apps: [{ id: 'p1', services: ['default'] }] });
  serving = await startLocalServing({
    appEngine: api,
    instancesOf: ({ versionId, image }) =>
      image === IMAGE(versionId.slice(-1)) ? instances.get(versionId) : undefined,
  });
  instances.set('v1', await instance('v1'));
  instances.set('v2', await instance('v2'));
});
afterEach(() => {
  api.reset();
  api.onDeploy(undefined);
});
afterAll(async () => {
  await serving?.close();
  await api?.close();
  for (const server of servers) server.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<JsonObject> {
  const response = await fetch(`${api.url}/v1/apps/p1/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as JsonObject;
  expect(response.status, JSON.stringify(json)).toBe(200);
  // Operations end on their first poll unless scripted.
  if (typeof json.name === 'string' && json.name.includes('/operations/'))
    return (await (await fetch(`${api.url}/v1/${json.name}`)).json()) as JsonObject;
  return json;
}

const deploy = (id: string) =>
  admin('POST', 'services/svc/versions', {
    id,
    runtime: 'custom',
    env: 'flex',
    deployment: { container: { image: IMAGE(id.slice(-1)) } },
  });
const split = (allocations: Record<string, number>, shardBy?: string) =>
  admin('PATCH', 'services/svc?updateMask=split', {
    split: { allocations, ...(shardBy ? { shardBy } : {}) },
  });
const servingStatus = (id: string, status: 'SERVING' | 'STOPPED') =>
  admin('PATCH', `services/svc/versions/${id}?updateMask=servingStatus`, {
    servingStatus: status,
  });

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    text,
    json: () => JSON.parse(text) as Record<string, string>,
    by: response.headers.get('x-answered-by'),
  };
}

const svcUrl = () => serving.serviceUrl('p1', 'svc');
const v = (id: string) => serving.versionUrl({ app: 'p1', service: 'svc', versionId: id });

describe("a service's URL", () => {
  it('passes requests to the version holding the traffic, path below the prefix, query and body as sent', async () => {
    await deploy('v1');
    expect(svcUrl()).toBe(`${serving.url}/apps/p1/services/svc`);
    const answer = await get(`${svcUrl()}/api/v1/process?debug=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"tiles":[]}',
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      version: 'v1',
      method: 'POST',
      path: '/api/v1/process?debug=1',
      body: '{"tiles":[]}',
    });
    // The bare URL is the service's root; the rest of a path goes on encoded as it came.
    expect((await get(svcUrl())).json().path).toBe('/');
    expect((await get(`${svcUrl()}/a%2Fb%20c`)).json().path).toBe('/a%2Fb%20c');
    expect((await get(`${serving.url}/apps/p1/services/%E0%A4%A/x`)).status).toBe(404);
  });

  it('follows the split: traffic moved to v2 serves v2, and v1 still answers at its own URL', async () => {
    await deploy('v1');
    await deploy('v2');
    expect((await get(`${svcUrl()}/api/v1/health`)).by).toBe('v1');
    await split({ v2: 1 });
    expect((await get(`${svcUrl()}/api/v1/health`)).by).toBe('v2');
    expect((await get(`${v('v1')}/api/v1/health`)).by).toBe('v1');
    await split({ v1: 1 });
    expect((await get(`${svcUrl()}/api/v1/health`)).by).toBe('v1');
  });

  it('splits by IP as App Engine does: one client (127.0.0.1) always gets the same version', async () => {
    await deploy('v1');
    await deploy('v2');
    await split({ v1: 0.5, v2: 0.5 }, 'IP');
    const seen = new Set<string | null>();
    for (let i = 0; i < 20; i += 1) seen.add((await get(svcUrl())).by);
    expect(seen.size).toBe(1);
  });

  it('splits at random for each request with RANDOM, and by the GOOGAPPUID cookie with COOKIE', async () => {
    await deploy('v1');
    await deploy('v2');
    await split({ v1: 0.5, v2: 0.5 }, 'RANDOM');
    const seen = new Set<string | null>();
    for (let i = 0; i < 100 && seen.size < 2; i += 1) seen.add((await get(svcUrl())).by);
    expect([...seen].sort()).toEqual(['v1', 'v2']);

    await split({ v1: 0.5, v2: 0.5 }, 'COOKIE');
    const byCookie = new Map<string, Set<string | null>>();
    for (const uid of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const got = new Set<string | null>();
      for (let i = 0; i < 5; i += 1)
        got.add((await get(svcUrl(), { headers: { cookie: `x=1; GOOGAPPUID=${uid}` } })).by);
      byCookie.set(uid, got);
    }
    for (const got of byCookie.values()) expect(got.size).toBe(1);
  });

  it('answers 404 for an unknown service and 503 "no serving version" for a service without traffic', async () => {
    const unknown = await get(`${serving.serviceUrl('p1', 'nope')}/api/v1/health`);
    expect(unknown).toMatchObject({
      status: 404,
      text: 'The service nope does not exist in p1.\n',
    });
    expect((await get(`${serving.serviceUrl('nope', 'svc')}/`)).status).toBe(404);
    expect((await get(`${serving.url}/elsewhere`)).status).toBe(404);
    const empty = await get(`${serving.serviceUrl('p1', 'default')}/api/v1/health`);
    expect(empty).toMatchObject({
      status: 503,
      text: 'No serving version: default has no traffic allocated.\n',
    });
  });
});

describe("a version's URL", () => {
  it('answers 503 while the version is STOPPED, and again once it is started', async () => {
    await deploy('v1');
    await deploy('v2');
    await split({ v2: 1 });
    await servingStatus('v1', 'STOPPED');
    expect(await get(`${v('v1')}/api/v1/health`)).toMatchObject({
      status: 503,
      text: 'No serving version: v1 of svc is stopped.\n',
    });
    await servingStatus('v1', 'SERVING');
    expect((await get(`${v('v1')}/api/v1/health`)).by).toBe('v1');
  });

  it('answers 404 for an unknown version, 503 for one that runs nowhere here', async () => {
    await deploy('v1');
    expect((await get(`${v('v9')}/`)).status).toBe(404);
    await admin('POST', 'services/svc/versions', {
      id: 'v3',
      runtime: 'custom',
      env: 'flex',
      deployment: { container: { image: IMAGE('7') } },
    });
    expect(await get(`${v('v3')}/api/v1/health`)).toMatchObject({
      status: 503,
      text: 'No instances: v3 of svc runs nowhere here (its build was simulated).\n',
    });
  });

  it('is what the stand-in reports as versionUrl when the versionUrl hook maps it, and it answers', async () => {
    const asked: unknown[] = [];
    api.onDeploy({
      versionUrl: (version) => {
        asked.push(version);
        return serving.versionUrl(version);
      },
    });
    const done = await deploy('v1');
    const url = (done.response as JsonObject).versionUrl;
    expect(url).toBe(`${serving.url}/apps/p1/services/svc/versions/v1`);
    expect(asked[0]).toEqual({ app: 'p1', service: 'svc', versionId: 'v1', image: IMAGE('1') });
    expect((await get(`${url}/api/v1/health`)).by).toBe('v1');
  });
});

describe('the stand-in tells watchers of changes', () => {
  it('once per operation that ended well, and on reset', async () => {
    let changes = 0;
    const unsubscribe = api.onChange(() => {
      changes += 1;
    });
    await deploy('v1');
    expect(changes).toBe(1);
    await servingStatus('v1', 'STOPPED');
    expect(changes).toBe(2);
    api.scriptOperation({ method: 'UpdateVersion', error: { code: 13, message: 'boom' } });
    await admin('PATCH', 'services/svc/versions/v1?updateMask=servingStatus', {
      servingStatus: 'SERVING',
    });
    expect(changes).toBe(2);
    api.reset();
    expect(changes).toBe(3);
    unsubscribe();
    await deploy('v1');
    expect(changes).toBe(3);
    expect(api.services('p1')).toEqual(['default', 'svc']);
  });
});
