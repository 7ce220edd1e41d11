// The Cloud Build adapter behind BuildPort (src/ports/build.ts), @google-cloud/cloudbuild.
// Against a stand-in (CLOUD_BUILD_API_URL) the client speaks REST over plain HTTP; without
// one it speaks gRPC to Google with Application Default Credentials. Either way the adapter
// only starts, reads and cancels builds: it never waits on the create operation, so the
// pipeline owns the polling (and survives restarts with nothing but the build id).
import { CloudBuildClient, protos } from '@google-cloud/cloudbuild';
import { GRPC, isNetworkError } from '../domain/grpc-status.ts';
import type {
  BuildPlan,
  BuildPort,
  BuildState,
  BuildStatus,
  BuildStepState,
  StartedBuild,
} from '../ports/build.ts';
import { ServiceError } from '../ports/service-error.ts';
import { buildRequest, buildServiceAccountName, buildTags } from './build-request.ts';
import { googleClientOptions } from './client-options.ts';
import { RETRYABLE_CODES } from './google-error.ts';

export { buildRequest } from './build-request.ts';

type IBuild = protos.google.devtools.cloudbuild.v1.IBuild;
type IBuildOperationMetadata = protos.google.devtools.cloudbuild.v1.IBuildOperationMetadata;

export type CloudBuildErrorCode = 'unavailable' | 'build_api_error';

/** A failed Cloud Build call; `build_api_error` with `grpcCode` 5 is an unknown build. */
export class CloudBuildError extends ServiceError<CloudBuildErrorCode> {}

export interface CloudBuildAdapterOptions {
  /** GOOGLE_CLOUD_PROJECT: where builds run. */
  projectId: string;
  /** CLOUD_BUILD_API_URL: a stand-in's address; absent for the real API. */
  apiUrl?: string;
  /** A Cloud Build region (`europe-west1`) for regional builds; absent: global builds. */
  location?: string;
  /**
   * Longest time one call may take, the client's own retries included (it repeats
   * getBuild on UNAVAILABLE within this budget; create and cancel are not repeated).
   * Default 20 s; google-gax's default would be 10 minutes.
   */
  timeoutMs?: number;
  /** PLAYGROUND_BUILD_SERVICE_ACCOUNT: the email builds run as; absent: Cloud Build's default account. */
  serviceAccount?: string;
  /** PLAYGROUND_PULL_SECRET: the Secret Manager version of Docker Hub's `user:token`; absent: anonymous pulls. */
  pullSecret?: string;
}

type ClientOptions = ConstructorParameters<typeof CloudBuildClient>[0];

/** Cloud Build API v1 behind BuildPort. Call close() when done. */
export class CloudBuildAdapter implements BuildPort {
  readonly #client: CloudBuildClient;
  readonly #projectId: string;
  readonly #location: string | undefined;
  readonly #timeoutMs: number;
  readonly #serviceAccount: string | undefined;
  readonly #pullSecret: string | undefined;

  constructor(options: CloudBuildAdapterOptions) {
    // google-gax carries its own google-auth-library, whose AuthClient type differs from the
    // project's copy in private fields only; the PassThroughClient works with either.
    this.#client = new CloudBuildClient(
      googleClientOptions(options.apiUrl) as unknown as ClientOptions,
    );
    this.#projectId = options.projectId;
    this.#location = options.location;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#serviceAccount =
      options.serviceAccount && buildServiceAccountName(options.serviceAccount, options.projectId);
    this.#pullSecret = options.pullSecret;
  }

  async start(plan: BuildPlan): Promise<StartedBuild> {
    const build = buildRequest(plan, {
      ...(this.#serviceAccount ? { serviceAccount: this.#serviceAccount } : {}),
      ...(this.#pullSecret ? { pullSecret: this.#pullSecret } : {}),
    });
    const where = this.#parent();
    // The operation comes back at once (build QUEUED); its promise() is never awaited.
    const [operation] = await this.#call('createBuild', () =>
      this.#client.createBuild({ ...where, build }, this.#callOptions()),
    );
    const metadata = operation.metadata as IBuildOperationMetadata | null | undefined;
    const buildId = buildIdOf({
      name: operation.name,
      metadata,
      rawMetadata: (operation.latestResponse as RawOperation | undefined)?.metadata,
    });
    const logUrl = metadata?.build?.logUrl || undefined;
    const timeoutSeconds = Number(build.timeout?.seconds);
    return { buildId, ...(logUrl ? { logUrl } : {}), timeoutSeconds };
  }

  async get(buildId: string): Promise<BuildState> {
    const [build] = await this.#call('getBuild', () =>
      this.#client.getBuild(this.#buildRef(buildId), this.#callOptions()),
    );
    return buildState(build);
  }

  async cancel(buildId: string): Promise<void> {
    try {
      await this.#call('cancelBuild', () =>
        this.#client.cancelBuild(this.#buildRef(buildId), this.#callOptions()),
      );
    } catch (error) {
      // Cancelling a build that already ended: nothing left to do.
      if (error instanceof CloudBuildError && error.grpcCode === GRPC.FAILED_PRECONDITION) return;
      throw error;
    }
  }

  /**
   * The builds of one submission revision, newest first (found by their tags): after a
   * crash between createBuild and recording its id, the tracker can adopt the build that
   * was started instead of starting another.
   */
  async findAttempt(submissionId: string, revision: number, attempt: number) {
    const tag = buildTags(submissionId, revision, attempt)[3] as string;
    return (await this.#findByTag(tag))[0];
  }

  async findByRevision(submissionId: string, revision: number): Promise<BuildState[]> {
    return this.#findByTag(buildTags(submissionId, revision)[2] as string);
  }

  /** Builds carrying `tag`, newest first. */
  async #findByTag(tag: string): Promise<BuildState[]> {
    const where = this.#parent();
    const [builds] = await this.#call('listBuilds', () =>
      this.#client.listBuilds(
        { ...where, filter: `tags="${tag}"`, pageSize: 50 },
        { ...this.#callOptions(), autoPaginate: false },
      ),
    );
    return builds.map(buildState);
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  #parent() {
    return this.#location
      ? { parent: `projects/${this.#projectId}/locations/${this.#location}` }
      : { projectId: this.#projectId };
  }

  #buildRef(id: string) {
    // Ids come from Cloud Build (UUIDs); anything else would change the request path.
    if (!/^[\w-]{1,128}$/.test(id)) {
      throw new CloudBuildError('build_api_error', `not a Cloud Build id: ${JSON.stringify(id)}`);
    }
    return this.#location
      ? { name: `projects/${this.#projectId}/locations/${this.#location}/builds/${id}` }
      : { projectId: this.#projectId, id };
  }

  // A `timeout` alone makes google-gax bound the whole call, retries included, by it
  // (over REST too: its fetch is aborted at the deadline).
  #callOptions(): { timeout: number } {
    return { timeout: this.#timeoutMs };
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toCloudBuildError(error, what);
    }
  }
}

