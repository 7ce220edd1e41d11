// The registry adapter against the registry stand-in over plain HTTP (REGISTRY_API_URL): a
// tag resolved to the digest of a Docker manifest, an OCI index, a manifest list; pinned
// digests verified; the token challenge answered anonymously, or with Google credentials for
// Google's registries; private, unknown and unreachable each with its code; and what was
// asked, from the stand-in's request record.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DockerRef, parseDockerRef } from '../../src/domain/submission-spec/docker-ref.ts';
import { DistributionRegistry, registryUrl } from '../../src/gcp/registry.ts';
import { MEDIA_TYPES } from '../../src/local/registry/manifests.ts';
import { type RegistryStandIn, startRegistry } from '../../src/local/registry/server.ts';
import { RegistryError } from '../../src/ports/registry.ts';
import { refusedPort } from '../helpers/refused-port.ts';
import { IMAGES, PRIVATE_REPOSITORY } from '../local/registry/fixtures.ts';

const READER = 'ya29.reader';
const OUTSIDER = 'ya29.outsider';
const ACCOUNT = 'playground-bot@bot-project.iam.gserviceaccount.com';

let registry: RegistryStandIn;
/** What the adapter's Google token source was asked, and what it answers. */
let googleAsked = 0;
let googleToken: string | undefined;

beforeAll(async () => {
  registry = await startRegistry({
    images: IMAGES,
    private: { [PRIVATE_REPOSITORY]: [`oauth2accesstoken:${READER}`] },
    accounts: [`oauth2accesstoken:${OUTSIDER}`],
  });
});
afterAll(() => registry.close());
beforeEach(() => {
  registry.reset();
  googleAsked = 0;
  googleToken = undefined;
});

function adapter(options: { apiUrl?: string; timeoutMs?: number } = {}) {
  return new DistributionRegistry({
    apiUrl: options.apiUrl ?? registry.url,
    timeoutMs: options.timeoutMs ?? 5000,
    google: {
      accessToken: async () => {
        googleAsked += 1;
        return googleToken;
      },
      account: async () => (googleToken === undefined ? undefined : ACCOUNT),
    },
  });
}

