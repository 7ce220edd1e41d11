// What the Admin API refuses in a flexible version, written from App Engine's
// documentation rather than imported from src/spec, so the stand-in checks the pipeline
// independently of the code under test.
import { ApiError, invalid, type Json, type JsonObject } from './types.ts';

// "Version names can contain only lowercase letters, numbers, or hyphens. Reserved names:
// "default", "latest", and any name with the prefix "ah-"."
const ID = /^(?!-)[a-z\d-]{0,62}[a-z\d]$/;
// "the combined length of VERSION-dot-SERVICE-dot-PROJECT_ID ... cannot be longer than 63"
const HOST_LABEL_MAX = 63;
// "URI to the hosted container image ... must be fully qualified and include a tag or digest"
const IMAGE =
  /^[a-z0-9.-]+(?::\d+)?\/[a-z0-9._/-]+(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const DURATION = /^\d+(?:\.\d{1,9})?s$/;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkServiceId(service: string): void {
  if (!ID.test(service)) throw invalid(`Invalid service id "${service}".`);
}

/** Checks a Version from a create request; throws INVALID_ARGUMENT with the first problem. */
export function checkVersion(body: unknown, app: string, service: string): JsonObject {
  if (!isObject(body)) throw invalid('The request body must be a Version object.');
  const id = body.id;
  if (typeof id !== 'string' || id === '') throw invalid('Version id is required.');
  if (!ID.test(id) || id.startsWith('ah-') || id === 'default' || id === 'latest') {
    throw invalid(`Invalid version id "${id}".`);
  }
  const host = `${id}-dot-${service}-dot-${app}`;
  if (host.length > HOST_LABEL_MAX) {
    throw invalid(
      `Version id "${id}" is too long: "${host}" must be at most ${HOST_LABEL_MAX} characters.`,
    );
  }
  if (body.env !== 'flex' && body.env !== 'flexible') {
    throw invalid(
      `This stand-in deploys flexible versions only (env "flex"), not env ${JSON.stringify(body.env ?? 'standard')}.`,
    );
  }
  if (typeof body.runtime !== 'string' || body.runtime === '')
    throw invalid('Runtime is required.');
  const image =
    isObject(body.deployment) && isObject(body.deployment.container)
      ? body.deployment.container.image
      : undefined;
  if (typeof image !== 'string' || image === '') {
    throw invalid('deployment.container.image is required for a flexible custom-runtime version.');
  }
  if (!IMAGE.test(image) || !/[:@]/.test(image.slice(image.lastIndexOf('/')))) {
    throw invalid(`Image "${image}" must be fully qualified and include a tag or digest.`);
  }
  checkResources(body.resources);
  checkScaling(body.automaticScaling);
  checkHealth(body.livenessCheck, 'livenessCheck', ['checkInterval', 'timeout', 'initialDelay']);
  checkHealth(body.readinessCheck, 'readinessCheck', [
    'checkInterval',
    'timeout',
    'appStartTimeout',
  ]);
  if (body.envVariables !== undefined) {
    if (!isObject(body.envVariables)) throw invalid('envVariables must be a map of strings.');
    for (const [name, value] of Object.entries(body.envVariables)) {
      if (typeof value !== 'string') throw invalid(`envVariables.${name} must be a string.`);
    }
  }
  return body;
}

// Flexible resources, from app.yaml's "Resource settings": cpu "must be one, an even
// number between 2 and 32, or a multiple of 4 between 32 and 80"; memory_gb between
// 0.9 and 6.5 GB per core, less about 0.4 GB of overhead; disk 10 to 10240 GB.
function checkResources(value: Json | undefined): void {
  if (value === undefined) return;
  if (!isObject(value)) throw invalid('resources must be an object.');
  const cpu = value.cpu ?? 1;
  const memory = value.memoryGb ?? 0.6;
  const disk = value.diskGb ?? 10;
  if (typeof cpu !== 'number' || typeof memory !== 'number' || typeof disk !== 'number') {
    throw invalid('resources.cpu, memoryGb and diskGb must be numbers.');
  }
  const cpuOk =
    cpu === 1 ||
    (cpu >= 2 && cpu <= 32 && cpu % 2 === 0) ||
    (cpu > 32 && cpu <= 80 && cpu % 4 === 0);
  if (!cpuOk) throw invalid(`resources.cpu ${cpu} is not available in the flexible environment.`);
  const min = Math.round(cpu * 90 - 40) / 100;
  const max = Math.round(cpu * 650 - 40) / 100;
  if (memory < min - 1e-9 || memory > max + 1e-9) {
    throw invalid(`resources.memoryGb ${memory} is outside ${min}..${max} for ${cpu} CPUs.`);
  }
  if (disk < 10 || disk > 10240) throw invalid(`resources.diskGb ${disk} is outside 10..10240.`);
}

function checkScaling(value: Json | undefined): void {
  if (value === undefined) return;
  if (!isObject(value)) throw invalid('automaticScaling must be an object.');
  const min = value.minTotalInstances ?? 2;
  const max = value.maxTotalInstances ?? 20;
  if (typeof min !== 'number' || typeof max !== 'number' || min < 1 || max < min) {
    throw invalid(
      `automaticScaling needs 1 <= minTotalInstances <= maxTotalInstances (got ${JSON.stringify(min)}, ${JSON.stringify(max)}).`,
    );
  }
  if (value.coolDownPeriod !== undefined)
    checkDuration(value.coolDownPeriod, 'automaticScaling.coolDownPeriod');
}

function checkHealth(value: Json | undefined, what: string, durations: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) throw invalid(`${what} must be an object.`);
  if (value.path !== undefined && (typeof value.path !== 'string' || !value.path.startsWith('/'))) {
    throw invalid(`${what}.path must start with "/".`);
  }
  for (const key of durations) {
    if (value[key] !== undefined) checkDuration(value[key], `${what}.${key}`);
  }
}

