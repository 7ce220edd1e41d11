// The App Engine Admin API adapter behind DeployPort (src/ports/deploy.ts),
// @google-cloud/appengine-admin.
// Against a stand-in (APPENGINE_API_URL) the client speaks REST over plain HTTP; without
// one it speaks gRPC to Google with Application Default Credentials.
import { protos, v1 } from '@google-cloud/appengine-admin';
import { GRPC } from '../domain/grpc-status.ts';
import { withDeadline } from '../lib/deadline.ts';
import type {
  DeployErrorCode,
  DeployPlan,
  DeployPort,
  OperationState,
  ServingStatus,
  TrafficSplit,
  VersionSummary,
} from '../ports/deploy.ts';
import { ServiceError } from '../ports/service-error.ts';
import { googleClientOptions } from './client-options.ts';
import { readGoogleError } from './google-error.ts';
import { createVersionRequest, serviceName } from './version-request.ts';

export { VersionRequestError } from './version-request.ts';

/** A failed Admin API call; `version_exists` means the version id is taken (ALREADY_EXISTS). */
export class AppEngineError extends ServiceError<DeployErrorCode> {}

export interface AppEngineAdapterOptions {
  /** APPENGINE_API_URL: a stand-in's address; absent for the real API. */
  apiUrl?: string;
  /** Longest wait for one call's answer. Default 20 s. */
  timeoutMs?: number;
  /** Tries of a call that is safe to repeat (reads, promote), on `unavailable`. Default 3. */
  attempts?: number;
  /** Wait before the first repeat, doubled each time. Default 200 ms. */
  retryDelayMs?: number;
}

type ClientOptions = ConstructorParameters<typeof v1.VersionsClient>[0];
/** The google-gax call options this adapter sets (a subset of gax's CallOptions). */
type CallOptions = { timeout: number; retry: null };
type ListVersionsRequest = protos.google.appengine.v1.IListVersionsRequest;
type ListServicesRequest = protos.google.appengine.v1.IListServicesRequest;
type GetOperationRequest = Parameters<v1.VersionsClient['operationsClient']['getOperation']>[0];
type ListOperationsRequest = Parameters<v1.VersionsClient['operationsClient']['listOperations']>[0];
type ListedOperation = {
  name?: string | null;
  metadata?: { type_url?: string; value?: Uint8Array } | null;
};
type Version = protos.google.appengine.v1.IVersion;
type Service = protos.google.appengine.v1.IService;
/** A list call for one page; it answers [items, the next page's request or null, ...]. */
type ListCall<Request> = (request: Request, options: object) => Promise<unknown>;

const METADATA_TYPE = 'type.googleapis.com/google.appengine.v1.OperationMetadataV1';
const CREATE_VERSION = 'google.appengine.v1.Versions.CreateVersion';
/** App Engine's refusal of a create beyond the application's most versions. */
const VERSION_LIMIT = /may not have more than \d+ versions/;
/** How far App Engine's clock may be behind ours when matching an operation's start. */
const CLOCK_SKEW_MS = 60_000;
/** Operations read when looking for a lost create: it is recent, so among the first. */
const FIND_PAGES = 5;
const FIND_PAGE_SIZE = 100;

const VERSION_TYPE = 'type.googleapis.com/google.appengine.v1.Version';
const SERVICE_TYPE = 'type.googleapis.com/google.appengine.v1.Service';
/** Versions or services asked for per page (the API's most). */
const LIST_PAGE_SIZE = 100;
const { ServingStatus: SERVING_STATUS } = protos.google.appengine.v1;
const SHARD_BY = protos.google.appengine.v1.TrafficSplit.ShardBy;

/** The App Engine Admin API behind DeployPort. Call close() when done. */
export class AppEngineAdapter implements DeployPort {
  readonly #versions: v1.VersionsClient;
  readonly #services: v1.ServicesClient;
  readonly #applications: v1.ApplicationsClient;
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #retryDelayMs: number;