// ------------------------------------------------------------------- decoding

const STATUS_NAMES: Record<string, BuildStatus> = {
  STATUS_UNKNOWN: 'pending',
  PENDING: 'pending',
  QUEUED: 'queued',
  WORKING: 'working',
  SUCCESS: 'success',
  FAILURE: 'failure',
  INTERNAL_ERROR: 'internal_error',
  TIMEOUT: 'timeout',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
};
/** Build.Status numbers, from the client's protos (QUEUED 1 ... EXPIRED 9, PENDING 10). */
const STATUS_BY_NUMBER = new Map<number, string>(
  Object.entries(protos.google.devtools.cloudbuild.v1.Build.Status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, number]) => [number, name]),
);
const DONE = new Set<BuildStatus>([
  'success',
  'failure',
  'internal_error',
  'timeout',
  'cancelled',
  'expired',
]);
const BAD_STEP = new Set<BuildStatus>(['failure', 'internal_error', 'timeout', 'cancelled']);

/**
 * Cloud Build's Build.Status in any of the forms it arrives in: a name from getBuild
 * (`'SUCCESS'`), a number inside operation metadata or raw JSON (`3`), absent
 * (STATUS_UNKNOWN, `pending`), or already one of ours. Anything else throws.
 */
export function normaliseStatus(value: unknown): BuildStatus {
  if (value === null || value === undefined) return 'pending';
  if (typeof value === 'string') {
    // Names (`'SUCCESS'`), and our own values (`'internal_error'`) read back from storage.
    const key = value.toUpperCase();
    if (Object.hasOwn(STATUS_NAMES, key)) return STATUS_NAMES[key] as BuildStatus;
  }
  if (typeof value === 'number') {
    const name = STATUS_BY_NUMBER.get(value);
    if (name !== undefined && Object.hasOwn(STATUS_NAMES, name))
      return STATUS_NAMES[name] as BuildStatus;
  }
  throw new CloudBuildError(
    'build_api_error',
    `unknown Cloud Build status ${JSON.stringify(value)}`,
  );
}

type Timestamp = { seconds?: unknown; nanos?: unknown } | string | Date | null | undefined;

/** A protobuf Timestamp (`{seconds: '1704067200', nanos}`, Long or number seconds) or RFC 3339 text. */
export function toDate(value: Timestamp): Date | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  const seconds = Number(
    typeof value.seconds === 'object' && value.seconds !== null
      ? String(value.seconds)
      : value.seconds,
  );
  if (!Number.isFinite(seconds)) return undefined;
  const nanos = Number(value.nanos ?? 0);
  return new Date(seconds * 1000 + Math.floor((Number.isFinite(nanos) ? nanos : 0) / 1e6));
}

/**
 * The tracker's view of a Build. Step states come from the step's own status when it is
 * running or final, and otherwise from its timing: the API reference warns that step
 * status "is only updated on build completion", while timing is live.
 */
