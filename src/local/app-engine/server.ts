// A stand-in for the App Engine Admin API v1 on loopback, speaking the REST API that
// @google-cloud/appengine-admin sends through google-gax's REST transport (see
// src/gcp/client-options.ts): the paths of the `google.api.http` rules in the client's
// protos.json, Google JSON errors, and enums as numbers when `$alt=json;enum-encoding=int`.
import {
  type FaultControls,
  Faults,
  faultControls,
  matches,
  serveGoogleApi,
} from '../google-api.ts';
import { inView } from './rules.ts';
import { AppEngineState } from './state.ts';
import {
  type AppSeed,
  type DeployScript,
  type JsonObject,
  notFound,
  type OperationScript,
  type RecordedRequest,
} from './types.ts';

export type {
  AppSeed,
  DeployScript,
  JsonObject,
  OperationScript,
  RecordedRequest,
} from './types.ts';

/** A version, as the hooks see it: about to be created (`deploy`) or answered (`versionUrl`). */
export interface VersionToCreate {
  app: string;
  service: string;
  versionId: string;
  /** The request's `deployment.container.image`, e.g. `registry/path@sha256:...`. */
  image?: string;
}

/** Hooks that let something outside the stand-in shape its deploys (see `onDeploy`). */
export interface DeployHooks {
  /**
   * How this deploy goes (timing, an error); it goes before scripts queued with
   * `scriptDeploy`. Undefined: as scripted, else at once.
   */
  deploy?(version: VersionToCreate): Omit<DeployScript, 'versionId'> | undefined;
  /**
   * The `versionUrl` to report for this version instead of the appspot.com one (asked
   * whenever a version with an image is answered); undefined keeps it.
   */
  versionUrl?(version: VersionToCreate): string | undefined;
}

export interface AppEngineApiOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /**
   * The applications (project ids) that exist; any other is 404. Default: `p1`, with a
   * `default` service (App Engine takes another service only once `default` exists).
   */
  apps?: Array<string | AppSeed>;
  /** Milliseconds since the epoch; drives operation durations and timestamps. */
  clock?: () => number;
  /** Who the operations say started them. */
  user?: string;
}

