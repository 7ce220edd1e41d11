// The adapter behind BuildLogPort (src/ports/build-logs.ts): the last lines a failed build
// step printed, for the failure reply and Show log; and behind VersionLogPort
// (src/ports/app-logs.ts): the last lines an App Engine version wrote, for Show log after a
// failed deploy or promote. Both are one entries.list page of Cloud Logging.
// Cloud Build's own API serves no logs; with `logging: CLOUD_LOGGING_ONLY` they are in
// Cloud Logging (log `cloudbuild`, resource type `build`).
//
// The adapter reads them with Google's generated Logging client, @google-cloud/logging-api
// (v2.LoggingServiceV2Client, entries.list: all a tail needs, without the log-writing
// machinery of @google-cloud/logging around it). Against a stand-in (LOGGING_API_URL) it speaks
// REST over plain HTTP; without one, gRPC to Google with Application Default Credentials.
// Cloud Build writes one entry per line: `textPayload` is the line after the step's name
// (`Step #3 - "test": FAIL health`), and the entry's `build_step` label is that name
// (`Step #3 - "test"`; `MAIN` for the build's own lines such as `starting build`).
import { type protos, v2 } from '@google-cloud/logging-api';
import { projectIdProblem } from '../domain/project-id.ts';
import { withDeadline } from '../lib/deadline.ts';
import type { VersionLogPort, VersionLogQuery } from '../ports/app-logs.ts';
import type { BuildLogPort, BuildLogQuery } from '../ports/build-logs.ts';
import { ServiceError } from '../ports/service-error.ts';
import { googleClientOptions } from './client-options.ts';
import { readGoogleError } from './google-error.ts';

export type BuildLogErrorCode = 'invalid_query' | 'unavailable' | 'logging_api_error';

/**
 * Reading a build's log failed. `invalid_query`: the query was refused before any call (a
 * build id that is not a Cloud Build id, a step id our builds never use, a line count out
 * of range); `unavailable`: Cloud Logging could not answer now (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, no connection, no answer in time);
 * `logging_api_error`: it refused (permission denied, a bad request...), the message says
 * why. The tail is optional: callers treat any of these as "no lines" and carry on.
 */
export class BuildLogError extends ServiceError<BuildLogErrorCode> {}

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
/** Step ids of our build requests (src/gcp/build-request.ts). */
const STEP_ID = /^[a-z0-9-]{1,63}$/;
/** App Engine service and version ids (the App Engine Admin API's rule). */
const APP_ENGINE_ID = /^(?!-)[a-z\d-]{0,62}[a-z\d]$/;

type ClientOptions = ConstructorParameters<typeof v2.LoggingServiceV2Client>[0];
type ListRequest = protos.google.logging.v2.IListLogEntriesRequest;
type Entry = protos.google.logging.v2.ILogEntry;

/** Cloud Logging behind BuildLogPort and VersionLogPort. Call close() when done. */
export class CloudLoggingBuildLogs implements BuildLogPort, VersionLogPort {
  readonly #client: v2.LoggingServiceV2Client;
  readonly #projectId: string;
  readonly #timeoutMs: number;

  constructor(options: CloudLoggingBuildLogsOptions) {
    const problem = projectIdProblem(options.projectId);
    if (problem) throw new BuildLogError('invalid_query', problem);
    // google-gax carries its own google-auth-library, whose AuthClient type differs from the
    // project's copy in private fields only; the PassThroughClient works with either.
    this.#client = new v2.LoggingServiceV2Client(
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
    const entries = await this.#list(this.#request(query));
    const stepLabel = query.stepId === undefined ? undefined : `"${query.stepId}"`;
    return entries
      .map((entry) => lineOf(entry, stepLabel))
      .filter((line): line is string => line !== undefined)
      .reverse();
  }

