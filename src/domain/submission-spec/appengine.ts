// App Engine flexible rules for what a submission sets: the service id, the resources
// block of app.yaml, and the version id the pipeline picks.
import { hundredths, show } from './issues.ts';
import type { SpecIssue } from './types.ts';
import type { NumberRule } from './values.ts';

const ID = /^(?!-)[a-z\d-]{0,62}[a-z\d]$/;
export const ID_MAX = 63;

/**
 * Checks a service or version id: 1 to 63 lowercase letters, digits and hyphens, not
 * starting or ending with a hyphen (they become DNS labels in `VERSION-dot-SERVICE-dot-
 * PROJECT.appspot.com`). Suggests a fixed form when a simple rewrite makes it valid.
 */
export function appEngineIdProblem(id: string, what: string): string | undefined {
  if (ID.test(id)) return undefined;
  if (id === '') return `empty; give a ${what} like my-service`;
  const length = [...id].length;
  if (length > ID_MAX) return `${show(id)} is ${length} characters; a ${what} is at most ${ID_MAX}`;
  const lower = id.toLowerCase();
  if (ID.test(lower))
    return `${show(id)} has uppercase letters; a ${what} is lowercase: try ${show(lower)}`;
  const allowed = 'lowercase letters, digits and hyphens, not starting or ending with a hyphen';
  if (/^[a-z\d-]+$/.test(id))
    return `${show(id)} starts or ends with a hyphen; a ${what} has ${allowed}`;
  const fixed = lower
    .replace(/[\s_.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ID_MAX);
  const hint = ID.test(fixed) ? `: try ${show(fixed)}` : '';
  return `${show(id)} is not a valid ${what} (${allowed})${hint}`;
}

/**
 * Why a partner may not name `service`: `default` is every project's own service (App
 * Engine routes the project's bare URL to it), and the Playground team may reserve more
 * (PLAYGROUND_RESERVED_SERVICES, passed in: the domain reads no configuration).
 */
export function reservedServiceProblem(
  service: string,
  reserved: readonly string[] = [],
): string | undefined {
  if (service === 'default') {
    return '"default" is the target project\'s own default service, not a partner\'s; choose another service id, e.g. my-model';
  }
  if (reserved.includes(service)) {
    return `${show(service)} is reserved by the Playground team; choose another service id`;
  }
  return undefined;
}

// Version.id in the Admin API: "Reserved names: "default", "latest", and any name with
// the prefix "ah-"." https://cloud.google.com/appengine/docs/admin-api/reference/rest/v1/apps.services.versions
const RESERVED_VERSIONS = new Set(['default', 'latest']);
// "the combined length of VERSION-dot-SERVICE-dot-PROJECT_ID ... cannot be longer than 63
// characters" https://cloud.google.com/appengine/docs/flexible/communicating-between-services
export const HOST_LABEL_MAX = 63;

/** Checks a version id for `service` in `project`; [] when App Engine will accept it. */
export function checkVersionId(version: string, service: string, project: string): SpecIssue[] {
  const issue = (message: string) => [{ path: 'version', message }];
  const problem = appEngineIdProblem(version, 'version id');
  if (problem) return issue(problem);
  if (version.startsWith('ah-'))
    return issue(`${show(version)} starts with "ah-", which App Engine reserves for itself`);
  if (RESERVED_VERSIONS.has(version))
    return issue(`${show(version)} is a name App Engine reserves; pick another version id`);
  const host = `${version}-dot-${service}-dot-${project}`;
  if (host.length > HOST_LABEL_MAX) {
    const over = host.length - HOST_LABEL_MAX;
    const fix =
      over < version.length
        ? `shorten the version id by ${over} character${over === 1 ? '' : 's'}`
        : 'the service id and project id leave no room for a version id; use a shorter service id';
    return issue(
      `${show(host)} is ${host.length} characters, ${over} more than App Engine allows in a host name (${HOST_LABEL_MAX}); ${fix}`,
    );
  }
  return [];
}

// Resource limits of app.yaml in the flexible environment, from "Resource settings" in
// https://cloud.google.com/appengine/docs/flexible/python/configuring-your-app-with-app-yaml
//   cpu: "must be one, an even number between 2 and 32, or a multiple of 4 between 32 and 80"
//   memory_gb: "memory_gb = cpu * [1.0 - 6.5] - 0.4" (the ~0.4 GB is process overhead)
//   disk_size_gb: "The minimum is 10 GB and the maximum is 10240 GB."
// The per-core minimum was 0.9 GB in earlier versions of that page (and is the Compute
// Engine N1 custom machine minimum); the seed's defaults, 4 CPUs with 3.2 GB, sit exactly
// on it (4 * 0.9 - 0.4), so 0.9 is kept: the Playground has deployed with those defaults.
const CPU_MAX = 80;
const MEMORY_PER_CPU_MIN = 90; // hundredths of a GB
const MEMORY_PER_CPU_MAX = 650;
const MEMORY_OVERHEAD = 40;
const EPSILON = 1e-6; // in hundredths; 3.2 * 100 is 320.00000000000006

/** The CPU counts App Engine offers, as a person reads them. */
export const CPU_COUNTS = `1, an even number up to 32, or a multiple of 4 from 32 to ${CPU_MAX}`;

/** How App Engine sizes memory, as a person reads it: "0.9 to 6.5 GB per CPU, minus 0.4 GB". */
export const MEMORY_PER_CPU = `${hundredths(MEMORY_PER_CPU_MIN)} to ${hundredths(MEMORY_PER_CPU_MAX)} GB per CPU, minus ${hundredths(MEMORY_OVERHEAD)} GB for the system`;

export function isValidCpu(cpu: number): boolean {
  if (cpu === 1) return true;
  if (cpu >= 2 && cpu <= 32) return cpu % 2 === 0;
  return cpu > 32 && cpu <= CPU_MAX && cpu % 4 === 0;
}

/** Memory App Engine accepts for `cpu` cores, in hundredths of a GB (integers, so exact). */
export function memoryRange(cpu: number): { min: number; max: number } {
  return {
    min: cpu * MEMORY_PER_CPU_MIN - MEMORY_OVERHEAD,
    max: cpu * MEMORY_PER_CPU_MAX - MEMORY_OVERHEAD,
  };
}

/** `cpu`: whole, 1..80; `cpuProblem` then keeps to the counts App Engine offers. */
export const CPU_RULE: NumberRule = Object.freeze({
  min: 1,
  max: CPU_MAX,
  whole: true,
  who: 'App Engine',
});

export function cpuProblem(cpu: number): string | undefined {
  if (isValidCpu(cpu)) return undefined;
  return `${cpu} is not a CPU count App Engine offers (${CPU_COUNTS}): try ${nearestCpu(cpu, -1)} or ${nearestCpu(cpu, +1)}`;
}

function nearestCpu(cpu: number, step: number): number {
  let candidate = cpu + step;
  while (!isValidCpu(candidate)) candidate += step;
  return candidate;
}

/** memory_gb on its own, from the least any CPU count takes to the most; see `memoryProblem`. */
export const MEMORY_RULE: NumberRule = Object.freeze({
  min: memoryRange(1).min / 100,
  max: memoryRange(CPU_MAX).max / 100,
  whole: false,
  who: 'App Engine',
  unit: ' GB',
});

/**
 * Checks memory_gb against the range for `cpu`. `defaulted` says memory_gb was not given,
 * so the message can tell the partner to set it rather than blame a value they never wrote.
 */
export function memoryProblem(
  memoryGb: number,
  cpu: number,
  defaulted: boolean,
): string | undefined {
  const { min, max } = memoryRange(cpu);
  const cpus = `${cpu} CPU${cpu === 1 ? '' : 's'}`;
  const given = defaulted ? `${memoryGb} (the default)` : `${memoryGb}`;
  const set = defaulted ? '; set resources.memory_gb' : '';
  if (memoryGb * 100 < min - EPSILON) {
    return `${given} is too little for ${cpus} (at least ${hundredths(min)})${set}`;
  }
  if (memoryGb * 100 > max + EPSILON) {
    return `${given} is too much for ${cpus} (at most ${hundredths(max)})${set || '; ask for more CPUs or less memory'}`;
  }
  return undefined;
}

// Whole GB: persistent disks are sized in whole gigabytes.
export const DISK_RULE: NumberRule = Object.freeze({
  min: 10,
  max: 10240,
  whole: true,
  who: 'App Engine',
  unit: ' GB',
});
