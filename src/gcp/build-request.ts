// The Cloud Build request that wraps, tests and pushes one approved revision (pure).
//
// Every value that varies per submission (the partner's image reference, padding, zoom,
// the bundle) reaches the build as data: a list element of `args`, or the value of an
// `env` entry read by a constant script. No shell string is ever assembled from it. Cloud
// Build then expands `$NAME` / `${NAME}` in step fields itself (substitutions); this
// build uses none, so `escapeSubstitutions` turns every `$` into `$$` (Cloud Build's
// literal dollar) as the very last thing, and `unescapedDollars` proves none is left.

import { gzipSync } from 'node:zlib';
import type { protos } from '@google-cloud/cloudbuild';
import { appEngineSettings } from '../bundle/app-engine-config.ts';
import { PARTNER_USER_ARG } from '../bundle/dockerfile.ts';
import type { Bundle } from '../bundle/render.ts';
import { parseDockerRef } from '../domain/submission-spec/index.ts';
import { type TestMachine, testMachineFor, testMachineProblem } from '../domain/test-machine.ts';
import type { BuildPlan } from '../ports/build.ts';
import { ServiceError } from '../ports/service-error.ts';

type IBuild = protos.google.devtools.cloudbuild.v1.IBuild;
type IBuildStep = protos.google.devtools.cloudbuild.v1.IBuildStep;

/** Google's Docker builder: docker CLI, bash, coreutils and tar; pre-authenticated to the project's registries. */
export const DOCKER_BUILDER = 'gcr.io/cloud-builders/docker';
/**
 * Runs check_service.py (standard library only). Docker Hub's official image through
 * Google's mirror of it, which Cloud Build reaches without Docker Hub's pull limits.
 */
export const CHECK_IMAGE = 'mirror.gcr.io/library/python:3.12-slim';
/** The wrapped service's container name on the `cloudbuild` network during `test`. */
export const WRAPPED_CONTAINER = 'pg-wrapped';

/**
 * The build apart from the health wait: pulling a multi-GB partner image and installing
 * the wrapper's requirements (~5-10 min), the checks after health (a few requests), and
 * pushing the image (~5 min). Longer means something is stuck; the build then ends
 * TIMEOUT instead of holding a worker.
 */
const BUILD_WORK_SECONDS = 20 * 60;
/** Room the `test` step gets beyond the health wait, for the checks themselves. */
const CHECKS_SECONDS = 5 * 60;

/**
 * The smallest machine type with at least the version's memory, so that the `test` step
 * runs the model in as much memory as App Engine gives it (less would OOM-kill a model
 * that deploys fine). Past the largest, no build can test the model: refused, with the
 * numbers (approval refuses such a spec first: src/app/review.ts).
 */
export function machineTypeFor(memoryGb: number): TestMachine['name'] {
  const machine = testMachineFor(memoryGb);
  if (!machine) throw new BuildRequestError(testMachineProblem(memoryGb) ?? '');
  return machine.name;
}

/** How long a build may wait for a worker before it ends EXPIRED (Cloud Build's default, set on purpose). */
export const QUEUE_TTL_SECONDS = 60 * 60;

/**
 * Cloud Build documents a limit of 10,000 characters per step argument
 * (https://cloud.google.com/build/docs/build-config-file-schema#args). No length is
 * documented for an `env` entry (the same page, the REST reference and the v1 proto say
 * only "KEY=VALUE"), so each whole `NAME=value` entry is held to the same limit too.
 */
export const STEP_STRING_MAX = 10_000;

/**
 * The most bundle the request carries: ~75 KB of text is ~27 KB gzipped and
 * base64-encoded today; a long describe adds at most a few KB. A cap, so that a runaway
 * bundle is refused here rather than as a huge request.
 */
export const MAX_INLINE_BUNDLE_BYTES = 96 * 1024;

/** The env variables of the `bundle` step holding the bundle's parts: PG_BUNDLE_TGZ_0, _1, … */
export const BUNDLE_ENV = 'PG_BUNDLE_TGZ_';
/** How many parts there are (the step fails on a missing one, `set -u`). */
export const BUNDLE_PARTS_ENV = 'PG_BUNDLE_PARTS';