  constructor(options: AppEngineAdapterOptions = {}) {
    // google-gax carries its own google-auth-library, whose AuthClient type differs from the
    // project's copy in private fields only; the PassThroughClient works with either.
    const clientOptions = googleClientOptions(options.apiUrl) as unknown as ClientOptions;
    this.#versions = new v1.VersionsClient(clientOptions);
    this.#services = new v1.ServicesClient(clientOptions);
    this.#applications = new v1.ApplicationsClient(clientOptions);
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#attempts = Math.max(1, options.attempts ?? 3);
    this.#retryDelayMs = options.retryDelayMs ?? 200;
  }

  async createVersion(plan: DeployPlan): Promise<{ operation: string }> {
    const request = createVersionRequest(plan);
    // Not repeated here: a create whose answer was lost may have started; the caller
    // decides (a repeat would answer version_exists).
    return this.#started('createVersion', 1, () =>
      this.#versions.createVersion(request, this.#callOptions()),
    );
  }

  async findCreateOperation(
    project: string,
    service: string,
    versionId: string,
    since: Date,
  ): Promise<string | undefined> {
    const target = `${serviceName(project, service)}/versions/${versionId}`;
    const earliest = since.getTime() - CLOCK_SKEW_MS;
    // The API promises no order, so a few pages are read and the newest match wins.
    const operations = await this.#pages<ListOperationsRequest, ListedOperation>(
      'listOperations',
      { name: `apps/${project}`, pageSize: FIND_PAGE_SIZE } as ListOperationsRequest,
      (request, options) => this.#versions.operationsClient.listOperations(request, options),
      FIND_PAGES,
    );
    let newest: { name: string; at: number } | undefined;
    for (const operation of operations) {
      const metadata = operation.metadata;
      if (!operation.name || metadata?.type_url !== METADATA_TYPE || !metadata.value) continue;
      const decoded = protos.google.appengine.v1.OperationMetadataV1.decode(metadata.value);
      const at = timestampMs(decoded.insertTime) ?? 0;
      if (decoded.method !== CREATE_VERSION || decoded.target !== target || at < earliest) {
        continue;
      }
      if (!newest || at > newest.at) newest = { name: operation.name, at };
    }
    return newest?.name;
  }

  async getOperation(name: string): Promise<OperationState> {
    // The raw operation, not checkCreateVersionProgress: the client decodes createVersion's
    // metadata as CreateVersionMetadataV1 while the API sends OperationMetadataV1, and it
    // would decode a promote's Service as a Version. The result is decoded by its own type.
    const [operation] = await this.#call('getOperation', this.#attempts, () =>
      this.#versions.operationsClient.getOperation(
        { name } as GetOperationRequest,
        this.#callOptions(),
      ),
    );
    if (!operation.done) return { done: false };
    if (operation.error) {
      return {
        done: true,
        error: { code: operation.error.code ?? 2, message: operation.error.message ?? '' },
      };
    }
    const response = operation.response;
    if (response?.type_url === VERSION_TYPE && response.value) {
      const version = protos.google.appengine.v1.Version.decode(response.value);
      return { done: true, versionUrl: await this.#versionUrl(version, this.#hostOnce()) };
    }
    if (response?.type_url === SERVICE_TYPE && response.value) {
      const service = protos.google.appengine.v1.Service.decode(response.value);
      return { done: true, split: { ...(service.split?.allocations ?? {}) } };
    }
    return { done: true };
  }

  async promote(
    project: string,
    service: string,
    versionId: string,
  ): Promise<{ operation: string }> {
    // Setting the whole split is idempotent, so a lost answer can be repeated safely.
    return this.#started('promote', this.#attempts, () =>
      this.#services.updateService(
        {
          name: serviceName(project, service),
          service: { split: { allocations: { [versionId]: 1 }, shardBy: 'IP' } },
          updateMask: { paths: ['split'] },
        },
        this.#callOptions(),
      ),
    );
  }

  async listVersions(project: string, service: string): Promise<VersionSummary[]> {
    const [versions, split] = await Promise.all([
      this.#pages<ListVersionsRequest, Version>(
        'listVersions',
        { parent: serviceName(project, service), view: 'BASIC', pageSize: LIST_PAGE_SIZE },
        (request, options) => this.#versions.listVersions(request, options),
      ),
      this.trafficSplit(project, service),
    ]);
    const host = this.#hostOnce();
    const summaries = await Promise.all(
      versions.map(async (version): Promise<VersionSummary> => {
        const id = required(version.id, `listVersions: a version of ${service} has no id`);
        const createTime = timestampMs(version.createTime);
        return {
          id,
          servingStatus: servingStatusOf(version.servingStatus),
          createTime: createTime === undefined ? undefined : new Date(createTime),
          traffic: split.allocations[id] ?? 0,
          url: (await this.#versionUrl(version, host)) ?? '',
        };
      }),
    );
    const at = (v: VersionSummary) => v.createTime?.getTime() ?? 0;
    return summaries.sort((a, b) => at(a) - at(b) || a.id.localeCompare(b.id));
  }

  async trafficSplit(project: string, service: string): Promise<TrafficSplit> {
    const [found] = await this.#call('getService', this.#attempts, () =>
      this.#services.getService({ name: serviceName(project, service) }, this.#callOptions()),
    );
    return splitOf(found);
  }

  async setServingStatus(
    project: string,
    service: string,
    versionId: string,
    status: ServingStatus,
  ): Promise<{ operation: string }> {
    // Setting a status is idempotent, so a lost answer can be repeated safely.
    return this.#started('updateVersion', this.#attempts, () =>
      this.#versions.updateVersion(
        {
          name: `${serviceName(project, service)}/versions/${versionId}`,
          version: { servingStatus: status },
          // The field's JSON spelling (the REST API takes either).
          updateMask: { paths: ['servingStatus'] },
        },
        this.#callOptions(),
      ),
    );
  }

  async deleteVersion(
    project: string,
    service: string,
    versionId: string,
  ): Promise<{ operation: string }> {
    // Not repeated here: a repeat of a delete that started answers version_busy or
    // NOT_FOUND; the caller decides.
    return this.#started('deleteVersion', 1, () =>
      this.#versions.deleteVersion(
        { name: `${serviceName(project, service)}/versions/${versionId}` },
        this.#callOptions(),
      ),
    );
  }

  async countVersions(project: string): Promise<number> {
    const services = await this.#pages<ListServicesRequest, Service>(
      'listServices',
      { parent: `apps/${project}`, pageSize: LIST_PAGE_SIZE },
      (request, options) => this.#services.listServices(request, options),
    );
    const counts = await Promise.all(
      services.map(async (found) => {
        const versions = await this.#pages<ListVersionsRequest, Version>(
          'listVersions',
          {
            parent: required(found.name, 'listServices: a service has no name'),
            pageSize: LIST_PAGE_SIZE,
          },
          (request, options) => this.#versions.listVersions(request, options),
        );
        return versions.length;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async defaultHostname(project: string): Promise<string> {
    const [application] = await this.#call('getApplication', this.#attempts, () =>
      this.#applications.getApplication({ name: `apps/${project}` }, this.#callOptions()),
    );
    return required(application.defaultHostname, `apps/${project} has no default host name`);
  }

  async close(): Promise<void> {
    await Promise.all([this.#versions.close(), this.#services.close(), this.#applications.close()]);
  }

  /**
   * The version's URL, or `https://VERSION-dot-SERVICE-dot-DEFAULT_HOST` without one
   * (`host` reads the default host name of a project).
   */
  async #versionUrl(
    version: Version,
    host: (project: string) => Promise<string>,
  ): Promise<string | undefined> {
    if (version.versionUrl) return version.versionUrl;
    const parts = /^apps\/([^/]+)\/services\/([^/]+)\/versions\/([^/]+)$/.exec(version.name ?? '');
    if (!parts) return undefined;
    const [, project = '', service = '', id = ''] = parts;
    return `https://${id}-dot-${service}-dot-${await host(project)}`;
  }

  /** defaultHostname, asked at most once per project by the function it returns. */
  #hostOnce(): (project: string) => Promise<string> {
    const asked = new Map<string, Promise<string>>();
    return (project) => {
      let host = asked.get(project);
      if (!host) {
        host = this.defaultHostname(project);
        asked.set(project, host);
      }
      return host;
    };
  }

  /** A call that starts an operation, and the operation's name. */
  async #started(
    what: string,
    attempts: number,
    call: () => Promise<readonly [{ name?: string | null }, ...unknown[]]>,
  ): Promise<{ operation: string }> {
    const [operation] = await this.#call(what, attempts, call);
    return { operation: required(operation.name, `${what} answered no operation name`) };
  }

  /**
   * The items of a list call, page by page (each page a call of its own, with its deadline
   * and repeats), `maxPages` at most.
   */
  async #pages<Request, Item>(
    what: string,
    first: Request,
    list: ListCall<Request>,
    maxPages = Number.POSITIVE_INFINITY,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let request: Request | null = first;
    for (let page = 0; page < maxPages && request; page += 1) {
      const asked: Request = request;
      const [found, next] = (await this.#call(what, this.#attempts, () =>
        list(asked, { ...this.#callOptions(), autoPaginate: false }),
      )) as [Item[], Request | null];
      items.push(...found);
      request = next;
    }
    return items;
  }

  // google-gax's own retries are off (with gRPC they would retry UNAVAILABLE for up to
  // 10 minutes; over REST they do not recognise HTTP errors): this adapter repeats calls
  // itself, briefly, the same way on both transports. `timeout` sets the gRPC deadline;
  // the REST transport ignores it, hence the timer in #call.
  #callOptions(): CallOptions {
    return { timeout: this.#timeoutMs, retry: null };
  }

  async #call<T>(what: string, attempts: number, call: () => Promise<T>): Promise<T> {
    let delay = this.#retryDelayMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const ms = this.#timeoutMs;
        // Our own deadline: google-gax's REST transport ignores the call's timeout.
        return await withDeadline(
          call(),
          ms,
          () => new AppEngineError('unavailable', `${what}: no answer within ${ms} ms`, 4),
        );
      } catch (error) {
        const mapped = toAppEngineError(error, what);
        if (!mapped.retryable || attempt >= attempts) throw mapped;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
  }
}

