// The build-log port: the last lines a failed build step printed, for the failure reply.
// Cloud Build's own API serves no logs; with `logging: CLOUD_LOGGING_ONLY` they are in
// Cloud Logging (log `cloudbuild`, resource type `build`).
//
// The adapter reads them with @google-cloud/logging's generated client
// (v2.LoggingServiceV2Client, entries.list). Against a stand-in (LOGGING_API_URL) it speaks
// REST over plain HTTP; without one, gRPC to Google with Application Default Credentials.
// Cloud Build writes one entry per line: `textPayload` is the line after the step's name
// (`Step #3 - "test": FAIL health`), and the entry's `build_step` label is that name
// (`Step #3 - "test"`; `MAIN` for the build's own lines such as `starting build`).
import { v2 } from '@google-cloud/logging';
import type * as LoggingApi from '@google-cloud/logging-api';
import { googleClientOptions } from '../gcp/client-options.ts';
import { projectIdProblem } from '../gcp/project-id.ts';

export interface BuildLogQuery {
  buildId: string;
  /** The build step's id (e.g. `test`); absent: every step. */
  stepId?: string;
  /** How many lines at most, the last ones. */
  lines: number;
}

export interface BuildLogPort {
  /** The last `lines` lines the step printed, oldest first; [] when there are none. */
  tail(query: BuildLogQuery): Promise<string[]>;
}

export type BuildLogErrorCode = 'invalid_query' | 'unavailable' | 'logging_api_error';

/**
 * Reading a build's log failed. `invalid_query`: the query was refused before any call (a
 * build id that is not a Cloud Build id, a step id our builds never use, a line count out
 * of range); `unavailable`: Cloud Logging could not answer now (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, no connection, no answer in time);
 * `logging_api_error`: it refused (permission denied, a bad request...), the message says
 * why. The tail is optional: callers treat any of these as "no lines" and carry on.
 */
export class BuildLogError extends Error {
  readonly code: BuildLogErrorCode;
  /** The gRPC status code when known (14 UNAVAILABLE, 7 PERMISSION_DENIED, 3 INVALID_ARGUMENT...). */
  readonly grpcCode: number | undefined;
  readonly retryable: boolean;
  constructor(code: BuildLogErrorCode, message: string, grpcCode?: number) {
    super(message);
    this.name = 'BuildLogError';
    this.code = code;
    this.grpcCode = grpcCode;
    this.retryable = code === 'unavailable';
  }
}

export interface CloudLoggingBuildLogsOptions {
  /** GOOGLE_CLOUD_PROJECT: where the builds run, and so where their logs are. */
  projectId: string;
  /** LOGGING_API_URL: a stand-in's address; absent for the real API. */
  apiUrl?: string;
  /** Longest wait for the answer. Default 10 s: a failure reply should not wait long. */
  timeoutMs?: number;
}

/** Most lines one tail reads: entries.list's largest page. */
export const MAX_TAIL_LINES = 1000;

/** Cloud Build ids are UUIDs. */
const BUILD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Step ids of our build requests (src/pipeline/build-request.ts). */
const STEP_ID = /^[a-z0-9-]{1,63}$/;

type Client = LoggingApi.v2.LoggingServiceV2Client;
type ClientOptions = ConstructorParameters<typeof LoggingApi.v2.LoggingServiceV2Client>[0];
type ListRequest = LoggingApi.protos.google.logging.v2.IListLogEntriesRequest;
type Entry = LoggingApi.protos.google.logging.v2.ILogEntry;

/** Cloud Logging behind BuildLogPort. Call close() when done. */
export class CloudLoggingBuildLogs implements BuildLogPort {
  readonly #client: Client;
  readonly #projectId: string;
  readonly #timeoutMs: number;

