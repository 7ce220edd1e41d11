// The doctor's App Engine checks over the Admin API v1 (@google-cloud/appengine-admin):
// apps.get (the application, its region and serving status), apps.services.list, and
// apps.locations.get (whether the region has the flexible environment).
// https://cloud.google.com/appengine/docs/admin-api/reference/rest/v1/apps/get
import { protos, v1 } from '@google-cloud/appengine-admin';
import type { ApplicationInfo, ApplicationProbe, Probed } from '../ports/setup-probes.ts';
import { googleClientOptions } from './client-options.ts';
import { probeCall, unreachedFrom } from './google-error.ts';

type ClientOptions = ConstructorParameters<typeof v1.ApplicationsClient>[0];
const { ServingStatus } = protos.google.appengine.v1.Application;
const TIMEOUT_MS = 15_000;
/** A Location's `metadata`: google.appengine.v1.LocationMetadata (google/appengine/v1/location.proto). */
type LocationMetadata = protos.google.appengine.v1.ILocationMetadata;

export class AppEngineSetupProbe implements ApplicationProbe {
  readonly #apiUrl: string | undefined;
  /** Made at the first check (see ResourceManagerProbe). */
  #made: { applications: v1.ApplicationsClient; services: v1.ServicesClient } | undefined;

  constructor(options: { apiUrl?: string } = {}) {
    this.#apiUrl = options.apiUrl;
  }

  get #clients() {
    if (!this.#made) {
      const clientOptions = googleClientOptions(this.#apiUrl) as unknown as ClientOptions;
      this.#made = {
        applications: new v1.ApplicationsClient(clientOptions),
        services: new v1.ServicesClient(clientOptions),
      };
    }
    return this.#made;
  }

  async application(project: string): Promise<Probed<ApplicationInfo>> {
    try {
      const [app] = await probeCall(
        this.#clients.applications.getApplication({ name: `apps/${project}` }),
        TIMEOUT_MS,
        'App Engine',
      );
      // The REST transport gives enums as numbers, gRPC as names.
      const status = app.servingStatus ?? 0;
      return {
        reached: true,
        value: {
          locationId: app.locationId ?? '',
          servingStatus: typeof status === 'number' ? (ServingStatus[status] ?? '') : status,
          ...(app.serviceAccount ? { serviceAccount: app.serviceAccount } : {}),
        },
      };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async flexibleEnvironment(project: string, locationId: string): Promise<Probed<boolean>> {
    // The Node client has no apps.locations methods (its ApplicationsClient has none, and it
    // mixes in no LocationsClient), so this is a plain REST GET of
    // v1/apps/{app}/locations/{location}, sent through the client's own auth (Application
    // Default Credentials, or none against a stand-in) to the client's own endpoint.
    const { applications } = this.#clients;
    const base = this.#apiUrl ?? `https://${applications.apiEndpoint}`;
    const path = `v1/apps/${encodeURIComponent(project)}/locations/${encodeURIComponent(locationId)}`;
    try {
      const { data } = await probeCall(
        applications.auth.request<{ metadata?: LocationMetadata }>({
          url: `${base.replace(/\/$/, '')}/${path}`,
          method: 'GET',
          timeout: TIMEOUT_MS,
          retry: false,
        }),
        TIMEOUT_MS,
        'App Engine',
      );
      return { reached: true, value: data.metadata?.flexibleEnvironmentAvailable === true };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async services(project: string): Promise<Probed<string[]>> {
    try {
      // autoPaginate (the client's default) reads every page.
      const [services] = await probeCall(
        this.#clients.services.listServices({ parent: `apps/${project}` }),
        TIMEOUT_MS,
        'App Engine',
      );
      return { reached: true, value: services.map((service) => service.id ?? '') };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#made?.applications.close(), this.#made?.services.close()]);
  }
}