export function buildState(build: IBuild): BuildState {
  const status = normaliseStatus(build.status);
  const done = DONE.has(status);
  /** Steps whose state was read from their timing, not from a status of their own. */
  const derived = new Set<BuildStepState>();
  const steps = (build.steps ?? []).map((step, i): BuildStepState => {
    const startedAt = toDate(step.timing?.startTime as Timestamp);
    const endedAt = toDate(step.timing?.endTime as Timestamp);
    const own = normaliseStatus(step.status);
    let stepStatus: BuildStatus;
    if (own === 'working' || DONE.has(own)) stepStatus = own;
    else if (!startedAt) stepStatus = 'pending';
    else if (!done) stepStatus = endedAt ? 'success' : 'working';
    else stepStatus = 'success'; // refined below for the step that ended the build
    const state: BuildStepState = {
      id: step.id || step.name || `step-${i}`,
      status: stepStatus,
      ...(startedAt ? { startedAt } : {}),
      ...(endedAt ? { endedAt } : {}),
    };
    if (stepStatus !== own) derived.add(state);
    return state;
  });

  const state: BuildState = { id: build.id ?? '', status, done, steps };
  if (build.logUrl) state.logUrl = build.logUrl;
  const createdAt = toDate(build.createTime as Timestamp);
  if (createdAt) state.createdAt = createdAt;
  const startedAt = toDate(build.startTime as Timestamp);
  const endedAt = toDate(build.finishTime as Timestamp);
  if (startedAt) state.startedAt = startedAt;
  if (endedAt) state.endedAt = endedAt;

  if (done && status !== 'success') {
    let failed = steps.find((step) => BAD_STEP.has(step.status));
    if (!failed) {
      // No step status (yet): the last step that started is the one the build ended in.
      const last = steps.findLast((step) => step.startedAt);
      if (last && derived.has(last) && (!last.endedAt || status === 'failure')) {
        last.status = status === 'expired' ? 'cancelled' : status;
        failed = last;
      }
    }
    const detail =
      build.failureInfo?.detail || build.statusDetail || `build ${status.replace('_', ' ')}`;
    state.failure = failed ? { step: failed.id, detail } : { detail };
  }
  if (!done && build.statusDetail) state.detail = build.statusDetail;
  if (status === 'success') {
    const images = build.results?.images ?? [];
    const wanted = build.images?.[0];
    const image = images.find((i) => i.digest && i.name === wanted) ?? images.find((i) => i.digest);
    if (image?.digest) state.imageDigest = image.digest;
  }
  const outputs = stepOutputsOf(build, steps);
  if (outputs) state.stepOutputs = outputs;
  return state;
}

/**
 * `results.buildStepOutputs` by step id, as text: entry i belongs to step i. The client
 * gives bytes (a Uint8Array over gRPC and REST alike); base64 text is read too.
 */
function stepOutputsOf(build: IBuild, steps: BuildStepState[]): Record<string, string> | undefined {
  const outputs: Record<string, string> = {};
  (build.results?.buildStepOutputs ?? []).forEach((raw, i) => {
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(raw ?? []);
    const id = steps[i]?.id;
    if (id && bytes.length > 0) outputs[id] = bytes.toString('utf8');
  });
  return Object.keys(outputs).length > 0 ? outputs : undefined;
}

type RawOperation = { metadata?: { type_url?: string | null; value?: Uint8Array | null } | null };

/**
 * The build id of a createBuild operation: from its decoded metadata, else by decoding
 * the raw metadata ourselves, else from the operation name
 * (`operations/build/{project}/{base64 id}`, `projects/p/locations/l/operations/{base64 id}`).
 */
export function buildIdOf(operation: {
  name?: string | null;
  metadata?: IBuildOperationMetadata | null;
  rawMetadata?: RawOperation['metadata'];
}): string {
  const fromMetadata = operation.metadata?.build?.id;
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  const raw = operation.rawMetadata;
  if (raw?.value && raw.type_url?.endsWith('BuildOperationMetadata')) {
    try {
      const id = protos.google.devtools.cloudbuild.v1.BuildOperationMetadata.decode(raw.value).build
        ?.id;
      if (id) return id;
    } catch {
      // fall through to the name
    }
  }
  const encoded = operation.name?.split('/').at(-1) ?? '';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  if (/^[\w-]{1,128}$/.test(decoded)) return decoded;
  throw new CloudBuildError(
    'build_api_error',
    `createBuild answered an operation without a build id: ${JSON.stringify(operation.name)}`,
  );
}

/** Maps what the client throws (a GoogleError with a gRPC code, or a plain error) to a CloudBuildError. */
export function toCloudBuildError(error: unknown, what: string): CloudBuildError {
  if (error instanceof CloudBuildError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') {
    return new CloudBuildError(
      RETRYABLE_CODES.has(code) ? 'unavailable' : 'build_api_error',
      `${what}: ${message}`,
      code,
    );
  }
  // No gRPC code: a failure before any answer (connection refused or reset).
  const network = isNetworkError(code);
  return new CloudBuildError(
    network ? 'unavailable' : 'build_api_error',
    `${what}: ${message}`,
    network ? GRPC.UNAVAILABLE : undefined,
  );
}