  constructor(options: CloudLoggingBuildLogsOptions) {
    const problem = projectIdProblem(options.projectId);
    if (problem) throw new BuildLogError('invalid_query', problem);
    // @google-cloud/logging types `v2` loosely; it is @google-cloud/logging-api's module.
    const api = v2 as typeof LoggingApi.v2;
    // google-gax carries its own google-auth-library, whose AuthClient type differs from the
    // project's copy in private fields only; the PassThroughClient works with either.
    this.#client = new api.LoggingServiceV2Client(
      googleClientOptions(options.apiUrl) as unknown as ClientOptions,
    );
    this.#projectId = options.projectId;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * The last `lines` lines of the build's log, oldest first: of the step `stepId` (each
   * without the step's name in front), or of the whole build (each as Cloud Build wrote
   * it, step name included). One page of entries.list, newest first, then turned around.
   * Throws BuildLogError; callers treat that as no lines.
   */
  async tail(query: BuildLogQuery): Promise<string[]> {
    const request = this.#request(query);
    let entries: Entry[];
    try {
      [entries] = await withTimeout(
        this.#client.listLogEntries(request, {
          autoPaginate: false,
          timeout: this.#timeoutMs,
          // One try: the tail is optional, and the failure reply should not wait for it.
          retry: null,
        }),
        this.#timeoutMs,
      );
    } catch (error) {
      throw toBuildLogError(error);
    }
    const stepLabel = query.stepId === undefined ? undefined : `"${query.stepId}"`;
    return entries
      .map((entry) => lineOf(entry, stepLabel))
      .filter((line): line is string => line !== undefined)
      .reverse();
  }

  /** The entries.list request of a tail, after checking every value that goes into it. */
  #request(query: BuildLogQuery): ListRequest {
    const { buildId, stepId, lines } = query;
    if (!BUILD_ID.test(buildId)) {
      throw new BuildLogError('invalid_query', `not a Cloud Build id: ${JSON.stringify(buildId)}`);
    }
    if (stepId !== undefined && !STEP_ID.test(stepId)) {
      throw new BuildLogError(
        'invalid_query',
        `not a step id of our builds (lowercase letters, digits, hyphens): ${JSON.stringify(stepId)}`,
      );
    }
    if (!Number.isInteger(lines) || lines < 1 || lines > MAX_TAIL_LINES) {
      throw new BuildLogError(
        'invalid_query',
        `lines must be a whole number from 1 to ${MAX_TAIL_LINES}, got ${lines}`,
      );
    }
    const project = this.#projectId;
    const terms = [
      `logName=${quote(`projects/${project}/logs/cloudbuild`)}`,
      `resource.type=${quote('build')}`,
      `resource.labels.build_id=${quote(buildId)}`,
    ];
    // `Step #N - "ID"` whatever the step's index N: the query needs only the id.
    if (stepId !== undefined)
      terms.push(`labels.build_step=~${quote(`^Step #[0-9]+ - "${stepId}"$`)}`);
    return {
      resourceNames: [`projects/${project}`],
      filter: terms.join(' AND '),
      orderBy: 'timestamp desc',
      pageSize: lines,
    };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/** A Logging query language string: double quotes, with `\` and `"` escaped. */
function quote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * An entry's line: its textPayload, without the `Step #N - "id": ` Cloud Build puts in
 * front when a step was asked for. Entries without a textPayload (none of Cloud Build's)
 * have no line.
 */
function lineOf(entry: Entry, stepLabel: string | undefined): string | undefined {
  const text = entry.textPayload;
  if (typeof text !== 'string') return undefined;
  const label = entry.labels?.build_step;
  if (stepLabel !== undefined && typeof label === 'string' && label.endsWith(stepLabel)) {
    const prefix = `${label}: `;
    if (text.startsWith(prefix)) return text.slice(prefix.length);
  }
  return text;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new BuildLogError('unavailable', `listLogEntries: no answer within ${ms} ms`, 4)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// gRPC status codes (google.rpc.Code) by name, and the HTTP statuses they come back as.
const STATUS_NAMES: Record<string, number> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};
const HTTP_TO_GRPC: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};
const RETRYABLE = new Set([4, 8, 14]);

/**
 * Maps what the client throws to a BuildLogError. With gRPC that is a GoogleError whose
 * `code` is the gRPC status; over REST the Google JSON error's status name, the HTTP status,
 * or a network error code (ECONNREFUSED...) when nothing answered.
 */
export function toBuildLogError(error: unknown): BuildLogError {
  if (error instanceof BuildLogError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    status?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const raw = typeof e.message === 'string' ? e.message : String(error);
  const body = googleErrorBody(raw);
  let grpcCode: number | undefined;
  if (body?.status !== undefined && STATUS_NAMES[body.status] !== undefined) {
    grpcCode = STATUS_NAMES[body.status];
  } else if (typeof e.code === 'number') {
    grpcCode = e.code < 100 ? e.code : HTTP_TO_GRPC[e.code];
  } else if (typeof e.status === 'number') {
    grpcCode = HTTP_TO_GRPC[e.status];
  }
  const network = typeof e.code === 'string' && /^E[A-Z]+$|^UND_ERR/.test(e.code);
  const details = typeof e.details === 'string' && e.details !== '' ? e.details : undefined;
  const message = `listLogEntries: ${body?.message ?? details ?? raw}`;
  if (network || (grpcCode !== undefined && RETRYABLE.has(grpcCode))) {
    return new BuildLogError('unavailable', message, grpcCode ?? 14);
  }
  return new BuildLogError('logging_api_error', message, grpcCode);
}

function googleErrorBody(text: string): { message?: string; status?: string } | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(text.slice(start)) as {
      error?: { message?: unknown; status?: unknown };
    };
    const inner = parsed.error;
    if (!inner) return undefined;
    return {
      ...(typeof inner.message === 'string' ? { message: inner.message } : {}),
      ...(typeof inner.status === 'string' ? { status: inner.status } : {}),
    };
  } catch {
    return undefined;
  }
}
