// The adapter behind RegistryPort (src/ports/registry.ts): a partner image's tag resolved to
// the digest of its manifest, through the registry's HTTP API (the OCI distribution spec,
// which grew out of the Docker Registry HTTP API v2:
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md).
//
// Written over Node's fetch rather than with a client package: resolving takes at most four
// requests (HEAD or GET a manifest, and a token when the registry challenges), the packages on
// npm that do it are old (docker-registry-client) or made for a scanner's needs
// (@snyk/docker-registry-v2-client) and bring their own HTTP stack, and the bot must see each
// status and error code to tell the partner which of not_found, denied and unavailable it is.
// Google's credentials come from google-auth-library, already the bot's.
import { createHash } from 'node:crypto';
import { GoogleAuth } from 'google-auth-library';
import { hasCode } from '../domain/errors.ts';
import { GOOGLE_REGISTRY } from '../domain/image-resolution.ts';
import type { DockerRef } from '../domain/submission-spec/docker-ref.ts';
import { RegistryError, type RegistryPort, type ResolvedImage } from '../ports/registry.ts';

export interface DistributionRegistryOptions {
  /**
   * REGISTRY_API_URL: a stand-in's address (plain HTTP allowed), asked for every image
   * whatever its registry. Absent: each image's own registry.
   */
  apiUrl?: string;
  /** Longest one resolve takes, token included. Default 10 s: the partner is waiting. */
  timeoutMs?: number;
  /**
   * Who the bot is to gcr.io and Artifact Registry. Default: Application Default
   * Credentials, or none with `apiUrl` (Google's tokens are for Google's hosts, and looking
   * for credentials may ask a metadata server that a machine with a stand-in does not have).
   */
  google?: GoogleIdentity;
}

/** The bot's Google credentials, as the registry adapter needs them. */
export interface GoogleIdentity {
  /** An OAuth access token; undefined when the bot has no Google credentials. */
  accessToken(): Promise<string | undefined>;
  /** The account's email, to name in a refusal; undefined when unknown. */
  account(): Promise<string | undefined>;
}

/**
 * What the bot accepts, in the Accept header: an index or list first, so a multi-platform
 * image resolves to the digest that covers every platform (what `docker pull` pins). The
 * spec: the client SHOULD send the manifest types it supports, and Content-Type names the
 * one returned (spec.md, "Pulling manifests").
 */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

const SHA256 = /^sha256:[a-f0-9]{64}$/;
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** The registry's base URL: Docker Hub's API is not at `docker.io` but `registry-1.docker.io`. */
export function registryUrl(registry: string): string {
  return `https://${registry === 'docker.io' ? 'registry-1.docker.io' : registry}`;
}

/** Resolves references through the Distribution API. */
export class DistributionRegistry implements RegistryPort {
  readonly #apiUrl: string | undefined;
  readonly #timeoutMs: number;
  readonly #google: GoogleIdentity;

  constructor(options: DistributionRegistryOptions = {}) {
    this.#apiUrl = options.apiUrl?.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#google = options.google ?? (this.#apiUrl ? NO_IDENTITY : applicationDefaultIdentity());
  }

