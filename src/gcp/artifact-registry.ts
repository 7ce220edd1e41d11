// The doctor's registry check over Artifact Registry v1 (@google-cloud/artifact-registry):
// the wrapped images' repository's IAM policy, to see who may pull and push.
// https://cloud.google.com/artifact-registry/docs/reference/rest/v1/projects.locations.repositories/getIamPolicy
// Against a stand-in (ARTIFACT_REGISTRY_API_URL) the client speaks REST over plain HTTP.
import { ArtifactRegistryClient } from '@google-cloud/artifact-registry';
import type { Binding, Probed, RepositoryProbe } from '../ports/setup-probes.ts';
import { googleClientOptions } from './client-options.ts';
import { probeCall, unreachedFrom } from './google-error.ts';

type ClientOptions = ConstructorParameters<typeof ArtifactRegistryClient>[0];

export class ArtifactRegistryProbe implements RepositoryProbe {
  readonly #apiUrl: string | undefined;
  /** Made at the first check (see ResourceManagerProbe). */
  #made: ArtifactRegistryClient | undefined;

  constructor(options: { apiUrl?: string } = {}) {
    this.#apiUrl = options.apiUrl;
  }

  get #client(): ArtifactRegistryClient {
    this.#made ??= new ArtifactRegistryClient(
      googleClientOptions(this.#apiUrl) as unknown as ClientOptions,
    );
    return this.#made;
  }

  async policy(where: {
    project: string;
    location: string;
    repository: string;
  }): Promise<Probed<Binding[]>> {
    const resource = `projects/${where.project}/locations/${where.location}/repositories/${where.repository}`;
    try {
      const [policy] = await probeCall(
        this.#client.getIamPolicy({ resource }),
        15_000,
        'Artifact Registry',
      );
      return {
        reached: true,
        value: (policy.bindings ?? []).map((b) => ({
          role: b.role ?? '',
          members: b.members ?? [],
        })),
      };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async close(): Promise<void> {
    await this.#made?.close();
  }
}
