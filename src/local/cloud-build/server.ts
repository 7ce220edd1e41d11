// A stand-in for the Cloud Build REST API v1 on loopback, for the official client
// (@google-cloud/cloudbuild through google-gax's REST transport, CLOUD_BUILD_API_URL):
//
//   POST /v1/projects/{p}/builds                     createBuild -> long-running Operation
//   GET  /v1/projects/{p}/builds/{id}                getBuild
//   POST /v1/projects/{p}/builds/{id}:cancel         cancelBuild -> the Build
//   GET  /v1/projects/{p}/builds?filter=tags="x"     listBuilds (tag filters only)
//   GET  /v1/operations/build/{p}/{base64 id}        the create operation, polled
//   ... and the /v1/projects/{p}/locations/{l}/... forms of each.
//
// Answers are proto3 JSON, with enums as numbers when the client asks for
// `$alt=json;enum-encoding=int` (it always does), and errors in Google's shape
// `{ error: { code, message, status } }`. Builds progress by themselves on the
// stand-in's clock (see builds.ts), scripted per test with `script()`.
//
// The real API serves no build logs (they live in Cloud Logging or a GCS bucket), so
// the stand-in's own `logs()` method, and `GET /stand-in/builds/{id}/logs`, give a
// step's scripted lines instead; nothing in the API surface pretends to. `logEntries()`
// gives the whole log as Cloud Build writes it to Cloud Logging, line by line with its
// step and time: what the Cloud Logging stand-in (src/local/cloud-logging/) serves.
import { randomUUID } from 'node:crypto';
import { type FaultControls, Faults, faultControls, serveGoogleApi } from '../google-api.ts';
import {
  type BuildLogLine,
  isFinal,
  logLines,
  progress,
  renderBuild,
  type StoredBuild,
  stepScript,
} from './builds.ts';
import { convertEnums } from './enums.ts';
import { type JsonObject, notFound, type RecordedRequest, type Scenario } from './types.ts';
import { validateBuild } from './validate.ts';

export type { BuildLogLine } from './builds.ts';
export type { RecordedRequest, Scenario, StepScript } from './types.ts';

/** A line of a build's log, with the build it belongs to. */
export interface BuildLogEntry extends BuildLogLine {
  buildId: string;
  projectId: string;
  /** `global` for builds created without a location. */
  location: string;
}

/** A build as the stand-in has just accepted it, handed to the `onBuildCreated` hook. */
export interface CreatedBuild {
  id: string;
  projectId: string;
  location: string;
  /** The request's Build (proto3 JSON, enums as names), `$$` escapes as sent. */
  request: JsonObject;
  /** Stand-in clock; the build leaves QUEUED at `createdAt + scenario.queuedMs`. */
  createdAt: number;
}

/**
 * Decides how a build nobody scripted goes: its scenario, or undefined for the default.
 * A driver may keep changing it afterwards with `script(build.id, ...)` (a controlled build).
 */
export type BuildHook = (build: CreatedBuild) => Scenario | undefined;

const METADATA_TYPE = 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata';
const BUILD_TYPE = 'type.googleapis.com/google.devtools.cloudbuild.v1.Build';

export interface CloudBuildApiOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Milliseconds since the epoch; builds progress on it. Default Date.now. */
  clock?: () => number;
  /** The scenario of builds nobody scripted. Default: every step succeeds quickly. */
  defaultScenario?: Scenario;
  /** Base of `logUrl`. Default `https://console.cloud.google.com`. */
  consoleBase?: string;
}

