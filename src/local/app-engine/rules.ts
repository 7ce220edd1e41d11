// What the Admin API refuses in a flexible version, written from App Engine's
// documentation rather than imported from src/spec, so the stand-in checks the pipeline
// independently of the code under test.
import { invalid, type Json, type JsonObject } from './types.ts';

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
