// The registry stand-in against the distribution spec's rules, over plain HTTP: the token
// challenge and token service, manifests by tag and digest with Docker-Content-Digest of
// their exact bytes, content negotiation of indexes and lists, private repositories, the
// spec's error bodies, stable digests, the request record and scripted faults.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from '../../../src/local/registry/manifests.ts';
import { type RegistryStandIn, startRegistry } from '../../../src/local/registry/server.ts';
import { eventually } from '../../helpers/eventually.ts';
import { IMAGES, PRIVATE_REPOSITORY } from './fixtures.ts';

const GOOGLE = 'oauth2accesstoken:ya29.reader';
const OTHER = 'oauth2accesstoken:ya29.other';
const ALL_TYPES = Object.values(MEDIA_TYPES).join(', ');

let registry: RegistryStandIn;

beforeAll(async () => {
  registry = await startRegistry({
    images: IMAGES,
    private: { [PRIVATE_REPOSITORY]: [GOOGLE] },
    accounts: [OTHER],
  });
});
afterAll(() => registry.close());
beforeEach(() => registry.reset());

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

async function token(repository: string, credentials?: string): Promise<string> {
  const query = new URLSearchParams({
    service: registry.service,
    scope: `repository:${repository}:pull`,
  });
  const response = await fetch(`${registry.url}/token?${query}`, {
    headers: credentials === undefined ? {} : { authorization: basic(credentials) },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string; access_token: string };
  expect(body.access_token).toBe(body.token);
  return body.token;
}

async function manifest(
  repository: string,
  reference: string,
  init: { method?: string; accept?: string; credentials?: string } = {},
) {
  const bearer = await token(repository, init.credentials);
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${bearer}`, accept: init.accept ?? ALL_TYPES },
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { response, bytes, json: bytes.length > 0 ? JSON.parse(bytes.toString()) : undefined };
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('token authentication', () => {
  it('challenges a request without a token: 401, WWW-Authenticate Bearer with realm, service, scope', async () => {
    const response = await fetch(`${registry.url}/v2/library/python/manifests/3.12`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="${registry.url}/token",service="${registry.service}",scope="repository:library/python:pull"`,
    );
    expect(await response.json()).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }],
    });
  });

  it('answers the version check with a token, and challenges it without one', async () => {
    const without = await fetch(`${registry.url}/v2/`);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).not.toContain('scope=');
    const bearer = await token('library/python');
    const withToken = await fetch(`${registry.url}/v2/`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('refuses unknown credentials and an unknown service at the token service', async () => {
    const scope = `service=${registry.service}&scope=repository:my-project/models/boats:pull`;
    const wrong = await fetch(`${registry.url}/token?${scope}`, {
      headers: { authorization: basic('oauth2accesstoken:nobody') },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(
      'UNAUTHORIZED',
    );
    const service = await fetch(`${registry.url}/token?service=elsewhere`);
    expect(service.status).toBe(400);
  });

  it('keeps a private repository from an anonymous token (401 insufficient_scope) and from other accounts (403 DENIED)', async () => {
    const anonymous = await manifest(PRIVATE_REPOSITORY, '1.0');
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.response.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope"',
    );
    expect(anonymous.json.errors[0].code).toBe('UNAUTHORIZED');
    const other = await manifest(PRIVATE_REPOSITORY, '1.0', { credentials: OTHER });
    expect(other.response.status).toBe(403);
    expect(other.json.errors[0].code).toBe('DENIED');
    const reader = await manifest(PRIVATE_REPOSITORY, '1.0', { credentials: GOOGLE });
    expect(reader.response.status).toBe(200);
  });
});

describe('manifests', () => {
  it('answers GET with the manifest, its media type, length and the sha256 of its exact bytes', async () => {
    const { response, bytes, json } = await manifest('library/python', '3.12');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerManifest);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(response.headers.get('docker-content-digest')).toBe(sha256(bytes));
    expect(json.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(json.schemaVersion).toBe(2);
    expect(registry.digestOf('library/python', '3.12')).toBe(sha256(bytes));
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = await manifest('acme/model', 'latest');
    const head = await manifest('acme/model', 'latest', { method: 'HEAD' });
    expect(head.response.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    for (const name of ['content-type', 'content-length', 'docker-content-digest']) {
      expect(head.response.headers.get(name)).toBe(get.response.headers.get(name));
    }
    expect(get.response.headers.get('content-type')).toBe(MEDIA_TYPES.ociManifest);
  });

  it('answers by digest what it answers by tag', async () => {
    const byTag = await manifest('acme/multi', '2.0');
    const digest = byTag.response.headers.get('docker-content-digest') ?? '';
    const byDigest = await manifest('acme/multi', digest);
    expect(byDigest.response.status).toBe(200);
    expect(byDigest.bytes.equals(byTag.bytes)).toBe(true);
  });

  it('serves an OCI index and a Docker manifest list whose platform manifests are there by digest', async () => {
    for (const [repository, tag, type] of [
      ['acme/multi', '2.0', MEDIA_TYPES.ociIndex],
      ['acme/list', '3.0', MEDIA_TYPES.dockerList],
    ] as const) {
      const index = await manifest(repository, tag);
      expect(index.response.headers.get('content-type')).toBe(type);
      const platforms = index.json.manifests.map(
        (m: { platform: { architecture: string } }) => m.platform.architecture,
      );
      expect(platforms).toEqual(['amd64', 'arm64']);
      for (const entry of index.json.manifests) {
        const child = await manifest(repository, entry.digest);
        expect(child.response.status).toBe(200);
        expect(sha256(child.bytes)).toBe(entry.digest);
        expect(child.bytes.length).toBe(entry.size);
      }
    }
  });

  it('negotiates by Accept: a list not accepted gives its amd64 manifest, an index not accepted is MANIFEST_UNKNOWN', async () => {
    const list = await manifest('acme/list', '3.0');
    const single = await manifest('acme/list', '3.0', { accept: MEDIA_TYPES.dockerManifest });
    expect(single.response.status).toBe(200);
    expect(single.response.headers.get('content-type')).toBe(MEDIA_TYPES.dockerManifest);
    expect(single.response.headers.get('docker-content-digest')).toBe(
      list.json.manifests[0].digest,
    );
    const index = await manifest('acme/multi', '2.0', { accept: MEDIA_TYPES.ociManifest });
    expect(index.response.status).toBe(404);
    expect(index.json.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('answers 404 NAME_UNKNOWN for an unknown repository and MANIFEST_UNKNOWN for an unknown tag or digest', async () => {
    const name = await manifest('acme/nothing', '1.0');
    expect(name.response.status).toBe(404);
    expect(name.json.errors[0].code).toBe('NAME_UNKNOWN');
    const tag = await manifest('library/python', '9.9');
    expect(tag.response.status).toBe(404);
    expect(tag.json.errors[0].code).toBe('MANIFEST_UNKNOWN');
    const digest = await manifest('library/python', `sha256:${'0'.repeat(64)}`);
    expect(digest.json.errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('gives an image the same digest on every start, and a moved tag a new one', async () => {
    const again = await startRegistry({ images: [{ repository: 'library/python', tag: '3.12' }] });
    try {
      expect(again.digestOf('library/python', '3.12')).toBe(
        registry.digestOf('library/python', '3.12'),
      );
      const before = again.digestOf('library/python', '3.12');
      const after = again.push({ repository: 'library/python', tag: '3.12', kind: 'oci' });
      expect(after).not.toBe(before);
      expect(again.digestOf('library/python', '3.12')).toBe(after);
    } finally {
      await again.close();
    }
  });
});

describe('record and faults', () => {
  it('records each request with its Accept and Authorization headers and the status answered', async () => {
    await manifest('library/python', '3.12', { method: 'HEAD' });
    const [tokenCall] = registry.requestsTo('GET', '/token');
    expect(tokenCall?.query).toMatchObject({ scope: 'repository:library/python:pull' });
    const [head] = registry.requestsTo('HEAD', '/v2/library/python/manifests/');
    expect(head).toMatchObject({ accept: ALL_TYPES, status: 200 });
    expect(head?.authorization).toMatch(/^Bearer stand-in-/);
  });

  it('answers 503 to a scripted unavailable and never answers a stalled request', async () => {
    registry.unavailable(1, { path: '/v2/' });
    const unavailable = await fetch(`${registry.url}/v2/`);
    expect(unavailable.status).toBe(503);
    registry.stall(1, { path: '/token' });
    const abort = new AbortController();
    const stalled = fetch(`${registry.url}/token`, { signal: abort.signal });
    // Given up only once the stand-in has the request: it recorded it, and never answered.
    await eventually(() => expect(registry.requestsTo('GET', '/token')).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    await expect(stalled).rejects.toThrow(/aborted/i);
    expect(registry.requestsTo('GET', '/token')[0]?.status).toBe(0);
    expect((await fetch(`${registry.url}/v2/`)).status).toBe(401);
  });

  it('answers 403 DENIED to a scripted deny', async () => {
    registry.deny(1, { method: 'GET' });
    const denied = await fetch(`${registry.url}/v2/`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(
      'DENIED',
    );
  });
});
