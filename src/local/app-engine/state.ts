// The applications the stand-in serves: services, their versions and traffic splits, and
// long-running operations that finish after a scripted number of polls or time.
import { randomUUID } from 'node:crypto';
import {
  checkServiceId,
  checkVersion,
  checkVersionPatch,
  DEFAULT_MAX_VERSIONS,
  defaultServiceFirst,
  isObject,
  noGradualMigration,
  operationInProgress,
  tooManyVersions,
  trafficOnDelete,
} from './rules.ts';
import {
  type AppSeed,
  alreadyExists,
  type DeployScript,
  invalid,
  type Json,
  type JsonObject,
  notFound,
  type OperationScript,
  type OperationTiming,
} from './types.ts';

const OPERATION_METADATA = 'type.googleapis.com/google.appengine.v1.OperationMetadataV1';
const VERSION_TYPE = 'type.googleapis.com/google.appengine.v1.Version';
const LOCATION_METADATA_TYPE = 'type.googleapis.com/google.appengine.v1.LocationMetadata';
const SERVICE_TYPE = 'type.googleapis.com/google.appengine.v1.Service';
const EMPTY_TYPE = 'type.googleapis.com/google.protobuf.Empty';
const CREATE_VERSION = 'google.appengine.v1.Versions.CreateVersion';
const UPDATE_VERSION = 'google.appengine.v1.Versions.UpdateVersion';
const DELETE_VERSION = 'google.appengine.v1.Versions.DeleteVersion';
const SHARD_BY = ['UNSPECIFIED', 'COOKIE', 'IP', 'RANDOM'];

interface App {
  seed: Required<AppSeed>;
  services: Map<string, Service>;
}

interface Service {
  id: string;
  split: { shardBy: string; allocations: Record<string, number> };
  versions: Map<string, JsonObject>;
}

interface Operation {
  name: string;
  method: string;
  target: string;
  insertTime: number;
  /** Polls so far (GETs of the operation). */
  polls: number;
  script: Timing;
  /** Applies the operation's effect and gives its response; runs once, when it ends well. */
  finish: () => JsonObject;
  result?: { response: JsonObject } | { error: { code: number; message: string } };
  endTime?: number;
}

type Timing = Required<Pick<OperationTiming, 'polls' | 'durationMs'>> & OperationTiming;

export interface StateOptions {
  clock: () => number;
  user: string;
  /** Told after each change of versions or splits (an operation ending well, a reset). */
  changed?: () => void;
}

export class AppEngineState {
  readonly #apps = new Map<string, App>();
  readonly #operations = new Map<string, Operation>();
  /** Version names with an operation still running -> that operation's name. */
  readonly #busy = new Map<string, string>();
  readonly #scripts: DeployScript[] = [];
  readonly #operationScripts: OperationScript[] = [];
  readonly #options: StateOptions;

  constructor(options: StateOptions) {
    this.#options = options;
  }

  addApp(seed: AppSeed): void {
    const full = {
      locationId: 'europe-west',
      regionCode: 'ew',
      flexibleEnvironment: true,
      maxVersions: DEFAULT_MAX_VERSIONS,
      services: [],
      ...seed,
    };
    this.#apps.set(seed.id, { seed: full, services: seededServices(full) });
  }

  scriptDeploy(script: DeployScript): void {
    this.#scripts.push(script);
  }

  scriptOperation(script: OperationScript): void {
    this.#operationScripts.push(script);
  }