export interface AppEngineApiStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`, for APPENGINE_API_URL. */
  url: string;
  /** Every request, in order (live array). */
  requests: RecordedRequest[];
  /** Requests with this method whose path starts with (or matches) `path`. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  addApp(app: string | AppSeed): void;
  /**
   * How the next deploy (or the deploy of `script.versionId`) goes: how many polls and how
   * long until its operation is done, whether it ends in an error, whether the version
   * has a versionUrl. Scripts are used once, in order.
   */
  scriptDeploy(script: DeployScript): void;
  /**
   * How the next versions.patch, versions.delete or services.patch (of `script.target`, a
   * version or service id, when given) goes: its timing, an error, or never ending.
   * Scripts are used once, in order; unscripted operations end on their first poll.
   */
  scriptOperation(script: OperationScript): void;
  /** Ends the named operation now (a hanging one too), as its script says otherwise. */
  endOperation(name: string): void;
  /** A stored version, or undefined. */
  version(app: string, service: string, version: string): JsonObject | undefined;
  versions(app: string, service: string): JsonObject[];
  /** The ids of the application's services, in the order they came to be ([] for an unknown app). */
  services(app: string): string[];
  /** The service's traffic split, or undefined when the service does not exist. */
  split(
    app: string,
    service: string,
  ): { shardBy: string; allocations: Record<string, number> } | undefined;
  /** An operation as it stands, without counting a poll. */
  operation(name: string): JsonObject | undefined;
  /** Sets (or with undefined removes) the deploy hooks. */
  onDeploy(hooks: DeployHooks | undefined): void;
  /**
   * Calls `listener` after each change of versions, serving statuses or splits (an
   * operation ending, a reset), for watchers such as the local page; returns the unsubscribe.
   */
  onChange(listener: () => void): () => void;
  /** Forgets services, versions, operations, scripts, faults and requests; keeps the apps and hooks. */
  reset(): void;
  close(): Promise<void>;
}

type Kind =
  | 'application'
  | 'location'
  | 'service'
  | 'services'
  | 'version'
  | 'versions'
  | 'operation'
  | 'operations';

const ENUMS: Record<string, string[]> = {
  'application.servingStatus': ['UNSPECIFIED', 'SERVING', 'USER_DISABLED', 'SYSTEM_DISABLED'],
  'application.databaseType': [
    'DATABASE_TYPE_UNSPECIFIED',
    'CLOUD_DATASTORE',
    'CLOUD_FIRESTORE',
    'CLOUD_DATASTORE_COMPATIBILITY',
  ],
  'version.servingStatus': ['SERVING_STATUS_UNSPECIFIED', 'SERVING', 'STOPPED'],
  'split.shardBy': ['UNSPECIFIED', 'COOKIE', 'IP', 'RANDOM'],
};

const SEGMENT = '([^/]+)';
const pageSize = (query: URLSearchParams) => Number(query.get('pageSize') ?? 0);
const pageToken = (query: URLSearchParams) => query.get('pageToken') ?? '';
const ROUTES: Array<{
  method: string;
  path: RegExp;
  kind: Kind;
  answer: (
    state: AppEngineState,
    params: string[],
    query: URLSearchParams,
    body: unknown,
  ) => JsonObject;
}> = [
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}$`),
    kind: 'application',
    answer: (state, [app = '']) => state.application(app),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/locations/${SEGMENT}$`),
    kind: 'location',
    answer: (state, [app = '', location = '']) => state.location(app, location),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services$`),
    kind: 'services',
    answer: (state, [app = ''], query) =>
      state.listServices(app, pageSize(query), pageToken(query)),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}$`),
    kind: 'service',
    answer: (state, [app = '', service = '']) => state.service(app, service),
  },
  {
    method: 'PATCH',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}$`),
    kind: 'operation',
    answer: (state, [app = '', service = ''], query, body) =>
      state.patchService(
        app,
        service,
        query.get('updateMask') ?? '',
        query.get('migrateTraffic') === 'true',
        body,
      ),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}/versions$`),
    kind: 'versions',
    answer: (state, [app = '', service = ''], query) =>
      state.listVersions(app, service, pageSize(query), pageToken(query)),
  },
  {
    method: 'POST',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}/versions$`),
    kind: 'operation',
    answer: (state, [app = '', service = ''], _query, body) =>
      state.createVersion(app, service, body),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}/versions/${SEGMENT}$`),
    kind: 'version',
    answer: (state, [app = '', service = '', version = '']) => state.version(app, service, version),
  },
  {
    method: 'PATCH',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}/versions/${SEGMENT}$`),
    kind: 'operation',
    answer: (state, [app = '', service = '', version = ''], query, body) =>
      state.patchVersion(app, service, version, query.get('updateMask') ?? '', body),
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/v1/apps/${SEGMENT}/services/${SEGMENT}/versions/${SEGMENT}$`),
    kind: 'operation',
    answer: (state, [app = '', service = '', version = '']) =>
      state.deleteVersion(app, service, version),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/operations$`),
    kind: 'operations',
    answer: (state, [app = ''], query) =>
      state.listOperations(app, pageSize(query), pageToken(query)),
  },
  {
    method: 'GET',
    path: new RegExp(`^/v1/apps/${SEGMENT}/operations/${SEGMENT}$`),
    kind: 'operation',
    answer: (state, [app = '', operation = '']) => state.pollOperation(app, operation),
  },
];

