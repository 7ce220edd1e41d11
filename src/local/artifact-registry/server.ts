// A stand-in for Artifact Registry v1's repositories.getIamPolicy on loopback, for the
// doctor's registry check: each repository's bindings, which tests change.
// https://cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories/getIamPolicy
import {
  type FaultControls,
  Faults,
  faultControls,
  notFound,
  type RecordedRequest,
  serveGoogleApi,
} from '../google-api.ts';

export interface RepositorySeed {
  project: string;
  location: string;
  repository: string;
  bindings?: { role: string; members: string[] }[];
}

export interface ArtifactRegistryStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`, for ARTIFACT_REGISTRY_API_URL. */
  url: string;
  requests: RecordedRequest[];
  /** Adds (or replaces) a repository and its bindings. */
  setRepository(seed: RepositorySeed): void;
  close(): Promise<void>;
}

const nameOf = (r: { project: string; location: string; repository: string }) =>
  `projects/${r.project}/locations/${r.location}/repositories/${r.repository}`;

export async function startArtifactRegistryApi(
  options: { port?: number; repositories?: RepositorySeed[]; clock?: () => number } = {},
): Promise<ArtifactRegistryStandIn> {
  const repositories = new Map<string, RepositorySeed>();
  const setRepository = (seed: RepositorySeed) => repositories.set(nameOf(seed), seed);
  for (const seed of options.repositories ?? []) setRepository(seed);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const server = await serveGoogleApi({
    ...(options.port === undefined ? {} : { port: options.port }),
    clock: options.clock ?? Date.now,
    requests,
    faults,
    answer: ({ method, path }) => {
      const found =
        /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/:]+):getIamPolicy$/.exec(path);
      if (!found || method !== 'GET') throw notFound(`No such method: ${method} ${path}`);
      const repository = repositories.get(found[1] ?? '');
      if (!repository) throw notFound(`Requested entity was not found.`);
      const bindings = repository.bindings ?? [];
      // A policy without bindings is `{ etag }` in proto3 JSON.
      return { version: 1, etag: 'BwY=', ...(bindings.length > 0 ? { bindings } : {}) };
    },
  });
  return {
    url: server.url,
    requests,
    ...faultControls(faults),
    setRepository,
    close: () => server.close(),
  };
}