  /** Forgets services (but the seeded ones), versions, operations and scripts; keeps the applications. */
  reset(): void {
    for (const app of this.#apps.values()) app.services = seededServices(app.seed);
    this.#operations.clear();
    this.#busy.clear();
    this.#scripts.length = 0;
    this.#operationScripts.length = 0;
    this.#options.changed?.();
  }

  application(appId: string): JsonObject {
    const { seed } = this.#app(appId);
    return {
      name: `apps/${seed.id}`,
      id: seed.id,
      locationId: seed.locationId,
      authDomain: 'gmail.com',
      codeBucket: `staging.${seed.id}.appspot.com`,
      servingStatus: 'SERVING',
      defaultHostname: `${seed.id}.${seed.regionCode}.r.appspot.com`,
      defaultBucket: `${seed.id}.appspot.com`,
      gcrDomain: 'eu.gcr.io',
      databaseType: 'CLOUD_FIRESTORE',
    };
  }

  /**
   * `apps.locations.get`: a google.cloud.location.Location whose metadata is a
   * google.appengine.v1.LocationMetadata (google/appengine/v1/location.proto). The stand-in
   * knows each application's own region only; any other is NOT_FOUND, as Google answers an
   * unknown location.
   */
  location(appId: string, locationId: string): JsonObject {
    const { seed } = this.#app(appId);
    if (locationId !== seed.locationId) {
      throw notFound(`Location not found: apps/${appId}/locations/${locationId}`);
    }
    return {
      name: `apps/${appId}/locations/${locationId}`,
      locationId,
      metadata: {
        '@type': LOCATION_METADATA_TYPE,
        standardEnvironmentAvailable: true,
        flexibleEnvironmentAvailable: seed.flexibleEnvironment,
      },
    };
  }

  service(appId: string, serviceId: string): JsonObject {
    return serviceJson(appId, this.#service(appId, serviceId));
  }

  /** `apps.services.list`, in the order the services came to be. */
  listServices(appId: string, pageSize: number, pageToken: string): JsonObject {
    const services = [...this.#app(appId).services.values()];
    const { items, next } = page(services, pageSize, pageToken);
    return { services: items.map((service) => serviceJson(appId, service)), ...next };
  }

  /** `apps.services.versions.list`, oldest first (the view is applied by the server). */
  listVersions(appId: string, serviceId: string, pageSize: number, pageToken: string): JsonObject {
    const versions = [...this.#service(appId, serviceId).versions.values()];
    const { items, next } = page(versions, pageSize, pageToken);
    return { versions: items, ...next };
  }

  version(appId: string, serviceId: string, versionId: string): JsonObject {
    const version = this.#service(appId, serviceId).versions.get(versionId);
    if (!version) {
      throw notFound(
        `Version not found: apps/${appId}/services/${serviceId}/versions/${versionId}`,
      );
    }
    return version;
  }

  /** Stored versions of a service (for tests); [] when there is none. */
  versionsOf(appId: string, serviceId: string): JsonObject[] {
    const service = this.#apps.get(appId)?.services.get(serviceId);
    return service ? [...service.versions.values()] : [];
  }

  /** The application's service ids (for tests and the local page); [] for an unknown app. */
  serviceIds(appId: string): string[] {
    return [...(this.#apps.get(appId)?.services.keys() ?? [])];
  }

  /** The service's traffic split (for tests), or undefined when it does not exist yet. */
  splitOf(appId: string, serviceId: string): Service['split'] | undefined {
    return this.#apps.get(appId)?.services.get(serviceId)?.split;
  }

  createVersion(appId: string, serviceId: string, body: unknown): JsonObject {
    const app = this.#app(appId);
    checkServiceId(serviceId);
    const checked = checkVersion(body, appId, serviceId);
    if (serviceId !== 'default' && !app.services.has('default')) {
      throw defaultServiceFirst(serviceId);
    }
    const versionId = String(checked.id);
    const name = `apps/${appId}/services/${serviceId}/versions/${versionId}`;
    if (app.services.get(serviceId)?.versions.has(versionId) || this.#busy.has(name)) {
      throw alreadyExists(`Version ${versionId} already exists in service ${serviceId}.`);
    }
    if (this.#versionCount(appId) >= app.seed.maxVersions) {
      throw tooManyVersions(app.seed.maxVersions);
    }
    const servingStatus = servingStatusName(checked.servingStatus);
    const script = take(this.#scripts, (s) => s.versionId, versionId);
    const created = this.#options.clock();
    return this.#start(appId, CREATE_VERSION, name, script, () => {
      const { seed } = app;
      const version: JsonObject = {
        ...checked,
        name,
        id: versionId,
        servingStatus,
        createdBy: this.#options.user,
        createTime: new Date(created).toISOString(),
        diskUsageBytes: '0',
        ...(script.omitVersionUrl
          ? {}
          : {
              versionUrl: `https://${versionId}-dot-${serviceId}-dot-${seed.id}.${seed.regionCode}.r.appspot.com`,
            }),
      };
      let service = app.services.get(serviceId);
      if (!service) {
        // The first version of a new service gets all its traffic, as on App Engine.
        service = {
          id: serviceId,
          split: { shardBy: 'UNSPECIFIED', allocations: { [versionId]: 1 } },
          versions: new Map(),
        };
        app.services.set(serviceId, service);
      }
      service.versions.set(versionId, version);
      return { '@type': VERSION_TYPE, ...version };
    });
  }

  /** `versions.patch` of a flexible version: `updateMask=servingStatus` starts or stops it. */
  patchVersion(
    appId: string,
    serviceId: string,
    versionId: string,
    updateMask: string,
    body: unknown,
  ): JsonObject {
    const version = this.version(appId, serviceId, versionId);
    const servingStatus = checkVersionPatch(updateMask, body);
    const script = this.#operationScript('UpdateVersion', versionId);
    return this.#start(appId, UPDATE_VERSION, String(version.name), script, () => {
      version.servingStatus = servingStatus;
      return { '@type': VERSION_TYPE, ...version };
    });
  }

  /** `versions.delete`: refused while the version has a share of the traffic. */
  deleteVersion(appId: string, serviceId: string, versionId: string): JsonObject {
    const service = this.#service(appId, serviceId);
    const version = this.version(appId, serviceId, versionId);
    if ((service.split.allocations[versionId] ?? 0) > 0) throw trafficOnDelete();
    const script = this.#operationScript('DeleteVersion', versionId);
    return this.#start(appId, DELETE_VERSION, String(version.name), script, () => {
      service.versions.delete(versionId);
      return { '@type': EMPTY_TYPE };
    });
  }

  /**
   * `services.patch`: only `updateMask=split` (traffic migration) is supported. A stopped
   * version runs no instances, so the stand-in refuses it a share; what Google answers
   * there is not in the API reference, so those words are the stand-in's own.
   */
  patchService(
    appId: string,
    serviceId: string,
    updateMask: string,
    migrateTraffic: boolean,
    body: unknown,
  ): JsonObject {
    const service = this.#service(appId, serviceId);
    if (migrateTraffic) throw noGradualMigration();
    const fields = updateMask.split(',').filter((field) => field !== '');
    if (fields.length === 0) throw invalid('updateMask is required.');
    const unsupported = fields.filter((field) => field !== 'split');
    if (unsupported.length > 0) {
      throw invalid(`This stand-in only updates the split, not: ${unsupported.join(', ')}.`);
    }
    const split = isObject(body) ? body.split : undefined;
    if (!isObject(split) || !isObject(split.allocations)) {
      throw invalid('split.allocations is required.');
    }
    const allocations: Record<string, number> = {};
    let total = 0;
    for (const [versionId, share] of Object.entries(split.allocations)) {
      if (typeof share !== 'number' || share <= 0 || share > 1) {
        throw invalid(`Allocation for version ${versionId} must be in (0, 1].`);
      }
      const version = service.versions.get(versionId);
      if (!version) throw invalid(`Version ${versionId} does not exist in service ${serviceId}.`);
      if (version.servingStatus === 'STOPPED') {
        throw invalid(`Version ${versionId} is stopped: start it before giving it traffic.`);
      }
      allocations[versionId] = share;
      total += share;
    }
    if (Object.keys(allocations).length === 0 || Math.abs(total - 1) > 1e-6) {
      throw invalid(`Allocations must sum to 1 (got ${total}).`);
    }
    const shardBy = shardByName(split.shardBy);
    const name = `apps/${appId}/services/${serviceId}`;
    const script = this.#operationScript('UpdateService', serviceId);
    return this.#start(appId, 'google.appengine.v1.Services.UpdateService', name, script, () => {
      service.split = { shardBy, allocations };
      return { '@type': SERVICE_TYPE, ...serviceJson(appId, service) };
    });
  }

  /** One poll of an operation: counts it, and ends it when its script allows. */
  pollOperation(appId: string, operationId: string): JsonObject {
    this.#app(appId);
    const operation = this.#operations.get(`apps/${appId}/operations/${operationId}`);
    if (!operation) throw notFound(`Operation not found: apps/${appId}/operations/${operationId}`);
    operation.polls += 1;
    this.#settle(operation);
    return this.#json(operation);
  }

  /**
   * `apps.operations.list`, newest first, `pageSize` at a time (default and most 100);
   * the page token is the offset of the next page.
   */
  listOperations(appId: string, pageSize: number, pageToken: string): JsonObject {
    this.#app(appId);
    const all = [...this.#operations.values()]
      .filter((operation) => operation.name.startsWith(`apps/${appId}/operations/`))
      .reverse();
    const { items, next } = page(all, pageSize, pageToken);
    return { operations: items.map((operation) => this.#json(operation)), ...next };
  }

  /** Ends an operation now, as scripted otherwise (a hanging one too). */
  endOperation(name: string): void {
    const operation = this.#operations.get(name);
    if (!operation) throw notFound(`Operation not found: ${name}`);
    operation.script = { ...operation.script, polls: 0, durationMs: 0, hang: false };
    this.#settle(operation);
  }

  /** An operation as it stands (for tests), without counting a poll. */
  operation(name: string): JsonObject | undefined {
    const operation = this.#operations.get(name);
    return operation ? this.#json(operation) : undefined;
  }

  /** Starts an operation on `target`; a version takes one operation at a time. */
  #start(
    app: string,
    method: string,
    target: string,
    script: Timing,
    finish: Operation['finish'],
  ): JsonObject {
    const locks = target.includes('/versions/');
    const running = locks ? this.#busy.get(target) : undefined;
    if (running) throw operationInProgress(target, running);
    const operation: Operation = {
      name: `apps/${app}/operations/${randomUUID()}`,
      method,
      target,
      insertTime: this.#options.clock(),
      polls: 0,
      script,
      finish,
    };
    this.#operations.set(operation.name, operation);
    if (locks) this.#busy.set(target, operation.name);
    return this.#json(operation);
  }

  #json(operation: Operation): JsonObject {
    const metadata: JsonObject = {
      '@type': OPERATION_METADATA,
      method: operation.method,
      insertTime: new Date(operation.insertTime).toISOString(),
      target: operation.target,
      user: this.#options.user,
    };
    if (operation.endTime !== undefined) {
      metadata.endTime = new Date(operation.endTime).toISOString();
    }
    return {
      name: operation.name,
      metadata,
      done: operation.result !== undefined,
      ...(operation.result ?? {}),
    };
  }

  #settle(operation: Operation): void {
    const { script } = operation;
    if (operation.result || script.hang) return;
    const elapsed = this.#options.clock() - operation.insertTime;
    if (operation.polls < script.polls || elapsed < script.durationMs) return;
    operation.result = script.error ? { error: script.error } : { response: operation.finish() };
    operation.endTime = this.#options.clock();
    if (this.#busy.get(operation.target) === operation.name) this.#busy.delete(operation.target);
    if (!script.error) this.#options.changed?.();
  }

  #operationScript(method: OperationScript['method'], target: string): Timing {
    return take(
      this.#operationScripts,
      (s) => s.target,
      target,
      (s) => s.method === method,
    );
  }

  /** Versions of the application, the ones being created included. */
  #versionCount(appId: string): number {
    let count = 0;
    for (const service of this.#app(appId).services.values()) count += service.versions.size;
    for (const [target, operation] of this.#busy) {
      const creating = this.#operations.get(operation)?.method === CREATE_VERSION;
      if (creating && target.startsWith(`apps/${appId}/`)) count += 1;
    }
    return count;
  }

  #app(appId: string): App {
    const app = this.#apps.get(appId);
    if (!app) throw notFound(`Application not found: apps/${appId}`);
    return app;
  }

  #service(appId: string, serviceId: string): Service {
    const service = this.#app(appId).services.get(serviceId);
    if (!service) throw notFound(`Service not found: apps/${appId}/services/${serviceId}`);
    return service;
  }
}