// The `bundle` step. The bundle travels inside the build request itself, as a base64
// gzipped tar split across env entries, each within STEP_STRING_MAX: no Cloud Storage
// bucket to create, grant, upload to and clean up, no second write that can fail or race
// the build, and the request recorded for a build is the whole of its input. The script
// joins the parts in order. Steps start in /workspace, so the files land there; tar keeps
// a corrupt archive from half-extracting silently (gzip's CRC), and `set -o pipefail`
// fails the step on it.
const BUNDLE_SCRIPT = [
  'set -euo pipefail',
  `for ((i = 0; i < ${BUNDLE_PARTS_ENV}; i++)); do part="${BUNDLE_ENV}$i"; printf '%s' "\${!part}"; done |`,
  '  base64 --decode | tar --extract --gzip --no-same-owner --file=-',
  'echo "wrap bundle:"',
  'find . -type f | sort',
].join('\n');

/** The bundle archive as `env` entries, each `NAME=value` within STEP_STRING_MAX. */
export function bundleEnv(archive: string): string[] {
  // Room for a two-digit name: MAX_INLINE_BUNDLE_BYTES makes at most 10 parts. Base64
  // has no `$`, so escaping does not lengthen an entry.
  const size = STEP_STRING_MAX - `${BUNDLE_ENV}99=`.length;
  const parts: string[] = [];
  for (let at = 0; at < archive.length; at += size) parts.push(archive.slice(at, at + size));
  return [
    `${BUNDLE_PARTS_ENV}=${parts.length}`,
    ...parts.map((part, i) => `${BUNDLE_ENV}${i}=${part}`),
  ];
}

/**
 * The archive joined back from `bundleEnv`'s entries, as the step's script joins it (for
 * the local stand-in, which reads requests); undefined when the count or a part is missing.
 */
export function archiveFromEnv(env: readonly string[]): string | undefined {
  const value = (name: string) =>
    env.find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
  const count = Number(value(BUNDLE_PARTS_ENV));
  if (!Number.isSafeInteger(count) || count < 1) return undefined;
  const parts = Array.from({ length: count }, (_, i) => value(`${BUNDLE_ENV}${i}`));
  return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
}

/** The `wrap` step's secretEnv holding PLAYGROUND_PULL_SECRET's `user:token`. */
export const PULL_CREDENTIALS_ENV = 'PG_PULL_CREDENTIALS';

// The `wrap` step. A Dockerfile cannot read its base image's USER, so the step reads it
// from the pulled image's config and passes it as a build argument: the wrapper installs
// as root and hands the image back to that user (see src/bundle/dockerfile.ts). Empty
// when the image sets none (root). Both references arrive as env values, never as code.
//
// With PLAYGROUND_PULL_SECRET, Cloud Build puts the secret's `user:token` in
// PULL_CREDENTIALS_ENV (secretEnv) and the step logs in to Docker Hub before pulling, so
// the pull is not anonymous from Cloud Build's shared addresses (Docker Hub's rate limits).
// The token goes through stdin, never into args or the log; `docker login` adds Docker
// Hub to the builder's config beside its Google registry helpers instead of replacing it.
const WRAP_SCRIPT = [
  'set -euo pipefail',
  `if [ -n "\${${PULL_CREDENTIALS_ENV}:-}" ]; then`,
  `  case "$${PULL_CREDENTIALS_ENV}" in *?:?*) ;; *) echo "PLAYGROUND_PULL_SECRET must hold user:token" >&2; exit 1 ;; esac`,
  `  printf '%s' "\${${PULL_CREDENTIALS_ENV}#*:}" | docker login --username "\${${PULL_CREDENTIALS_ENV}%%:*}" --password-stdin`,
  'fi',
  'docker pull "$PG_BASE_IMAGE"',
  `partner_user="$(docker image inspect --format '{{.Config.User}}' "$PG_BASE_IMAGE")"`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  'echo "partner image USER: ${partner_user:-none, root}"',
  `docker build --build-arg "base_id=$PG_BASE_IMAGE" --build-arg "${PARTNER_USER_ARG}=$partner_user" -t "$PG_IMAGE" .`,
].join('\n');

/**
 * The most of the checks' lines the `test` step writes to `$BUILDER_OUTPUT/output`. The v1
 * API reference once said Cloud Build keeps only the first 4 KB of a step's output; the
 * proto shipped with @google-cloud/cloudbuild now says 50 KB. The smaller is kept to: nine
 * checks with their details fit in it.
 */
export const CHECKS_OUTPUT_MAX = 4096;

