// The doctor's permission checks over Cloud Resource Manager v3
// (@google-cloud/resource-manager): projects.testIamPermissions answers which of the asked
// permissions the caller holds on a project, and needs no permission itself; projects.get
// gives the project's number. https://cloud.google.com/resource-manager/reference/rest/v3/projects/testIamPermissions
// Against a stand-in (RESOURCE_MANAGER_API_URL) the client speaks REST over plain HTTP.
import { ProjectsClient } from '@google-cloud/resource-manager';
import { GoogleAuth } from 'google-auth-library';
import type { PermissionProbe, Probed } from '../ports/setup-probes.ts';
import { googleClientOptions } from './client-options.ts';
import { probeCall, unreachedFrom } from './google-error.ts';

type ClientOptions = ConstructorParameters<typeof ProjectsClient>[0];

/** testIamPermissions takes at most 100 permissions a call. */
const MOST_PER_CALL = 100;
const TIMEOUT_MS = 15_000;

export class ResourceManagerProbe implements PermissionProbe {
  readonly #apiUrl: string | undefined;
  // Made at the first check: a Google client looks for credentials (and the metadata
  // server) once made, which a bot that never runs the doctor need not do.
  #made: ProjectsClient | undefined;

  constructor(options: { apiUrl?: string } = {}) {
    this.#apiUrl = options.apiUrl;
  }

  get #client(): ProjectsClient {
    this.#made ??= new ProjectsClient(
      googleClientOptions(this.#apiUrl) as unknown as ClientOptions,
    );
    return this.#made;
  }

  async caller(): Promise<string | undefined> {
    // A stand-in has no credentials to name; otherwise Application Default Credentials say
    // (a key file's client_email, or the metadata server's account on Google's machines).
    if (this.#apiUrl !== undefined) return undefined;
    const credentials = await new GoogleAuth().getCredentials().catch(() => undefined);
    return credentials?.client_email ?? undefined;
  }

  async testPermissions(
    project: string,
    permissions: readonly string[],
  ): Promise<Probed<string[]>> {
    try {
      const granted: string[] = [];
      for (let at = 0; at < permissions.length; at += MOST_PER_CALL) {
        const [answer] = await this.#call(
          this.#client.testIamPermissions({
            resource: `projects/${project}`,
            permissions: permissions.slice(at, at + MOST_PER_CALL),
          }),
        );
        granted.push(...(answer.permissions ?? []));
      }
      return { reached: true, value: granted };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async projectNumber(project: string): Promise<Probed<string>> {
    try {
      const [found] = await this.#call(this.#client.getProject({ name: `projects/${project}` }));
      // The project's resource name is `projects/NUMBER`.
      return { reached: true, value: (found.name ?? '').replace(/^projects\//, '') };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  #call<T>(promise: Promise<T>): Promise<T> {
    return probeCall(promise, TIMEOUT_MS, 'Cloud Resource Manager');
  }

  async close(): Promise<void> {
    await this.#made?.close();
  }
}