/**
 * The script for `id` (or the first one for any), taken out of `scripts`, with the
 * defaults: done on the first poll.
 */
function take<T extends OperationTiming>(
  scripts: T[],
  idOf: (script: T) => string | undefined,
  id: string,
  applies: (script: T) => boolean = () => true,
): Timing & T {
  let index = scripts.findIndex((script) => applies(script) && idOf(script) === id);
  if (index < 0) index = scripts.findIndex((script) => applies(script) && !idOf(script));
  const [script] = index < 0 ? [] : scripts.splice(index, 1);
  return { polls: 1, durationMs: 0, ...(script as T) };
}

/** One page of `all`: `pageSize` items (default and most 100) from the offset `pageToken`. */
function page<T>(all: T[], pageSize: number, pageToken: string) {
  const size = pageSize > 0 ? Math.min(pageSize, 100) : 100;
  const start = pageToken === '' ? 0 : Number(pageToken);
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid page token "${pageToken}".`);
  const items = all.slice(start, start + size);
  const next: JsonObject = start + size < all.length ? { nextPageToken: String(start + size) } : {};
  return { items, next };
}

/** The services an application starts with, empty. */
function seededServices(seed: Required<AppSeed>): Map<string, Service> {
  return new Map(
    seed.services.map((id) => [
      id,
      { id, split: { shardBy: 'UNSPECIFIED', allocations: {} }, versions: new Map() },
    ]),
  );
}

function serviceJson(appId: string, service: Service): JsonObject {
  return {
    name: `apps/${appId}/services/${service.id}`,
    id: service.id,
    split: { shardBy: service.split.shardBy, allocations: { ...service.split.allocations } },
  };
}

function servingStatusName(value: Json | undefined): string {
  if (value === undefined || value === 'SERVING' || value === 1) return 'SERVING';
  if (value === 'STOPPED' || value === 2) return 'STOPPED';
  throw invalid(`Invalid servingStatus ${JSON.stringify(value)}.`);
}

function shardByName(value: Json | undefined): string {
  if (value === undefined) return 'UNSPECIFIED';
  const name = typeof value === 'number' ? SHARD_BY[value] : value;
  if (typeof name !== 'string' || !SHARD_BY.includes(name)) {
    throw invalid(`Invalid split.shardBy ${JSON.stringify(value)}.`);
  }
  return name;
}