// The `test` step: runs check_service.py in CHECK_IMAGE on the `cloudbuild` network
// against the wrapped container started by `test-start`. The script arrives on stdin
// (`python3 -`): a nested `docker run` cannot mount the step's /workspace. Meanwhile the
// wrapped container is watched, so a service that dies while loading (a bad
// PREDICTOR_PACKAGE) fails the step at once instead of after the whole health wait. On
// failure the service's last log lines are printed into the build log, then the checks
// again (so the log's last lines, which the failure reply shows, hold them); the container
// is removed either way.
//
// The check's lines (`--details`: PASS lines say what they saw) go to a file that `tail`
// follows into the log, and their first CHECKS_OUTPUT_MAX bytes to
// `$BUILDER_OUTPUT/output`: Cloud Build returns what a step writes there as
// `results.buildStepOutputs[i]` (https://cloud.google.com/build/docs/api/reference/rest/v1/projects.builds#Results),
// which is how the bot gets the checks of a build that succeeded.
const TEST_SCRIPT = [
  'set -uo pipefail',
  // Made before either starts: the check's redirection runs in the background, and a
  // `tail` that found no file yet would follow nothing.
  ': > checks.txt',
  'docker run --rm --interactive --network cloudbuild "$PG_CHECK_IMAGE" \\',
  '  python3 - "$PG_SERVICE_URL" --padding "$PG_PADDING" --zoom "$PG_ZOOM" \\',
  '  --timeout "$PG_HEALTH_TIMEOUT" --details < check_service.py > checks.txt &',
  'check=$!',
  'tail --lines=+1 --follow --pid="$check" --sleep-interval=0.2 checks.txt &',
  'while kill -0 "$check" 2>/dev/null; do',
  `  if [ "$(docker inspect --format '{{.State.Running}}' "$PG_CONTAINER" 2>/dev/null)" != true ]; then`,
  '    echo "FAIL service: the wrapped container stopped running" >> checks.txt',
  '    kill "$check" 2>/dev/null',
  '    break',
  '  fi',
  '  sleep 1',
  'done',
  'wait "$check"',
  'status=$?',
  'wait',
  `if [ -n "\${BUILDER_OUTPUT:-}" ]; then grep -E '^(PASS|FAIL) ' checks.txt | head --bytes=${CHECKS_OUTPUT_MAX} > "$BUILDER_OUTPUT/output"; fi`,
  'if [ "$status" -ne 0 ]; then',
  '  echo "--- last 100 lines of the wrapped service\'s log:"',
  '  docker logs --tail 100 "$PG_CONTAINER" 2>&1',
  '  echo "--- the acceptance checks:"',
  "  grep -E '^(PASS|FAIL) ' checks.txt",
  'fi',
  'docker rm --force "$PG_CONTAINER" >/dev/null 2>&1 || true',
  'exit "$status"',
].join('\n');

/** Thrown for a plan that cannot become a safe build request (a programming error upstream). */
export class BuildRequestError extends ServiceError<'invalid_build_request'> {
  constructor(message: string) {
    super('invalid_build_request', message);
  }
}

/** The Cloud Build `Build` for one plan: steps bundle, wrap, test-start, test, push. */
/**
 * Build.serviceAccount for a user-specified build account (PLAYGROUND_BUILD_SERVICE_ACCOUNT):
 * "projects/{PROJECT_ID}/serviceAccounts/{ACCOUNT}", ACCOUNT its email
 * (https://cloud.google.com/build/docs/api/reference/rest/v1/projects.builds#Build.FIELDS.service_account).
 * The project is the account's own, read from a `NAME@PROJECT.iam.gserviceaccount.com`
 * email; any other email is taken to live in the build's project.
 */
export function buildServiceAccountName(email: string, buildProject: string): string {
  const owner = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(
    email,
  )?.[1];
  return `projects/${owner ?? buildProject}/serviceAccounts/${email}`;
}

export interface BuildRequestOptions {
  /** Build.serviceAccount (see buildServiceAccountName). */
  serviceAccount?: string;
  /**
   * PLAYGROUND_PULL_SECRET: a Secret Manager version (`projects/P/secrets/S/versions/V`)
   * holding `user:token` for Docker Hub; given to the `wrap` step as a secretEnv
   * (https://cloud.google.com/build/docs/securing-builds/use-secrets).
   */
  pullSecret?: string;
}