function checkDuration(value: Json | undefined, what: string): void {
  if (typeof value !== 'string' || !DURATION.test(value)) {
    throw invalid(`${what} must be a duration like "30s", not ${JSON.stringify(value)}.`);
  }
}

// The per-application version limit, listed on App Engine's quotas pages
// (cloud.google.com/appengine/docs/flexible/quotas and .../standard/quotas, "Versions" under
// the app limits; the copies searched here did not show the table). 210 is the number in
// the API's refusal of a create beyond it, INVALID_ARGUMENT in these words (as gcloud
// reports it: github.com/googleapis/google-cloud-python/issues/15227).
export const DEFAULT_MAX_VERSIONS = 210;

export function tooManyVersions(max: number) {
  return invalid(
    `Your app may not have more than ${max} versions. Please delete one of the existing versions before trying to create a new version.`,
  );
}

// An application takes versions of other services only once it has `default`; a create in
// another service before then is INVALID_ARGUMENT in these words, as gcloud and Terraform
// report them (e.g. GoogleCloudPlatform/magic-modules#1884, and App Engine's "service:"
// setting in app.yaml: the first service deployed must be `default`).
export function defaultServiceFirst(service: string) {
  return invalid(
    `The first service (module) you upload to a new application must be the 'default' service (module). Please upload a version of the 'default' service (module) before uploading a version for the '${service}' service (module).`,
  );
}

// versions.delete of a version that has a share of the split is refused with these words
// (github.com/GoogleCloudPlatform/runtimes-common/pull/205); one without traffic may be
// deleted even while it serves (github.com/GoogleCloudPlatform/google-cloud-visualstudio/pull/451).
export function trafficOnDelete() {
  return invalid(
    'Cannot delete a version with a non-zero traffic allocation. Please update your traffic split to remove the allocation for this version and try again.',
  );
}

// A second operation on a version whose last one has not ended is ABORTED (409), as
// App Engine answers (github.com/nytimes/drone-gae/issues/67).
export function operationInProgress(target: string, operation: string) {
  return new ApiError(
    409,
    'ABORTED',
    `Cannot operate on ${target} because an operation is already in progress for ${target} by ${operation.split('/').at(-1)}.`,
  );
}

// services.patch `migrateTraffic=true` is gradual migration, which "is not supported in the
// App Engine flexible environment" (UpdateServiceRequest.migrate_traffic in
// google/appengine/v1/appengine.proto); the API's words from
// github.com/hashicorp/terraform-provider-google/pull/9896.
export function noGradualMigration() {
  return invalid('Traffic migration does not support App Engine Flexible Environment.');
}

/**
 * versions.patch: which fields of a flexible version the mask may name. The reference
 * (apps.services.versions/patch) lists, for the flexible environment, `serving_status`
 * and four automatic-scaling fields; the stand-in keeps only `serving_status` and says so
 * for the others. The REST API takes the mask in either spelling. Returns the new status.
 */
export function checkVersionPatch(updateMask: string, body: unknown): 'SERVING' | 'STOPPED' {
  const fields = updateMask.split(',').filter((field) => field !== '');
  if (fields.length === 0) throw invalid('updateMask is required.');
  const flexible = new Set([
    'automatic_scaling.min_total_instances',
    'automatic_scaling.max_total_instances',
    'automatic_scaling.cool_down_period_sec',
    'automatic_scaling.cpu_utilization.target_utilization',
  ]);
  for (const field of fields.map(snakeCase)) {
    if (field === 'serving_status') continue;
    if (flexible.has(field)) throw invalid(`This stand-in does not update ${field}.`);
    throw invalid(`Field ${field} cannot be updated for a flexible version.`);
  }
  const status = isObject(body) ? body.servingStatus : undefined;
  // ServingStatus in google/appengine/v1/version.proto: SERVING = 1, STOPPED = 2.
  if (status === 'SERVING' || status === 1) return 'SERVING';
  if (status === 'STOPPED' || status === 2) return 'STOPPED';
  throw invalid(`Invalid servingStatus ${JSON.stringify(status ?? null)}.`);
}

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The fields Version (google/appengine/v1/version.proto) marks "Only returned in `GET`
 * requests if `view=FULL` is set"; `BASIC`, the default view of get and list, leaves them out.
 */
const FULL_VIEW_ONLY = [
  'handlers',
  'errorHandlers',
  'libraries',
  'apiConfig',
  'envVariables',
  'buildEnvVariables',
  'defaultExpiration',
  'healthCheck',
  'readinessCheck',
  'livenessCheck',
  'nobuildFilesRegex',
  'deployment',
];

/** The version as get/list show it in `view` (`FULL` or 1; anything else is BASIC). */
export function inView(version: JsonObject, view: string | null): JsonObject {
  if (view === 'FULL' || view === '1') return version;
  return Object.fromEntries(
    Object.entries(version).filter(([key]) => !FULL_VIEW_ONLY.includes(key)),
  );
}
