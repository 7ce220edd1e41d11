// What the stand-in checks in a createBuild request before accepting it, as the real API
// does with 400 INVALID_ARGUMENT: steps present and named, unique step ids, `KEY=VALUE`
// env entries, each step's secretEnv defined among the build's secrets, valid tags,
// known enum values, and substitutions. Cloud Build expands
// `$NAME` and `${NAME}` in step fields and `images`; `$$` is a literal `$`. A reference to a
// substitution that is neither built in nor defined in `substitutions` fails the request
// (the default `substitutionOption` MUST_MATCH). The stand-in is stricter in one way: a
// lone `$` before anything that is not a name is refused too, where the real API's
// treatment is not documented; the pipeline never sends one (it escapes every `$`).
//
// Limits, from the build config schema (https://cloud.google.com/build/docs/build-config-file-schema):
// at most 300 steps ("Build steps"), and at most 10,000 characters in a step argument
// ("args"). No limit is documented for an `env` entry; the stand-in holds each whole
// `KEY=VALUE` entry to the argument's limit, stricter again, because the pipeline does
// (src/gcp/build-request.ts STEP_STRING_MAX): a bundle back in one huge entry fails here.
// Google documents the limits, not the words of its refusal: the messages are the
// stand-in's own, in the API's shape (400 INVALID_ARGUMENT, "invalid build: ...").
import { invalidEnums } from './enums.ts';
import { ApiError, invalid, type Json, type JsonObject } from './types.ts';

/** Cloud Build's substitutions available to every build, plus those of triggers (empty then). */
export const BUILT_IN_SUBSTITUTIONS = new Set([
  'PROJECT_ID',
  'PROJECT_NUMBER',
  'BUILD_ID',
  'LOCATION',
  'SERVICE_ACCOUNT',
  'SERVICE_ACCOUNT_EMAIL',
  'TRIGGER_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
  'COMMIT_SHA',
  'REVISION_ID',
  'SHORT_SHA',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
]);

/** Build config schema, "Build steps": "up to 300 build steps". */
export const MAX_STEPS = 300;
/** Build config schema, "args": 10,000 characters per argument (and here per env entry). */
export const MAX_STEP_STRING = 10_000;

const SECRET_VERSION = /^projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const USER_SUBSTITUTION = /^_[A-Z0-9_]+$/;

/** Throws an ApiError (400) when the build cannot be accepted. */
export function validateBuild(build: unknown): asserts build is JsonObject {
  if (build === null || typeof build !== 'object' || Array.isArray(build)) {
    throw invalid('Invalid JSON payload received: the build must be an object.');
  }
  const body = build as JsonObject;
  const steps = body.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw invalid('invalid build: build must have at least one step');
  }
  if (steps.length > MAX_STEPS) {
    throw invalid(`invalid build: build has ${steps.length} steps; at most ${MAX_STEPS}`);
  }
  const substitutions = body.substitutions ?? {};
  if (substitutions === null || typeof substitutions !== 'object' || Array.isArray(substitutions)) {
    throw invalid('invalid build: substitutions must be a map of strings');
  }
  for (const key of Object.keys(substitutions)) {
    if (!USER_SUBSTITUTION.test(key)) {
      throw invalid(
        `invalid value for 'build.substitutions': substitution key ${JSON.stringify(key)} does not respect format "^_[A-Z0-9_]+$"`,
      );
    }
  }
  const known = (name: string) =>
    BUILT_IN_SUBSTITUTIONS.has(name) || Object.hasOwn(substitutions, name);
  const ids = new Set<string>();
  const secrets = definedSecrets(body);

  steps.forEach((step, i) => {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) {
      throw invalid(`invalid build: step ${i} must be an object`);
    }
    if (typeof step.name !== 'string' || step.name === '') {
      throw invalid(`invalid build: build step ${i} must specify name`);
    }
    if (typeof step.id === 'string' && step.id !== '') {
      if (ids.has(step.id))
        throw invalid(`invalid build: duplicate build step id ${JSON.stringify(step.id)}`);
      ids.add(step.id);
    }
    for (const entry of strings(step.env)) {
      if (!/^[^=]+=/.test(entry)) {
        throw invalid(
          `invalid build: build step ${i} env ${JSON.stringify(entry)} is not KEY=VALUE`,
        );
      }
    }
    for (const name of strings(step.secretEnv)) {
      if (!secrets.has(name)) {
        throw invalid(
          `invalid build: build step ${i} secretEnv ${JSON.stringify(name)} is not defined in availableSecrets or secrets`,
        );
      }
    }
    for (const field of ['args', 'env'] as const) {
      strings(step[field]).forEach((value, j) => {
        if (value.length > MAX_STEP_STRING) {
          throw invalid(
            `invalid build: build step ${i} ${field}[${j}] is ${value.length} characters; at most ${MAX_STEP_STRING}`,
          );
        }
      });
    }
    for (const field of ['name', 'id', 'entrypoint', 'dir'] as const) {
      checkTemplate(step[field], `steps[${i}].${field}`, known);
    }
    for (const field of ['args', 'env', 'waitFor'] as const) {
      strings(step[field]).forEach((value, j) => {
        checkTemplate(value, `steps[${i}].${field}[${j}]`, known);
      });
    }
  });
  strings(body.images).forEach((value, i) => {
    checkTemplate(value, `images[${i}]`, known);
  });
  for (const tag of strings(body.tags)) {
    if (!TAG.test(tag)) {
      throw invalid(
        `invalid build: invalid build tag ${JSON.stringify(tag)}: must match format "^[\\w][\\w.-]{0,127}$"`,
      );
    }
  }
  const enums = invalidEnums(body);
  if (enums.length > 0) throw invalid(`Invalid value at ${enums.join(', ')}`);
}