export function buildRequest(plan: BuildPlan, options: BuildRequestOptions = {}): IBuild {
  const { spec, image } = plan;
  checkImage(image, 'image');
  checkImage(spec.image, 'spec.image');
  for (const [name, value] of Object.entries({
    PADDING: spec.PADDING,
    ZOOM_LEVEL: spec.ZOOM_LEVEL,
    revision: plan.revision,
  })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new BuildRequestError(`${name} must be a non-negative integer, got ${value}`);
    }
  }
  if (
    !Object.hasOwn(plan.bundle, 'check_service.py') ||
    !Object.hasOwn(plan.bundle, 'Dockerfile')
  ) {
    throw new BuildRequestError('the bundle has no Dockerfile or check_service.py');
  }
  // check_service.py waits for health as long as App Engine will (readiness'
  // app_start_timeout_sec): a model that loads in time there must not fail the test here.
  const healthTimeout = appEngineSettings(spec).readiness_check.app_start_timeout_sec;
  const machineType = machineTypeFor(spec.resources.memory_gb);
  const timeout = plan.timeoutSeconds ?? healthTimeout + BUILD_WORK_SECONDS;
  if (!Number.isSafeInteger(timeout) || timeout < 60 || timeout > 24 * 3600) {
    throw new BuildRequestError(`timeoutSeconds must be 60..86400, got ${timeout}`);
  }
  const archive = bundleArchive(plan.bundle);
  if (archive.length > MAX_INLINE_BUNDLE_BYTES) {
    throw new BuildRequestError(
      `the bundle is ${archive.length} bytes as base64 tar.gz; at most ${MAX_INLINE_BUNDLE_BYTES} fit in the request`,
    );
  }

  const steps: IBuildStep[] = [
    {
      id: 'bundle',
      name: DOCKER_BUILDER,
      entrypoint: 'bash',
      args: ['-c', BUNDLE_SCRIPT],
      env: bundleEnv(archive),
    },
    {
      id: 'wrap',
      name: DOCKER_BUILDER,
      entrypoint: 'bash',
      args: ['-c', WRAP_SCRIPT],
      // The partner's reference exactly as validated, also pinned in the Dockerfile's ARG.
      env: [`PG_BASE_IMAGE=${spec.image}`, `PG_IMAGE=${image}`],
      ...(options.pullSecret ? { secretEnv: [PULL_CREDENTIALS_ENV] } : {}),
    },
    {
      id: 'test-start',
      name: DOCKER_BUILDER,
      args: ['run', '--detach', '--name', WRAPPED_CONTAINER, '--network', 'cloudbuild', image],
    },
    {
      id: 'test',
      name: DOCKER_BUILDER,
      entrypoint: 'bash',
      args: ['-c', TEST_SCRIPT],
      env: [
        `PG_CHECK_IMAGE=${CHECK_IMAGE}`,
        `PG_CONTAINER=${WRAPPED_CONTAINER}`,
        `PG_SERVICE_URL=http://${WRAPPED_CONTAINER}:8080`,
        `PG_PADDING=${spec.PADDING}`,
        `PG_ZOOM=${spec.ZOOM_LEVEL}`,
        `PG_HEALTH_TIMEOUT=${healthTimeout}`,
      ],
      timeout: { seconds: healthTimeout + CHECKS_SECONDS },
    },
    { id: 'push', name: DOCKER_BUILDER, args: ['push', image] },
  ];

  return escapeSubstitutions({
    steps,
    // Also pushed by Cloud Build after the steps (a no-op then): this is what puts the
    // image and its digest into `results.images`, which the deploy uses.
    images: [image],
    tags: buildTags(plan.submissionId, plan.revision, plan.attempt),
    timeout: { seconds: timeout },
    queueTtl: { seconds: QUEUE_TTL_SECONDS },
    // A user-specified account needs logs in Cloud Logging or a bucket of one's own, never
    // the default logs bucket (https://cloud.google.com/build/docs/securing-builds/configure-user-specified-service-accounts):
    // CLOUD_LOGGING_ONLY below is that.
    ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
    ...(options.pullSecret
      ? {
          availableSecrets: {
            secretManager: [{ versionName: options.pullSecret, env: PULL_CREDENTIALS_ENV }],
          },
        }
      : {}),
    options: {
      // Logs in Cloud Logging only: no logs bucket to own, and required anyway when
      // the build runs as a user-specified service account.
      logging: 'CLOUD_LOGGING_ONLY',
      machineType,
    },
  });
}

/**
 * Tags: `playground-deploy`, the submission id, `<id>-r<revision>` and, with an attempt,
 * `<id>-r<revision>-a<attempt>` (Cloud Build's tag rules).
 */
export function buildTags(submissionId: string, revision: number, attempt?: number): string[] {
  const id = submissionId
    .toLowerCase()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  if (id === '')
    throw new BuildRequestError(`submission id ${JSON.stringify(submissionId)} makes no tag`);
  const tags = ['playground-deploy', id, `${id}-r${revision}`];
  if (attempt !== undefined) tags.push(`${id}-r${revision}-a${attempt}`);
  return tags;
}