  async resolve(ref: DockerRef, options: { timeoutMs?: number } = {}): Promise<ResolvedImage> {
    const reference = ref.digest ?? ref.tag ?? 'latest';
    if (!NAME.test(ref.repository) || !(SHA256.test(reference) || TAG.test(reference))) {
      throw new RegistryError('invalid', `not an image reference: ${JSON.stringify(ref)}`);
    }
    const ms = options.timeoutMs ?? this.#timeoutMs;
    const signal = AbortSignal.timeout(ms);
    try {
      const resolved = await this.#resolve(ref, reference, signal);
      // Fetched by digest: the answer must be that digest (spec.md, "Content Digests": the
      // client MUST verify the content against the digest used to fetch it).
      if (ref.digest !== undefined && resolved.digest !== ref.digest) {
        throw new RegistryError(
          'invalid',
          `${ref.registry} answered ${resolved.digest} for ${ref.reference}`,
        );
      }
      return resolved;
    } catch (error) {
      if (hasCode(error, 'denied') && GOOGLE_REGISTRY.test(ref.registry)) {
        throw await this.#deniedAs(error.message, signal);
      }
      if (error instanceof RegistryError) throw error;
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${ms} ms` : `no connection (${causeOf(error)})`;
      throw new RegistryError('unavailable', `${ref.registry}: ${why}`);
    }
  }

  async #resolve(ref: DockerRef, reference: string, signal: AbortSignal): Promise<ResolvedImage> {
    const url = `${this.#apiUrl ?? registryUrl(ref.registry)}/v2/${ref.repository}/manifests/${reference}`;
    let authorization: string | undefined;
    let challenged = false;
    const ask = async (method: 'HEAD' | 'GET') => {
      const headers: Record<string, string> = { accept: MANIFEST_TYPES.join(', ') };
      if (authorization !== undefined) headers.authorization = authorization;
      let response = await fetch(url, { method, headers, signal });
      // Token authentication: a 401 names how to authenticate, and the client tries again
      // with it (https://distribution.github.io/distribution/spec/auth/token/).
      if (response.status === 401 && !challenged) {
        challenged = true;
        await response.body?.cancel(); // the error body is not needed: the challenge is
        authorization = await this.#authorize(ref, response, signal);
        headers.authorization = authorization;
        response = await fetch(url, { method, headers, signal });
      }
      return response;
    };

    // HEAD answers 200 with Docker-Content-Digest when the manifest exists (spec.md,
    // "Checking if content exists in the registry"); the header is optional, and a HEAD
    // error has no body to say why, so GET follows in both cases.
    const head = await ask('HEAD');
    const digest = head.headers.get('docker-content-digest') ?? '';
    const mediaType = contentType(head);
    if (head.ok && SHA256.test(digest) && MANIFEST_TYPES.includes(mediaType)) {
      return { digest, mediaType };
    }
    if (!head.ok) throwIfUnavailable(ref, head);
    const get = await ask('GET');
    const bytes = Buffer.from(await get.arrayBuffer());
    if (!get.ok) throw refusal(ref, reference, get, bytes);
    return manifestOf(ref, get, bytes);
  }

  /** A Google registry's refusal, naming the account the bot asked as when it is known. */
  async #deniedAs(message: string, signal: AbortSignal): Promise<RegistryError> {
    const account = await untilAborted(this.#google.account(), signal).catch(() => undefined);
    const as = account === undefined ? 'without Google credentials' : `as ${account}`;
    return new RegistryError('denied', `${message}; the bot asked ${as}`, account);
  }

  /** The Authorization header a 401's WWW-Authenticate challenge asks for. */
  async #authorize(ref: DockerRef, response: Response, signal: AbortSignal): Promise<string> {
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    const google = GOOGLE_REGISTRY.test(ref.registry);
    const accessToken = google ? await untilAborted(this.#google.accessToken(), signal) : undefined;
    // Google's registries take an OAuth access token as the password of the user
    // `oauth2accesstoken` (https://cloud.google.com/artifact-registry/docs/docker/authentication#token;
    // the Distribution API there: https://cloud.google.com/artifact-registry/docs/reference/docker-api).
    const basic =
      accessToken === undefined
        ? undefined
        : `Basic ${Buffer.from(`oauth2accesstoken:${accessToken}`).toString('base64')}`;
    if (challenge?.scheme === 'basic' && basic !== undefined) return basic;
    if (challenge?.scheme !== 'bearer' || challenge.params.realm === undefined) {
      throw new RegistryError(
        'denied',
        `${ref.registry} asks for credentials to read ${ref.repository}, and the bot has none for it`,
      );
    }
    const realm = this.#realm(ref, challenge.params.realm);
    // The token request: GET the realm with `service` and `scope` from the challenge
    // (repository:NAME:pull when it names none); Basic credentials when the bot has some.
    realm.searchParams.set('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`);
    if (challenge.params.service !== undefined) {
      realm.searchParams.set('service', challenge.params.service);
    }
    // Credentials go only to the registry's own host or another of Google's (or to the
    // stand-in), never to a realm a registry names elsewhere.
    const trusted = this.#apiUrl
      ? realm.origin === new URL(this.#apiUrl).origin
      : realm.host === ref.registry || GOOGLE_REGISTRY.test(realm.host);
    const headers: Record<string, string> = {};
    if (basic !== undefined && trusted) headers.authorization = basic;
    const answer = await fetch(realm, { headers, signal });
    const text = await answer.text();
    if (answer.status === 401 || answer.status === 403) {
      throw new RegistryError(
        'denied',
        `${ref.registry} refused a token to read ${ref.repository}${errorsIn(text)}`,
      );
    }
    throwIfUnavailable(ref, answer);
    // `token`, or `access_token` for OAuth 2.0 compatibility: at least one is given.
    const body = parseJson(text) as { token?: unknown; access_token?: unknown } | undefined;
    const token = body?.token ?? body?.access_token;
    if (!answer.ok || typeof token !== 'string' || token === '') {
      throw new RegistryError(
        'invalid',
        `${ref.registry}'s token service answered ${answer.status} without a token`,
      );
    }
    return `Bearer ${token}`;
  }

  #realm(ref: DockerRef, text: string): URL {
    let realm: URL | undefined;
    try {
      realm = new URL(text);
    } catch {
      realm = undefined;
    }
    const secure = realm?.protocol === 'https:' || (this.#apiUrl && realm?.protocol === 'http:');
    if (!realm || !secure) {
      throw new RegistryError(
        'invalid',
        `${ref.registry} names a token service that is not an https URL: ${JSON.stringify(text)}`,
      );
    }
    return realm;
  }
}

/** No Google credentials: images are read anonymously. */
const NO_IDENTITY: GoogleIdentity = {
  accessToken: async () => undefined,
  account: async () => undefined,
};

/** Application Default Credentials with the cloud-platform scope, made when first needed. */
function applicationDefaultIdentity(): GoogleIdentity {
  let auth: GoogleAuth | undefined;
  const adc = () => {
    auth ??= new GoogleAuth({ scopes: CLOUD_PLATFORM });
    return auth;
  };
  return {
    // No credentials here: read anonymously, and a private image is denied.
    accessToken: () =>
      adc()
        .getAccessToken()
        .then(
          (token) => token ?? undefined,
          () => undefined,
        ),
    account: () =>
      adc()
        .getCredentials()
        .then(
          (credentials) => credentials.client_email,
          () => undefined,
        ),
  };
}

/** The manifest of a GET answer: the sha256 of its exact bytes, and its media type. */
function manifestOf(ref: DockerRef, response: Response, bytes: Buffer): ResolvedImage {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const claimed = response.headers.get('docker-content-digest');
  if (claimed !== null && SHA256.test(claimed) && claimed !== digest) {
    throw new RegistryError(
      'invalid',
      `${ref.registry} says ${claimed} for ${ref.reference} but its bytes are ${digest}`,
    );
  }
  // Content-Type names the type; a manifest also carries it in `mediaType` (OCI image spec).
  const field = (parseJson(bytes.toString('utf8')) as { mediaType?: unknown } | undefined)
    ?.mediaType;
  const mediaType = MANIFEST_TYPES.includes(contentType(response)) ? contentType(response) : field;
  if (typeof mediaType !== 'string' || !MANIFEST_TYPES.includes(mediaType)) {
    throw new RegistryError(
      'invalid',
      `${ref.reference} is not an image the bot can build on (media type ${JSON.stringify(contentType(response))})`,
    );
  }
  return { digest, mediaType };
}

/** 429 and 5xx: the registry is there but cannot answer now. */
function throwIfUnavailable(ref: DockerRef, response: Response): void {
  if (response.status === 429 || response.status >= 500) {
    throw new RegistryError('unavailable', `${ref.registry} answered ${response.status}`);
  }
}

/** A failed GET: its status and the spec's error body `{ errors: [{ code, message }] }`. */
function refusal(ref: DockerRef, reference: string, response: Response, bytes: Buffer) {
  throwIfUnavailable(ref, response);
  const errors = errorsIn(bytes.toString('utf8'));
  const what = `${ref.repository}:${reference}`;
  if (response.status === 404) {
    return new RegistryError('not_found', `${ref.registry} has no ${what}${errors}`);
  }
  if (response.status === 401 || response.status === 403) {
    // Docker Hub does not tell a private repository from one that does not exist.
    const or = ref.registry === 'docker.io' ? ' (private, or no such repository)' : '';
    return new RegistryError('denied', `${ref.registry} refused to show ${what}${or}${errors}`);
  }
  return new RegistryError('invalid', `${ref.registry} answered ${response.status}${errors}`);
}

/** ` (MANIFEST_UNKNOWN: manifest unknown)` from the spec's error body, or nothing. */
function errorsIn(text: string): string {
  const body = parseJson(text) as { errors?: { code?: unknown; message?: unknown }[] } | undefined;
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  const said = errors
    .map((e) => [e.code, e.message].filter((part) => typeof part === 'string').join(': '))
    .filter((line) => line !== '');
  return said.length === 0 ? '' : ` (${said.join('; ')})`;
}

/** `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted or not). */
function parseChallenge(header: string) {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    const [, key = '', quoted, bare] = param;
    params[key.toLowerCase()] = quoted?.replace(/\\(.)/g, '$1') ?? bare ?? '';
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

function contentType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What a failed fetch says of its cause: `ECONNREFUSED`, `ENOTFOUND`... */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** `promise`, or the signal's reason once it aborts (GoogleAuth takes no signal). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
