// A stand-in for an image registry on loopback (REGISTRY_API_URL), answering as the OCI
// distribution spec says (https://github.com/opencontainers/distribution-spec/blob/main/spec.md)
// with Docker's token authentication in front of it, as Docker Hub does
// (https://distribution.github.io/distribution/spec/auth/token/):
//
//   GET /v2/                             200 {} with a token; 401 and a challenge without
//   HEAD|GET /v2/NAME/manifests/REF      REF a tag or a digest; 200 with Content-Type,
//                                        Content-Length and Docker-Content-Digest (the sha256
//                                        of the exact bytes); HEAD has no body
//   GET /token?service=&scope=           a Bearer token; Basic credentials optional
//
// Every /v2/ request needs a token (anonymous ones are given for public repositories), so
// the first answer is 401 `WWW-Authenticate: Bearer realm=…,service=…,scope=…`. A private
// repository is read only with a token issued to one of its credentials: without one, 401
// (`error="insufficient_scope"`); with other credentials, 403 DENIED. Unknown names and
// tags answer 404 NAME_UNKNOWN / MANIFEST_UNKNOWN. Errors carry the spec's body
// `{ "errors": [{ "code", "message", "detail" }] }`.
//
// Content negotiation: a Docker manifest list asked for without accepting lists answers its
// linux/amd64 manifest (the distribution registry's fallback); an OCI index asked for
// without accepting indexes is MANIFEST_UNKNOWN; single manifests are answered as they are.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type FaultControls,
  Faults,
  faultControls,
  matches,
  serveOnLoopback,
} from '../google-api.ts';
import { MEDIA_TYPES, manifestsOf, type RegistryImage, type StoredManifest } from './manifests.ts';

export type { RegistryImage } from './manifests.ts';

export interface RegistryStandInOptions {
  /** Images there at start; more with push(). */
  images?: RegistryImage[];
  /**
   * Private repositories, each with the Basic credentials (`user:password`) that may pull
   * it, e.g. `oauth2accesstoken:ya29.token` for a Google account with read access.
   */
  private?: Record<string, string[]>;
  /** Credentials the token service knows besides those; any other answers 401. */
  accounts?: string[];
  /**
   * false: HEAD answers leave out Docker-Content-Digest, which the spec makes optional
   * (some registries do), so a client must GET the manifest and hash it. Default true.
   */
  headDigests?: boolean;
  /** 0 or absent: a free port. */
  port?: number;
  /** Milliseconds since the epoch, for the request record. Default Date.now. */
  clock?: () => number;
}

export interface RegistryRequest {
  method: string;
  /** The URL path: `/v2/library/python/manifests/3.12`, `/token`. */
  path: string;
  query: Record<string, string>;
  /** The Accept header as sent; undefined when absent. */
  accept: string | undefined;
  /** The Authorization header as sent; undefined when absent. */
  authorization: string | undefined;
  /** The HTTP status answered (0 for a stalled request, never answered). */
  status: number;
  time: number;
}