/** Milliseconds since the epoch of a protobuf Timestamp, or undefined without one. */
function timestampMs(time: protos.google.protobuf.ITimestamp | null | undefined) {
  if (!time) return undefined;
  return Number(time.seconds ?? 0) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/** An enum as the client gives it (its name, or its number when decoded) -> its name. */
function enumName(values: Record<string | number, string | number>, value: unknown) {
  return typeof value === 'number' ? values[value] : value;
}

function servingStatusOf(value: unknown): ServingStatus {
  return enumName(SERVING_STATUS, value) === 'STOPPED' ? 'STOPPED' : 'SERVING';
}

function splitOf(service: Service): TrafficSplit {
  const shardBy = enumName(SHARD_BY, service.split?.shardBy);
  const known = ['COOKIE', 'IP', 'RANDOM'] as const;
  return {
    shardBy: known.find((name) => name === shardBy) ?? 'UNSPECIFIED',
    allocations: { ...(service.split?.allocations ?? {}) },
  };
}

function required(value: string | null | undefined, message: string): string {
  if (!value) throw new AppEngineError('appengine_api_error', message);
  return value;
}

/**
 * Maps what the client throws to an AppEngineError: `unavailable` when worth trying again,
 * `version_exists` for ALREADY_EXISTS, otherwise `appengine_api_error` with Google's words.
 */
export function toAppEngineError(error: unknown, what: string): AppEngineError {
  if (error instanceof AppEngineError) return error;
  const { grpcCode, message, retryable } = readGoogleError(error);
  const text = `${what}: ${message}`;
  if (retryable) return new AppEngineError('unavailable', text, grpcCode);
  if (grpcCode === GRPC.ALREADY_EXISTS) return new AppEngineError('version_exists', text, grpcCode);
  if (grpcCode === GRPC.ABORTED) return new AppEngineError('version_busy', text, grpcCode);
  if (VERSION_LIMIT.test(message)) return new AppEngineError('version_limit', text, grpcCode);
  return new AppEngineError('appengine_api_error', text, grpcCode);
}
