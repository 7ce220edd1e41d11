// Docker image references, following the grammar of distribution/reference
// (https://github.com/distribution/reference/blob/main/reference.go), which is what
// `docker pull` and Cloud Build accept. Only sha256 digests are accepted: it is what
// registries serve and a typo in another algorithm would only fail at build time.

export interface DockerRef {
  /** Registry host with optional port; `docker.io` for Docker Hub shorthand. */
  registry: string;
  /** Path inside the registry, e.g. `library/ubuntu`. */
  repository: string;
  tag?: string;
  /** `sha256:` followed by 64 hex digits. */
  digest?: string;
  /** The normalised full reference: `registry/repository[:tag][@digest]`. */
  reference: string;
}

const EXAMPLE = 'e.g. eu.gcr.io/my-project/my-model:1.0.3';
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const ALLOWED_CHARACTER = /[A-Za-z0-9._\-/:@]/;
/** Docker's NameTotalLengthMax: registry plus repository, after normalisation. */
const DOCKER_NAME_MAX = 255;

/**
 * Parses and normalises a Docker image reference. Docker Hub shorthand gets its
 * registry spelled out (`ubuntu` is `docker.io/library/ubuntu`), as `docker pull` reads
 * it: the first path component is a registry only if it has a `.` or `:`, or is `localhost`.
 * Returns an error message (starting with what is wrong) instead of throwing.
 */
export function parseDockerRef(text: string): DockerRef | string {
  if (typeof text !== 'string') return 'expected text';
  if (text === '') return `empty; give the image to deploy, ${EXAMPLE}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return `${JSON.stringify(text)} starts with a URL scheme; give the image name alone, ${EXAMPLE}`;
  }
  const bad = [...text].find((char) => !ALLOWED_CHARACTER.test(char));
  if (bad !== undefined) {
    const what = /\s/.test(bad) ? 'a space or line break' : JSON.stringify(bad);
    return `contains ${what}, which an image name cannot contain (allowed: lowercase letters, digits, . _ - / and :tag or @sha256:digest)`;
  }

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      return `has an invalid digest ${JSON.stringify(digest)}; expected sha256: followed by 64 lowercase hex digits`;
    }
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      return tag === ''
        ? 'ends with `:` but has no tag after it; add a version tag like :1.0.3 or remove the `:`'
        : `has an invalid tag ${JSON.stringify(tag)}; tags are 1 to 128 letters, digits, _ . -, not starting with . or -`;
    }
  }

  if (rest === '') return `has no repository name before the tag or digest; ${EXAMPLE}`;
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  let registry = 'docker.io';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase(); // host names are case-insensitive
    parts.shift();
    const problem = registryProblem(registry);
    if (problem) return problem;
    if (registry === 'index.docker.io') registry = 'docker.io'; // Docker's legacy name for the Hub
  }

  if (parts.some((part) => part === '')) {
    return 'has an empty path component (`//`, or `/` at the start or end)';
  }
  const invalid = parts.filter((part) => !PATH_COMPONENT.test(part));
  if (invalid.length > 0) {
    const lower = parts.map((part) => part.toLowerCase());
    if (lower.every((part) => PATH_COMPONENT.test(part))) {
      return `has uppercase letters in ${JSON.stringify(parts.join('/'))}; Docker repository names are lowercase: try ${JSON.stringify(lower.join('/'))}`;
    }
    const shown = invalid.map((part) => JSON.stringify(part)).join(', ');
    return `has an invalid path component ${shown}; components are lowercase letters and digits, joined by single . or _, double __, or dashes`;
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library'); // official images

  const repository = parts.join('/');
  const name = `${registry}/${repository}`;
  if (name.length > DOCKER_NAME_MAX) {
    return `name is ${name.length} characters, more than Docker allows (${DOCKER_NAME_MAX}, registry included)`;
  }
  const reference = `${name}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    reference,
  };
}

function registryProblem(registry: string): string | undefined {
  const [host = '', port, extra] = registry.split(':');
  const hostOk = host.split('.').every((label) => HOST_LABEL.test(label));
  const portOk =
    port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  if (hostOk && portOk && extra === undefined) return undefined;
  return `has an invalid registry ${JSON.stringify(registry)}; expected a host name with an optional port, like eu.gcr.io, europe-docker.pkg.dev or localhost:5000`;
}

/**
 * A reference without a digest and with no tag or `latest` names whatever was pushed
 * last, so a redeploy (or a rollback) may silently run different code.
 */
export function isUnpinned(ref: DockerRef): boolean {
  return ref.digest === undefined && (ref.tag === undefined || ref.tag === 'latest');
}

/**
 * Each revision is built from the digest its tag named at submission; the warning stays
 * because `latest` says nothing of which version that was, and the next submission of the
 * same reference may get another image.
 */
export const UNPINNED_WARNING =
  'has no version tag (or uses :latest): this revision is built from the digest the tag names now, but a later submission of the same reference may get another image, so deploys are not repeatable from the reference alone; use a version tag like :1.0.3 or a @sha256: digest';