function ref(text: string): DockerRef {
  const parsed = parseDockerRef(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** The error resolve rejects with. */
async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error: unknown = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('resolving a tag', () => {
  it('resolves a Docker Hub official image through the anonymous token challenge', async () => {
    const resolved = await adapter().resolve(ref('python:3.12'));
    expect(resolved).toEqual({
      digest: registry.digestOf('library/python', '3.12'),
      mediaType: MEDIA_TYPES.dockerManifest,
    });
    // HEAD → 401 challenge → token (anonymous: no credentials for Docker Hub) → HEAD with it.
    expect(registry.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['HEAD', '/v2/library/python/manifests/3.12', 401],
      ['GET', '/token', 200],
      ['HEAD', '/v2/library/python/manifests/3.12', 200],
    ]);
    const [, token, head] = registry.requests;
    expect(token?.query).toEqual({
      scope: 'repository:library/python:pull',
      service: registry.service,
    });
    expect(token?.authorization).toBeUndefined();
    expect(head?.authorization).toMatch(/^Bearer stand-in-/);
    expect(googleAsked).toBe(0);
  });

  it('asks for every manifest type it takes, index and list first', async () => {
    await adapter().resolve(ref('python:3.12'));
    const accept = registry.requests[0]?.accept?.split(',').map((type) => type.trim());
    expect(accept).toEqual([
      MEDIA_TYPES.ociIndex,
      MEDIA_TYPES.dockerList,
      MEDIA_TYPES.ociManifest,
      MEDIA_TYPES.dockerManifest,
    ]);
  });

  it('resolves an OCI index and a Docker manifest list to the digest of the index or list itself', async () => {
    const index = await adapter().resolve(ref('acme/multi:2.0'));
    expect(index).toEqual({
      digest: registry.digestOf('acme/multi', '2.0'),
      mediaType: MEDIA_TYPES.ociIndex,
    });
    const list = await adapter().resolve(ref('docker.io/acme/list:3.0'));
    expect(list).toEqual({
      digest: registry.digestOf('acme/list', '3.0'),
      mediaType: MEDIA_TYPES.dockerList,
    });
  });

  it('reads `latest` for a reference without a tag', async () => {
    const resolved = await adapter().resolve(ref('acme/model'));
    expect(resolved.digest).toBe(registry.digestOf('acme/model', 'latest'));
    expect(resolved.mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(registry.requests[0]?.path).toBe('/v2/acme/model/manifests/latest');
  });

  it('GETs and hashes the manifest when HEAD gives no Docker-Content-Digest', async () => {
    const bare = await startRegistry({
      images: [{ repository: 'acme/list', tag: '3.0', kind: 'docker-list' }],
      headDigests: false,
    });
    try {
      const resolved = await adapter({ apiUrl: bare.url }).resolve(ref('acme/list:3.0'));
      expect(resolved).toEqual({
        digest: bare.digestOf('acme/list', '3.0'),
        mediaType: MEDIA_TYPES.dockerList,
      });
      expect(bare.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'HEAD /v2/acme/list/manifests/3.0 401',
        'GET /token 200',
        'HEAD /v2/acme/list/manifests/3.0 200',
        'GET /v2/acme/list/manifests/3.0 200',
      ]);
    } finally {
      await bare.close();
    }
  });
});

describe('a pinned digest', () => {
  it('is verified by asking for that digest', async () => {
    const digest = registry.digestOf('acme/multi', '2.0') ?? '';
    const resolved = await adapter().resolve(ref(`acme/multi:2.0@${digest}`));
    expect(resolved).toEqual({ digest, mediaType: MEDIA_TYPES.ociIndex });
    expect(registry.requests.at(-1)?.path).toBe(`/v2/acme/multi/manifests/${digest}`);
  });

  it('that the registry does not have is not_found', async () => {
    const error = await failure(adapter().resolve(ref(`acme/multi@sha256:${'1'.repeat(64)}`)));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('MANIFEST_UNKNOWN');
  });

  it('that a registry answers with other bytes is invalid', async () => {
    const liar = await fakeRegistry((req, res) => {
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest });
      res.end(req.method === 'HEAD' ? undefined : '{"schemaVersion":2}');
    });
    try {
      const pinned = ref(`acme/model@sha256:${'2'.repeat(64)}`);
      const error = await failure(adapter({ apiUrl: liar.url }).resolve(pinned));
      expect(error.code).toBe('invalid');
      expect(error.message).toContain(`sha256:${'2'.repeat(64)}`);
    } finally {
      await liar.close();
    }
  });
});

describe("Google's registries", () => {
  it('read a private image with the Google access token as oauth2accesstoken credentials', async () => {
    googleToken = READER;
    const resolved = await adapter().resolve(
      ref('europe-docker.pkg.dev/my-project/models/boats:1.0'),
    );
    expect(resolved.digest).toBe(registry.digestOf(PRIVATE_REPOSITORY, '1.0'));
    expect(googleAsked).toBe(1);
    const [token] = registry.requestsTo('GET', '/token');
    const expected = Buffer.from(`oauth2accesstoken:${READER}`).toString('base64');
    expect(token?.authorization).toBe(`Basic ${expected}`);
  });

  it('are denied when the account may not read the image', async () => {
    googleToken = OUTSIDER;
    const error = await failure(adapter().resolve(ref('eu.gcr.io/my-project/models/boats:1.0')));
    expect(error.code).toBe('denied');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('DENIED');
    expect(error.message).toContain(`the bot asked as ${ACCOUNT}`);
    expect(error.account).toBe(ACCOUNT);
  });

  it('never send the credentials to a token service on another host', async () => {
    const elsewhere = await fakeRegistry((_req, res) => {
      const realm = `Bearer realm="${registry.url}/token",service="${registry.service}"`;
      res.writeHead(401, { 'www-authenticate': realm });
      res.end();
    });
    try {
      googleToken = READER;
      const image = ref('gcr.io/my-project/models/boats:1.0');
      const error = await failure(adapter({ apiUrl: elsewhere.url }).resolve(image));
      expect(error.code).toBe('denied');
      const [token] = registry.requestsTo('GET', '/token');
      expect(token?.query.scope).toBe('repository:my-project/models/boats:pull');
      expect(token?.authorization).toBeUndefined();
    } finally {
      await elsewhere.close();
    }
  });

  it('are read anonymously when the bot has no Google credentials, and a private image is denied', async () => {
    const error = await failure(adapter().resolve(ref('gcr.io/my-project/models/boats:1.0')));
    expect(error.code).toBe('denied');
    expect(error.message).toContain('the bot asked without Google credentials');
    expect(error.account).toBeUndefined();
    expect(googleAsked).toBe(1);
    expect(registry.requestsTo('GET', '/token')[0]?.authorization).toBeUndefined();
  });
});