  /**
   * The last `lines` lines an App Engine version wrote, oldest first: the entries of the
   * `gae_app` monitored resource with the version's `module_id` (the service) and
   * `version_id` labels (https://cloud.google.com/monitoring/api/resources#tag_gae_app),
   * in the target project. Flexible versions write their container's stdout and stderr
   * there (the `stdout`, `stderr` and `crash.log` logs `gcloud app logs tail` reads,
   * https://cloud.google.com/sdk/gcloud/reference/app/logs/tail), one text line each;
   * entries without a textPayload (request logs) have no line. Throws BuildLogError.
   */
  async versionTail(query: VersionLogQuery): Promise<string[]> {
    const { project, service, versionId, lines, since } = query;
    const problem = projectIdProblem(project);
    if (problem) throw new BuildLogError('invalid_query', problem);
    for (const [name, id] of [
      ['service', service],
      ['version', versionId],
    ] as const) {
      if (!APP_ENGINE_ID.test(id)) {
        throw new BuildLogError(
          'invalid_query',
          `not an App Engine ${name} id: ${JSON.stringify(id)}`,
        );
      }
    }
    const terms = [
      `resource.type=${quote('gae_app')}`,
      `resource.labels.module_id=${quote(service)}`,
      `resource.labels.version_id=${quote(versionId)}`,
    ];
    const entries = await this.#list(listRequest(project, terms, { lines, since }));
    return entries
      .map((entry) => entry.textPayload)
      .filter((line): line is string => typeof line === 'string')
      .reverse();
  }

  /** One page of entries.list, newest first, within the adapter's timeout. */
  async #list(request: ListRequest): Promise<Entry[]> {
    let entries: Entry[];
    try {
      const ms = this.#timeoutMs;
      [entries] = await withDeadline(
        this.#client.listLogEntries(request, {
          autoPaginate: false,
          timeout: ms,
          // One try: the tail is optional, and the failure reply should not wait for it.
          retry: null,
        }),
        ms,
        () => new BuildLogError('unavailable', `listLogEntries: no answer within ${ms} ms`, 4),
      );
    } catch (error) {
      throw toBuildLogError(error);
    }
    return entries;
  }

  /** The entries.list request of a tail, after checking every value that goes into it. */
  #request(query: BuildLogQuery): ListRequest {
    const { buildId, stepId, lines, since } = query;
    if (!BUILD_ID.test(buildId)) {
      throw new BuildLogError('invalid_query', `not a Cloud Build id: ${JSON.stringify(buildId)}`);
    }
    if (stepId !== undefined && !STEP_ID.test(stepId)) {
      throw new BuildLogError(
        'invalid_query',
        `not a step id of our builds (lowercase letters, digits, hyphens): ${JSON.stringify(stepId)}`,
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
    return listRequest(project, terms, { lines, since });
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}

/**
 * The entries.list request for the last `lines` entries of `project` matching every term,
 * newest first, after checking the line count and the time bound.
 */
function listRequest(
  project: string,
  terms: readonly string[],
  { lines, since }: { lines: number; since: Date | undefined },
): ListRequest {
  if (!Number.isInteger(lines) || lines < 1 || lines > MAX_TAIL_LINES) {
    throw new BuildLogError(
      'invalid_query',
      `lines must be a whole number from 1 to ${MAX_TAIL_LINES}, got ${lines}`,
    );
  }
  if (since !== undefined && !Number.isFinite(since.getTime())) {
    throw new BuildLogError('invalid_query', 'since is not a valid date');
  }
  // A time bound keeps Logging from searching the whole retention period; the query
  // language compares `timestamp` with an RFC 3339 string ("Search by time" in
  // https://cloud.google.com/logging/docs/view/logging-query-language).
  const bounded =
    since === undefined ? terms : [...terms, `timestamp>=${quote(since.toISOString())}`];
  return {
    resourceNames: [`projects/${project}`],
    filter: bounded.join(' AND '),
    orderBy: 'timestamp desc',
    pageSize: lines,
  };
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

/** Maps what the client throws to a BuildLogError (see readGoogleError). */
export function toBuildLogError(error: unknown): BuildLogError {
  if (error instanceof BuildLogError) return error;
  const { grpcCode, message, retryable } = readGoogleError(error);
  const text = `listLogEntries: ${message}`;
  return new BuildLogError(retryable ? 'unavailable' : 'logging_api_error', text, grpcCode);
}