export interface CloudBuildStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`: the value for CLOUD_BUILD_API_URL. */
  url: string;
  /** Every request, in order (live array), including refused ones. */
  requests: RecordedRequest[];
  /** The bodies of the createBuild requests it accepted, in order. */
  createdBuilds(): JsonObject[];
  /** How the build `id` goes, or the next build created (`'next'`, queued in order). */
  script(buildIdOrNext: string, scenario: Scenario): void;
  /** The build as getBuild would answer it now (enums as names); undefined when unknown. */
  build(id: string): JsonObject | undefined;
  /**
   * A step's scripted log lines: the given step, else the one that ended the build
   * badly, else the last one that started. Not part of the real API (see above).
   */
  logs(buildId: string, stepId?: string): string[];
  /**
   * The build's log so far (every build's without an id), oldest first: the build's own
   * lines and each step's scripted lines with the step's index and id, each at its moment
   * on the stand-in clock. What Cloud Build would have written to Cloud Logging; unknown
   * build: []. Not part of the Cloud Build API.
   */
  logEntries(buildId?: string): BuildLogEntry[];
  /**
   * Sets (or with undefined removes) the hook asked for the scenario of each new build
   * that `script('next', ...)` did not script; its answer goes before `defaultScenario`.
   */
  onBuildCreated(hook: BuildHook | undefined): void;
  /** Forgets builds, scripts, pending faults and requests (not the hook). */
  reset(): void;
  close(): Promise<void>;
}

const PARENT = '/v1/projects/([^/]+)(?:/locations/([^/]+))?';
const ROUTES = {
  create: new RegExp(`^${PARENT}/builds$`),
  get: new RegExp(`^${PARENT}/builds/([^/:]+)$`),
  cancel: new RegExp(`^${PARENT}/builds/([^/:]+):cancel$`),
  globalOperation: /^\/v1\/operations\/build\/([^/]+)\/([^/]+)$/,
  regionalOperation: /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/operations\/([^/]+)$/,
  logs: /^\/stand-in\/builds\/([^/]+)\/logs$/,
};

/** Starts the Cloud Build API stand-in on loopback. */
export async function startCloudBuildApi(
  options: CloudBuildApiOptions = {},
): Promise<CloudBuildStandIn> {
  const clock = options.clock ?? Date.now;
  const consoleBase = options.consoleBase ?? 'https://console.cloud.google.com';
  const builds = new Map<string, StoredBuild>();
  const requests: RecordedRequest[] = [];
  const nextScenarios: Scenario[] = [];
  const faults = new Faults();
  let buildHook: BuildHook | undefined;

  const find = (projectId: string, id: string): StoredBuild => {
    const build = builds.get(id);
    if (!build || build.projectId !== projectId) throw notFound('Requested entity was not found.');
    return build;
  };

  const render = (build: StoredBuild, numericEnums: boolean) =>
    renderBuild(build, { now: clock(), consoleBase, numericEnums });

  const operationOf = (build: StoredBuild, numericEnums: boolean): JsonObject => {
    const resource = render(build, numericEnums);
    const encodedId = Buffer.from(build.id).toString('base64');
    const name =
      build.location === 'global'
        ? `operations/build/${build.projectId}/${encodedId}`
        : `projects/${build.projectId}/locations/${build.location}/operations/${encodedId}`;
    const status = progress(build, clock()).status;
    const operation: JsonObject = {
      name,
      metadata: { '@type': METADATA_TYPE, build: resource },
    };
    if (isFinal(status)) {
      operation.done = true;
      if (status === 'SUCCESS') operation.response = { '@type': BUILD_TYPE, ...resource };
      else
        operation.error = {
          code: 2,
          message: `Build ${status.toLowerCase()}; check build logs for details`,
        };
    }
    return operation;
  };

  const create = (projectId: string, location: string, body: unknown, numeric: boolean) => {
    validateBuild(body);
    const id = randomUUID();
    const build: StoredBuild = {
      id,
      projectId,
      location,
      request: convertEnums(body, 'name'),
      scenario: options.defaultScenario ?? {},
      createdAt: clock(),
    };
    builds.set(id, build);
    const scripted = nextScenarios.shift();
    const hooked = scripted
      ? undefined
      : buildHook?.({
          id,
          projectId,
          location,
          request: build.request,
          createdAt: build.createdAt,
        });
    build.scenario = scripted ?? hooked ?? build.scenario;
    return operationOf(build, numeric);
  };

  const list = (projectId: string, filter: string | undefined, numeric: boolean): JsonObject => {
    // Only what the pipeline may ask: `tags="a"` terms joined by AND.
    const wanted = [...(filter ?? '').matchAll(/tags\s*=\s*"([^"]*)"/g)].map((match) => match[1]);
    const matching = [...builds.values()]
      .filter((build) => build.projectId === projectId)
      .filter((build) => {
        const tags = Array.isArray(build.request.tags) ? build.request.tags : [];
        return wanted.every((tag) => tags.includes(tag ?? ''));
      })
      .sort((a, b) => b.createdAt - a.createdAt);
    return { builds: matching.map((build) => render(build, numeric)) };
  };

  const answer = (method: string, path: string, query: URLSearchParams, body: unknown) => {
    const numeric = (query.get('$alt') ?? '').includes('enum-encoding=int');
    const collection = ROUTES.create.exec(path);
    if (collection) {
      const [, projectId = '', location = 'global'] = collection;
      if (method === 'POST') return create(projectId, location, body, numeric);
      if (method === 'GET') return list(projectId, query.get('filter') ?? undefined, numeric);
    }
    const get = ROUTES.get.exec(path);
    if (get && method === 'GET') return render(find(get[1] ?? '', get[3] ?? ''), numeric);
    const cancel = ROUTES.cancel.exec(path);
    if (cancel && method === 'POST') {
      const build = find(cancel[1] ?? '', cancel[3] ?? '');
      // Cancelling a finished build leaves it as it is.
      if (!isFinal(progress(build, clock()).status)) build.cancelledAt ??= clock();
      return render(build, numeric);
    }
    const globalOperation = ROUTES.globalOperation.exec(path);
    if (globalOperation && method === 'GET') {
      const id = Buffer.from(globalOperation[2] ?? '', 'base64').toString('utf8');
      return operationOf(find(globalOperation[1] ?? '', id), numeric);
    }
    const regionalOperation = ROUTES.regionalOperation.exec(path);
    if (regionalOperation && method === 'GET') {
      const id = Buffer.from(regionalOperation[3] ?? '', 'base64').toString('utf8');
      return operationOf(find(regionalOperation[1] ?? '', id), numeric);
    }
    const standInLogs = ROUTES.logs.exec(path);
    if (standInLogs && method === 'GET') {
      return { lines: logs(standInLogs[1] ?? '', query.get('step') ?? undefined) };
    }
    throw notFound(`The requested URL ${path} was not found on this server.`);
  };

  const logs = (buildId: string, stepId?: string): string[] => {
    const build = builds.get(buildId);
    if (!build) throw notFound(`no build ${buildId}`);
    const steps = Array.isArray(build.request.steps) ? (build.request.steps as JsonObject[]) : [];
    const state = progress(build, clock());
    let index =
      stepId === undefined ? state.failedStep : steps.findIndex((step) => step.id === stepId);
    if (index === undefined) {
      index = state.steps.findLastIndex((step) => step.startedAt !== undefined);
    }
    return index >= 0 ? [...(stepScript(build, index).logs ?? [])] : [];
  };

  const server = await serveGoogleApi({
    ...(options.port === undefined ? {} : { port: options.port }),
    clock,
    requests,
    faults,
    answer: ({ method, path, url, body }) => answer(method, path, url.searchParams, body),
  });

  return {
    url: server.url,
    requests,
    createdBuilds: () =>
      requests
        .filter((r) => r.method === 'POST' && r.status === 200 && ROUTES.create.test(r.path))
        .map((r) => r.body as JsonObject),
    script(buildIdOrNext, scenario) {
      if (buildIdOrNext === 'next') {
        nextScenarios.push(scenario);
        return;
      }
      const build = builds.get(buildIdOrNext);
      if (!build) throw new Error(`stand-in: no build ${buildIdOrNext} to script`);
      build.scenario = scenario;
    },
    ...faultControls(faults),
    build(id) {
      const build = builds.get(id);
      return build ? render(build, false) : undefined;
    },
    logs,
    logEntries(buildId) {
      const chosen =
        buildId === undefined ? [...builds.values()] : [builds.get(buildId)].filter((b) => !!b);
      const now = clock();
      return chosen.flatMap((build) =>
        logLines(build, now).map((line) => ({
          ...line,
          buildId: build.id,
          projectId: build.projectId,
          location: build.location,
        })),
      );
    },
    onBuildCreated(hook) {
      buildHook = hook;
    },
    reset() {
      builds.clear();
      nextScenarios.length = 0;
      requests.length = 0;
      faults.clear();
    },
    close: server.close,
  };
}
