// The applications the stand-in serves: services, their versions and traffic splits, and
// long-running operations that finish after a scripted number of polls or time.
import { randomUUID } from 'node:crypto';
import { checkServiceId, checkVersion, isObject } from './rules.ts';
import {
  type AppSeed,
  alreadyExists,
  type DeployScript,
  invalid,
  type Json,
  type JsonObject,
  notFound,
} from './types.ts';

const OPERATION_METADATA = 'type.googleapis.com/google.appengine.v1.OperationMetadataV1';
const VERSION_TYPE = 'type.googleapis.com/google.appengine.v1.Version';
const SERVICE_TYPE = 'type.googleapis.com/google.appengine.v1.Service';
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
  script: Required<Pick<DeployScript, 'polls' | 'durationMs'>> & DeployScript;
  /** Applies the operation's effect and gives its response; runs once, when it ends. */
  finish: () => { response: JsonObject } | { error: { code: number; message: string } };
  result?: { response: JsonObject } | { error: { code: number; message: string } };
  endTime?: number;
}

export interface StateOptions {
  clock: () => number;
  user: string;
}

export class AppEngineState {
  readonly #apps = new Map<string, App>();
  readonly #operations = new Map<string, Operation>();
  /** Versions whose create operation is still running, `app/service/version`. */
  readonly #pending = new Set<string>();
  readonly #scripts: DeployScript[] = [];
  readonly #options: StateOptions;

  constructor(options: StateOptions) {
    this.#options = options;
  }

  addApp(seed: AppSeed): void {
    const full = { locationId: 'europe-west', regionCode: 'ew', ...seed };
    this.#apps.set(seed.id, { seed: full, services: new Map() });
  }

  scriptDeploy(script: DeployScript): void {
    this.#scripts.push(script);
  }

  /** Forgets services, versions, operations and scripts; keeps the applications. */
  reset(): void {
    for (const app of this.#apps.values()) app.services.clear();
    this.#operations.clear();
    this.#pending.clear();
    this.#scripts.length = 0;
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

  service(appId: string, serviceId: string): JsonObject {
    return serviceJson(appId, this.#service(appId, serviceId));
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

  /** The service's traffic split (for tests), or undefined when it does not exist yet. */
  splitOf(appId: string, serviceId: string): Service['split'] | undefined {
    return this.#apps.get(appId)?.services.get(serviceId)?.split;
  }

  createVersion(appId: string, serviceId: string, body: unknown): JsonObject {
    const app = this.#app(appId);
    checkServiceId(serviceId);
    const checked = checkVersion(body, appId, serviceId);
    const versionId = String(checked.id);
    const key = `${appId}/${serviceId}/${versionId}`;
    if (app.services.get(serviceId)?.versions.has(versionId) || this.#pending.has(key)) {
      throw alreadyExists(`Version ${versionId} already exists in service ${serviceId}.`);
    }
    const servingStatus = servingStatusName(checked.servingStatus);
    const script = this.#takeScript(versionId);
    this.#pending.add(key);
    const name = `apps/${appId}/services/${serviceId}/versions/${versionId}`;
    const created = this.#options.clock();
    return this.#start(appId, 'google.appengine.v1.Versions.CreateVersion', name, script, () => {
      this.#pending.delete(key);
      if (script.error) return { error: script.error };
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
      return { response: { '@type': VERSION_TYPE, ...version } };
    });
  }

  /** `services.patch`: only `updateMask=split` (traffic migration) is supported. */
  patchService(appId: string, serviceId: string, updateMask: string, body: unknown): JsonObject {
    const service = this.#service(appId, serviceId);
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
      if (!service.versions.has(versionId)) {
        throw invalid(`Version ${versionId} does not exist in service ${serviceId}.`);
      }
      allocations[versionId] = share;
      total += share;
    }
    if (Object.keys(allocations).length === 0 || Math.abs(total - 1) > 1e-6) {
      throw invalid(`Allocations must sum to 1 (got ${total}).`);
    }
    const shardBy = shardByName(split.shardBy);
    const name = `apps/${appId}/services/${serviceId}`;
    const script = { polls: 1, durationMs: 0 };
    return this.#start(appId, 'google.appengine.v1.Services.UpdateService', name, script, () => {
      service.split = { shardBy, allocations };
      return { response: { '@type': SERVICE_TYPE, ...serviceJson(appId, service) } };
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
    const size = pageSize > 0 ? Math.min(pageSize, 100) : 100;
    const start = pageToken === '' ? 0 : Number(pageToken);
    if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid page token "${pageToken}".`);
    const all = [...this.#operations.values()]
      .filter((operation) => operation.name.startsWith(`apps/${appId}/operations/`))
      .reverse();
    const page = all.slice(start, start + size);
    return {
      operations: page.map((operation) => this.#json(operation)),
      ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}),
    };
  }

  /** An operation as it stands (for tests), without counting a poll. */
  operation(name: string): JsonObject | undefined {
    const operation = this.#operations.get(name);
    return operation ? this.#json(operation) : undefined;
  }

  #start(
    app: string,
    method: string,
    target: string,
    script: Operation['script'],
    finish: Operation['finish'],
  ): JsonObject {
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
    if (operation.result) return;
    const elapsed = this.#options.clock() - operation.insertTime;
    if (operation.polls < operation.script.polls || elapsed < operation.script.durationMs) return;
    operation.result = operation.finish();
    operation.endTime = this.#options.clock();
  }

  #takeScript(versionId: string): Operation['script'] {
    let index = this.#scripts.findIndex((script) => script.versionId === versionId);
    if (index < 0) index = this.#scripts.findIndex((script) => script.versionId === undefined);
    const [script] = index < 0 ? [] : this.#scripts.splice(index, 1);
    return { polls: 1, durationMs: 0, ...script };
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