export interface RegistryStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`: the value for REGISTRY_API_URL. */
  url: string;
  /** The `service` of its challenges and tokens. */
  service: string;
  /** Every request, in order (live array), refused ones too. */
  requests: RegistryRequest[];
  /** Requests with this method whose path starts with (or matches) `path`. */
  requestsTo(method: string, path: string | RegExp): RegistryRequest[];
  /** Adds an image (or moves its tag to the image's manifest); returns its digest. */
  push(image: RegistryImage): string;
  /** The digest `repository:tag` names now; undefined when there is no such tag. */
  digestOf(repository: string, tag: string): string | undefined;
  /** Forgets pending faults and requests (images and tokens stay). */
  reset(): void;
  close(): Promise<void>;
}

const SERVICE = 'registry.stand-in';
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

interface Repository {
  tags: Map<string, string>;
  manifests: Map<string, StoredManifest>;
}

interface Grant {
  /** The credentials the token was issued to; undefined for an anonymous token. */
  account: string | undefined;
  /** The repositories it may pull. */
  pull: Set<string>;
}

/** A refusal in the spec's shape, with headers such as a challenge. */
class RegistryFault extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Starts the registry stand-in on loopback. */
export async function startRegistry(
  options: RegistryStandInOptions = {},
): Promise<RegistryStandIn> {
  const clock = options.clock ?? Date.now;
  const requests: RegistryRequest[] = [];
  const faults = new Faults();
  const repositories = new Map<string, Repository>();
  const privateRepos = options.private ?? {};
  const accounts = new Set([...(options.accounts ?? []), ...Object.values(privateRepos).flat()]);
  const tokens = new Map<string, Grant>();
  let url = '';

  const push = (image: RegistryImage): string => {
    const repository = repositories.get(image.repository) ?? {
      tags: new Map<string, string>(),
      manifests: new Map<string, StoredManifest>(),
    };
    repositories.set(image.repository, repository);
    const [top, ...children] = manifestsOf(image);
    if (!top) throw new Error('an image has a manifest');
    for (const manifest of [top, ...children]) repository.manifests.set(manifest.digest, manifest);
    repository.tags.set(image.tag, top.digest);
    return top.digest;
  };
  for (const image of options.images ?? []) push(image);

  const challenge = (scope: string | undefined, error?: string) => ({
    'www-authenticate': [
      `Bearer realm="${url}/token"`,
      `service="${SERVICE}"`,
      ...(scope === undefined ? [] : [`scope="${scope}"`]),
      ...(error === undefined ? [] : [`error="${error}"`]),
    ].join(','),
  });

  /** The grant of the request's Bearer token, or a 401 challenge for `scope`. */
  const grantOf = (req: IncomingMessage, scope: string | undefined): Grant => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const grant = scheme?.toLowerCase() === 'bearer' ? tokens.get(token ?? '') : undefined;
    if (grant) return grant;
    throw new RegistryFault(401, 'UNAUTHORIZED', 'authentication required', challenge(scope));
  };

  /** GET /token: a token for the scope's repositories the credentials may pull. */
  const issueToken = (req: IncomingMessage, query: URLSearchParams) => {
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const account = basic === undefined ? undefined : Buffer.from(basic, 'base64').toString();
    if (account !== undefined && !accounts.has(account)) {
      throw new RegistryFault(401, 'UNAUTHORIZED', 'incorrect username or password');
    }
    if (query.get('service') !== SERVICE) {
      throw new RegistryFault(400, 'UNSUPPORTED', `unknown service ${query.get('service')}`);
    }
    const pull = new Set<string>();
    for (const scope of query.getAll('scope').flatMap((s) => s.split(' '))) {
      const [type, name = '', actions = ''] = scope.split(':');
      const allowed = privateRepos[name];
      const readable =
        allowed === undefined || (account !== undefined && allowed.includes(account));
      if (type === 'repository' && actions.split(',').includes('pull') && readable) pull.add(name);
    }
    const token = `stand-in-${randomUUID()}`;
    tokens.set(token, { account, pull });
    return {
      token,
      access_token: token,
      expires_in: 300,
      issued_at: new Date(clock()).toISOString(),
    };
  };

  /** The manifest `reference` names, negotiated against Accept. */
  const manifestFor = (req: IncomingMessage, name: string, reference: string): StoredManifest => {
    const scope = `repository:${name}:pull`;
    const grant = grantOf(req, scope);
    if (!grant.pull.has(name)) {
      if (grant.account !== undefined) {
        throw new RegistryFault(403, 'DENIED', 'requested access to the resource is denied');
      }
      throw new RegistryFault(
        401,
        'UNAUTHORIZED',
        'authentication required',
        challenge(scope, 'insufficient_scope'),
      );
    }
    const repository = repositories.get(name);
    if (!repository) {
      throw new RegistryFault(404, 'NAME_UNKNOWN', 'repository name not known to registry');
    }
    const digest = DIGEST.test(reference) ? reference : repository.tags.get(reference);
    const manifest = digest === undefined ? undefined : repository.manifests.get(digest);
    if (!manifest) throw new RegistryFault(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    const accepted = acceptedTypes(req.headers.accept);
    if (accepted === undefined || accepted.includes(manifest.mediaType)) return manifest;
    if (manifest.mediaType === MEDIA_TYPES.dockerList && manifest.amd64 !== undefined) {
      const amd64 = repository.manifests.get(manifest.amd64);
      if (amd64) return amd64;
    }
    if (manifest.mediaType === MEDIA_TYPES.ociIndex) {
      throw new RegistryFault(
        404,
        'MANIFEST_UNKNOWN',
        'OCI index found, but accept header does not support OCI indexes',
      );
    }
    return manifest;
  };

  /** Answers the request, or its scripted fault; returns the status. */
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    requestUrl: URL,
    fault: 'unavailable' | 'denied' | undefined,
  ): number => {
    const method = req.method ?? 'GET';
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end(method === 'HEAD' ? undefined : 'service unavailable');
      return 503;
    }
    const path = requestUrl.pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(method === 'HEAD' ? undefined : JSON.stringify(body));
      return status;
    };
    try {
      if (fault === 'denied') {
        throw new RegistryFault(403, 'DENIED', 'requested access to the resource is denied');
      }
      if (path === '/token' && method === 'GET')
        return json(200, issueToken(req, requestUrl.searchParams));
      if (path === '/v2/' && (method === 'GET' || method === 'HEAD')) {
        grantOf(req, undefined);
        return json(200, {}, { 'docker-distribution-api-version': 'registry/2.0' });
      }
      const target = MANIFEST_PATH.exec(path);
      if (!target || (method !== 'GET' && method !== 'HEAD')) {
        throw new RegistryFault(
          404,
          'UNSUPPORTED',
          `the stand-in does not serve ${method} ${path}`,
        );
      }
      const manifest = manifestFor(req, target[1] ?? '', target[2] ?? '');
      const digest = method === 'GET' || options.headDigests !== false;
      res.writeHead(200, {
        'content-type': manifest.mediaType,
        'content-length': String(manifest.bytes.length),
        ...(digest ? { 'docker-content-digest': manifest.digest } : {}),
        'docker-distribution-api-version': 'registry/2.0',
      });
      res.end(method === 'HEAD' ? undefined : manifest.bytes);
      return 200;
    } catch (error) {
      if (!(error instanceof RegistryFault)) throw error;
      const body = { errors: [{ code: error.code, message: error.message, detail: null }] };
      return json(error.status, body, error.headers);
    }
  };

  const server = await serveOnLoopback(options.port, async (req, res) => {
    const requestUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const request: RegistryRequest = {
      method,
      path: decodeURIComponent(requestUrl.pathname),
      query: Object.fromEntries(requestUrl.searchParams),
      accept: req.headers.accept,
      authorization: req.headers.authorization,
      status: 0,
      time: clock(),
    };
    requests.push(request);
    req.resume(); // no request here has a body worth reading
    const fault = faults.take(method, request.path);
    if (fault === 'stall') return; // never answered; close() drops the connection
    request.status = answer(req, res, requestUrl, fault);
  });
  url = server.url;

  return {
    url,
    service: SERVICE,
    requests,
    requestsTo: (method, path) =>
      requests.filter((r) => r.method === method && matches({ path }, r.method, r.path)),
    ...faultControls(faults),
    push,
    digestOf: (repository, tag) => repositories.get(repository)?.tags.get(tag),
    reset() {
      faults.clear();
      requests.length = 0;
    },
    close: server.close,
  };
}

/** The media types an Accept header lists; undefined when it takes anything (absent or `*\/*`). */
function acceptedTypes(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const types = header.split(',').map((part) => part.split(';')[0]?.trim() ?? '');
  return types.includes('*/*') ? undefined : types;
}