describe('refusals', () => {
  it('a private Docker Hub image is denied, and no Google credentials are asked for it', async () => {
    const error = await failure(adapter().resolve(ref('my-project/models/boats:1.0')));
    expect(error.code).toBe('denied');
    expect(error.message).toContain('private, or no such repository');
    expect(error.account).toBeUndefined();
    expect(error.message).toContain('UNAUTHORIZED');
    expect(googleAsked).toBe(0);
  });

  it('an unknown tag is not_found (MANIFEST_UNKNOWN), an unknown repository too (NAME_UNKNOWN)', async () => {
    const tag = await failure(adapter().resolve(ref('python:9.9')));
    expect(tag.code).toBe('not_found');
    expect(tag.message).toContain('library/python:9.9');
    expect(tag.message).toContain('MANIFEST_UNKNOWN');
    const name = await failure(adapter().resolve(ref('acme/nothing:1.0')));
    expect(name.code).toBe('not_found');
    expect(name.message).toContain('NAME_UNKNOWN');
  });
});

describe('an unreachable registry is unavailable', () => {
  it('when nothing listens', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}`;
    const error = await failure(adapter({ apiUrl: url }).resolve(ref('python:3.12')));
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('when it answers 503, without asking again', async () => {
    registry.unavailable(1, { path: '/v2/' });
    const error = await failure(adapter().resolve(ref('python:3.12')));
    expect(error.code).toBe('unavailable');
    expect(registry.requests).toHaveLength(1);
  });

  it('when the token service stalls, within the deadline', async () => {
    registry.stall(1, { path: '/token' });
    const started = Date.now();
    const error = await failure(adapter({ timeoutMs: 300 }).resolve(ref('python:3.12')));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when the manifest request stalls, within the deadline', async () => {
    registry.stall(1, { method: 'HEAD' });
    const started = Date.now();
    const error = await failure(adapter({ timeoutMs: 300 }).resolve(ref('python:3.12')));
    expect(error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("within a caller's own deadline, shorter than the adapter's", async () => {
    registry.stall(1, { method: 'HEAD' });
    const started = Date.now();
    const error = await failure(adapter().resolve(ref('python:3.12'), { timeoutMs: 200 }));
    expect(error.message).toContain('no answer within 200 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

it('asks a stand-in (REGISTRY_API_URL) without Google credentials unless given some', async () => {
  const standIn = new DistributionRegistry({ apiUrl: registry.url, timeoutMs: 5000 });
  const error = await failure(standIn.resolve(ref(`eu.gcr.io/${PRIVATE_REPOSITORY}:1.0`)));
  expect(error.code).toBe('denied');
  expect(error.message).toContain('the bot asked without Google credentials');
  expect(error.account).toBeUndefined();
  expect(registry.requests.every((r) => !r.authorization?.startsWith('Basic'))).toBe(true);
  expect(await standIn.resolve(ref('python:3.12'))).toMatchObject({
    digest: registry.digestOf('library/python', '3.12'),
  });
});

it("names Docker Hub's API host for docker.io, and the registry itself otherwise", () => {
  expect(registryUrl('docker.io')).toBe('https://registry-1.docker.io');
  expect(registryUrl('europe-docker.pkg.dev')).toBe('https://europe-docker.pkg.dev');
  expect(registryUrl('localhost:5000')).toBe('https://localhost:5000');
});

/** A registry that breaks the rules the stand-in keeps, answering every request with `handle`. */
async function fakeRegistry(handle: RequestListener) {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