/** Starts the App Engine Admin API stand-in on loopback. */
export async function startAppEngineApi(
  options: AppEngineApiOptions = {},
): Promise<AppEngineApiStandIn> {
  const clock = options.clock ?? Date.now;
  const listeners = new Set<() => void>();
  const state = new AppEngineState({
    clock,
    user: options.user ?? 'deployer@example.com',
    changed: () => {
      for (const listener of listeners) listener();
    },
  });
  for (const app of options.apps ?? [{ id: 'p1', services: ['default'] }])
    state.addApp(typeof app === 'string' ? { id: app } : app);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  let hooks: DeployHooks | undefined;

  /** The version with the hook's versionUrl, when it has one for the version's image. */
  const hookedVersion = (version: JsonObject): JsonObject => {
    const image = imageOf(version);
    const [, app = '', , service = ''] = String(version.name).split('/');
    const url =
      image === undefined
        ? undefined
        : hooks?.versionUrl?.({ app, service, versionId: String(version.id), image });
    return url !== undefined && typeof version.versionUrl === 'string'
      ? { ...version, versionUrl: url }
      : version;
  };
  const hooked = (kind: Kind, json: JsonObject): JsonObject => {
    if (kind === 'version') return hookedVersion(json);
    if (kind === 'versions') return each(json, 'versions', hookedVersion);
    if (kind === 'operations') return each(json, 'operations', (op) => hooked('operation', op));
    const response = json.response;
    if (kind !== 'operation' || !isJsonObject(response) || response['@type'] !== VERSION_TYPE) {
      return json;
    }
    return { ...json, response: hookedVersion(response) };
  };
  const beforeCreate = ([app = '', service = '']: string[], body: unknown) => {
    if (!hooks?.deploy || !isJsonObject(body) || typeof body.id !== 'string') return;
    const image = imageOf(body);
    const script = hooks.deploy({
      app,
      service,
      versionId: body.id,
      ...(image === undefined ? {} : { image }),
    });
    if (script) state.scriptDeploy({ ...script, versionId: body.id });
  };

  const answer = (method: string, url: URL, body: unknown): JsonObject => {
    for (const route of ROUTES) {
      const found = route.path.exec(url.pathname);
      if (!found || route.method !== method) continue;
      const params = found.slice(1).map((part) => decodeURIComponent(part));
      if (method === 'POST') beforeCreate(params, body); // the one POST: versions.create
      const view = url.searchParams.get('view');
      const json = viewed(
        route.kind,
        hooked(route.kind, route.answer(state, params, url.searchParams, body)),
        view,
      );
      const intEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
      return intEnums ? enumsAsNumbers(route.kind, json) : json;
    }
    throw notFound(`No such method: ${method} ${url.pathname}`);
  };

  const server = await serveGoogleApi({
    ...(options.port === undefined ? {} : { port: options.port }),
    clock,
    requests,
    faults,
    answer: ({ method, url, body }) => answer(method, url, body),
  });

  return {
    url: server.url,
    requests,
    requestsTo: (method, path) =>
      requests.filter((r) => r.method === method && matches({ path }, r.method, r.path)),
    ...faultControls(faults),
    addApp: (app) => state.addApp(typeof app === 'string' ? { id: app } : app),
    scriptDeploy: (script) => state.scriptDeploy(script),
    scriptOperation: (script) => state.scriptOperation(script),
    endOperation: (name) => state.endOperation(name),
    version: (app, service, version) => {
      try {
        return hookedVersion(state.version(app, service, version));
      } catch {
        return undefined;
      }
    },
    versions: (app, service) => state.versionsOf(app, service).map(hookedVersion),
    services: (app) => state.serviceIds(app),
    split: (app, service) => state.splitOf(app, service),
    operation: (name) => {
      const operation = state.operation(name);
      return operation && hooked('operation', operation);
    },
    onDeploy: (value) => {
      hooks = value;
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset: () => {
      state.reset();
      faults.clear();
      requests.length = 0;
    },
    close: server.close,
  };
}

const VERSION_TYPE = 'type.googleapis.com/google.appengine.v1.Version';

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list response (ListOperationsResponse...) with `change` applied to each of its `key`. */
function each(list: JsonObject, key: string, change: (item: JsonObject) => JsonObject) {
  const items = Array.isArray(list[key]) ? list[key] : [];
  return { ...list, [key]: items.filter(isJsonObject).map(change) };
}

/** Versions as get and list show them in the request's `view` (BASIC by default). */
function viewed(kind: Kind, json: JsonObject, view: string | null): JsonObject {
  if (kind === 'version') return inView(json, view);
  if (kind === 'versions') return each(json, 'versions', (version) => inView(version, view));
  return json;
}

/** A Version's `deployment.container.image`, when it has one. */
export function imageOf(version: JsonObject): string | undefined {
  const deployment = version.deployment;
  const container = isJsonObject(deployment) ? deployment.container : undefined;
  const image = isJsonObject(container) ? container.image : undefined;
  return typeof image === 'string' ? image : undefined;
}

/** The same resource with its enums as numbers, for `$alt=json;enum-encoding=int`. */
function enumsAsNumbers(kind: Kind, json: JsonObject): JsonObject {
  if (kind === 'operations')
    return each(json, 'operations', (op) => enumsAsNumbers('operation', op));
  if (kind === 'versions') return each(json, 'versions', (v) => enumsAsNumbers('version', v));
  if (kind === 'services') return each(json, 'services', (s) => enumsAsNumbers('service', s));
  if (kind === 'operation') {
    const response = json.response;
    if (typeof response !== 'object' || response === null || Array.isArray(response)) return json;
    const type = String(response['@type'] ?? '');
    if (!type.endsWith('.Service') && !type.endsWith('.Version')) return json; // Empty
    const inner: Kind = type.endsWith('.Service') ? 'service' : 'version';
    return { ...json, response: enumsAsNumbers(inner, response) };
  }
  const out: JsonObject = { ...json };
  const number = (key: string, value: unknown) => {
    const index = ENUMS[key]?.indexOf(String(value)) ?? -1;
    return index < 0 ? value : index;
  };
  if (kind === 'application') {
    out.servingStatus = number('application.servingStatus', out.servingStatus) as number;
    out.databaseType = number('application.databaseType', out.databaseType) as number;
  }
  if (kind === 'version') {
    out.servingStatus = number('version.servingStatus', out.servingStatus) as number;
  }
  const split = out.split;
  if (kind === 'service' && typeof split === 'object' && split !== null && !Array.isArray(split)) {
    out.split = { ...split, shardBy: number('split.shardBy', split.shardBy) as number };
  }
  return out;
}