/** A normalised Docker reference (the spec's), or a tagged one to push (`image`). */
function checkImage(reference: string, what: 'image' | 'spec.image'): void {
  const parsed = parseDockerRef(reference);
  const problem =
    typeof parsed === 'string'
      ? parsed
      : parsed.reference !== reference
        ? `is not normalised (${parsed.reference})`
        : what === 'image' && (!parsed.tag || parsed.digest)
          ? 'needs a tag and no digest to be pushed'
          : undefined;
  if (problem) throw new BuildRequestError(`${what} ${JSON.stringify(reference)}: ${problem}`);
}

// ------------------------------------------------------------------- substitutions

/** `$` -> `$$` in a string: Cloud Build's escape for a literal dollar sign. */
export function escapeDollars(text: string): string {
  return text.replaceAll('$', '$$$$');
}

/** Escapes every string of the fields Cloud Build expands substitutions in. */
function escapeSubstitutions(build: IBuild): IBuild {
  const strings = (values: string[] | null | undefined) => values?.map(escapeDollars);
  const text = (value: string | null | undefined) => (value == null ? value : escapeDollars(value));
  return {
    ...build,
    steps: build.steps?.map((step) => ({
      ...step,
      name: text(step.name),
      id: text(step.id),
      entrypoint: text(step.entrypoint),
      dir: text(step.dir),
      args: strings(step.args),
      env: strings(step.env),
    })),
    images: strings(build.images),
  };
}

/**
 * Where a request still holds a `$` that Cloud Build would read as a substitution: one
 * not doubled as `$$`. Returns `steps[3].args[1]`-style paths; empty when all is escaped.
 */
export function unescapedDollars(build: IBuild): string[] {
  const found: string[] = [];
  const check = (path: string, value: string | null | undefined) => {
    if (value != null && hasUnescapedDollar(value)) found.push(path);
  };
  build.steps?.forEach((step, i) => {
    for (const field of ['name', 'id', 'entrypoint', 'dir', 'script'] as const) {
      check(`steps[${i}].${field}`, step[field]);
    }
    for (const field of ['args', 'env', 'waitFor', 'secretEnv'] as const) {
      step[field]?.forEach((value, j) => {
        check(`steps[${i}].${field}[${j}]`, value);
      });
    }
  });
  build.images?.forEach((value, i) => {
    check(`images[${i}]`, value);
  });
  build.tags?.forEach((value, i) => {
    check(`tags[${i}]`, value);
  });
  return found;
}

/** True when some `$` is not part of a `$$` pair (scanning left to right). */
export function hasUnescapedDollar(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== '$') continue;
    if (text[i + 1] !== '$') return true;
    i += 1;
  }
  return false;
}

// ------------------------------------------------------------------- the inline bundle

/** Fixed mtime (2024-01-01) so the same bundle always makes the same archive. */
const TAR_MTIME = 1_704_067_200;

/** The bundle as a base64 gzipped ustar archive, entries sorted, owned by root. */
export function bundleArchive(bundle: Bundle): string {
  return gzipSync(tar(bundle), { level: 9 }).toString('base64');
}

/** A POSIX ustar archive of `path -> UTF-8 text` files, with their parent directories. */
export function tar(files: Record<string, string>): Buffer {
  const paths = Object.keys(files).sort();
  const directories = new Set<string>();
  for (const path of paths) {
    checkBundlePath(path);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) directories.add(`${parts.slice(0, i).join('/')}/`);
  }
  const blocks: Buffer[] = [];
  for (const directory of [...directories].sort()) {
    blocks.push(tarHeader(directory, 0, '5', 0o755));
  }
  for (const path of paths) {
    const content = Buffer.from(files[path] ?? '', 'utf8');
    blocks.push(tarHeader(path, content.length, '0', 0o644), content);
    const padding = (512 - (content.length % 512)) % 512;
    if (padding) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(1024)); // end of archive: two zero blocks
  return Buffer.concat(blocks);
}

function checkBundlePath(path: string): void {
  const ok =
    /^[\w.-]+(?:\/[\w.-]+)*$/.test(path) &&
    !path.split('/').some((part) => part === '.' || part === '..') &&
    Buffer.byteLength(path) <= 99;
  if (!ok)
    throw new BuildRequestError(`bundle path ${JSON.stringify(path)} is not a plain relative path`);
}

function tarHeader(name: string, size: number, type: '0' | '5', mode: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  writeOctal(header, 100, 8, mode);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, TAR_MTIME);
  header.fill(' ', 148, 156); // checksum counts as spaces while summing
  header.write(type, 156, 1, 'latin1');
  header.write('ustar\u000000', 257, 8, 'latin1');
  header.write('root', 265, 32, 'latin1');
  header.write('root', 297, 32, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return header;
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}