/**
 * The variables a step may list in `secretEnv`: the `env` of each
 * `availableSecrets.secretManager[]` entry, which needs a secret version's resource name
 * ("Use secrets from Secret Manager", https://cloud.google.com/build/docs/securing-builds/use-secrets),
 * and the keys of the older Cloud KMS `secrets[].secretEnv` maps (Build.secrets in the
 * REST reference). A step's secretEnv "must be specified in the build's secrets" (BuildStep).
 */
function definedSecrets(body: JsonObject): Set<string> {
  const names = new Set<string>();
  const available = body.availableSecrets;
  const fromSecretManager =
    available && typeof available === 'object' && !Array.isArray(available)
      ? available.secretManager
      : undefined;
  (Array.isArray(fromSecretManager) ? fromSecretManager : []).forEach((entry, i) => {
    const { versionName, env } = (entry ?? {}) as JsonObject;
    if (typeof versionName !== 'string' || !SECRET_VERSION.test(versionName)) {
      throw invalid(
        `invalid build: availableSecrets.secretManager[${i}].versionName must be projects/*/secrets/*/versions/*`,
      );
    }
    if (typeof env !== 'string' || env === '') {
      throw invalid(`invalid build: availableSecrets.secretManager[${i}].env must be set`);
    }
    names.add(env);
  });
  for (const secret of Array.isArray(body.secrets) ? body.secrets : []) {
    const map = (secret as JsonObject | null)?.secretEnv;
    if (map && typeof map === 'object' && !Array.isArray(map)) {
      for (const name of Object.keys(map)) names.add(name);
    }
  }
  return names;
}

function strings(value: Json | undefined): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

function checkTemplate(
  value: Json | undefined,
  where: string,
  known: (name: string) => boolean,
): void {
  if (typeof value !== 'string') return;
  const reference = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|)/g;
  for (const match of value.matchAll(reference)) {
    if (match[0] === '$$') continue;
    const name = match[1] ?? match[2];
    if (name === undefined) {
      throw invalid(`invalid build: ${where}: a lone "$" must be escaped as "$$"`);
    }
    if (!known(name)) {
      throw new ApiError(
        400,
        'INVALID_ARGUMENT',
        `invalid value for 'build.substitutions': key in the template ${JSON.stringify(name)} is not a valid built-in substitution`,
      );
    }
  }
}
