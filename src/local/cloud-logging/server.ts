// A stand-in for the Cloud Logging API v2 on loopback, for the official client
// (@google-cloud/logging-api's v2.LoggingServiceV2Client through google-gax's REST transport,
// LOGGING_API_URL). One method, the one the build-log adapter calls:
//
//   POST /v2/entries:list   { resourceNames, filter, orderBy, pageSize, pageToken }
//                           -> { entries: [LogEntry...], nextPageToken }
//
// Entries come from a source given at start (see from-cloud-build.ts for the Cloud Build
// stand-in's build logs). The filter may be what the adapter sends, comparisons with `=`
// or `=~` joined by AND (filter.ts); anything else, like any malformed request, answers
// 400 INVALID_ARGUMENT in Google's error shape `{ error: { code, message, status } }`.
// Order is by timestamp (`timestamp asc`, the default, or `timestamp desc`), entries of
// one moment in the order they were written. Enums (severity) are numbers when the client
// asks for `$alt=json;enum-encoding=int`.
import { createHash } from 'node:crypto';
import {
  type FaultControls,
  Faults,
  faultControls,
  matches,
  serveGoogleApi,
} from '../google-api.ts';
import { FilterError, matchesFilter, parseFilter } from './filter.ts';
import {
  invalid,
  type LogEntry,
  type LogSource,
  notFound,
  type RecordedRequest,
  SEVERITIES,
} from './types.ts';

export type { LogEntry, LogSource, RecordedRequest } from './types.ts';

export interface CloudLoggingApiOptions {
  /** Where the entries come from, asked at each request. */
  source: LogSource;
  /** 0 or absent: a free port. */
  port?: number;
  /** Milliseconds since the epoch, for the request record. Default Date.now. */
  clock?: () => number;
}

export interface CloudLoggingStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`: the value for LOGGING_API_URL. */
  url: string;
  /** Every request, in order (live array), refused ones too. */
  requests: RecordedRequest[];
  /** Requests with this method whose path starts with (or matches) `path`. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  /**
   * From now on each entry is served only `ms` after its timestamp (by the clock), as
   * Cloud Logging shows lines a little after they were written. reset() sets it back to 0.
   */
  lag(ms: number): void;
  /**
   * Entries written besides the source's, as another writer (an App Engine version's
   * stdout, say) puts them in Cloud Logging; served with the source's from now on.
   */
  write(entries: readonly LogEntry[]): void;
  /** Forgets pending faults, requests, written entries and the lag. */
  reset(): void;
  close(): Promise<void>;
}

/** entries.list's page size when none is asked, and the most it allows. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const LIST_PATH = '/v2/entries:list';
const REQUEST_FIELDS = new Set(['resourceNames', 'filter', 'orderBy', 'pageSize', 'pageToken']);

interface ListRequest {
  projects: string[];
  filter: string;
  descending: boolean;
  pageSize: number;
  offset: number;
  /** Identifies the query a page token belongs to. */
  key: string;
}

function readListRequest(body: unknown): ListRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('Invalid JSON payload received. Expected an object.');
  }
  const request = body as Record<string, unknown>;
  for (const name of Object.keys(request)) {
    if (!REQUEST_FIELDS.has(name)) {
      throw invalid(`Invalid JSON payload received. Unknown name "${name}": Cannot find field.`);
    }
  }
  const names = request.resourceNames;
  if (!Array.isArray(names) || names.length === 0) {
    throw invalid('resourceNames: at least one resource name is required.');
  }
  const projects = names.map((name) => {
    const project = typeof name === 'string' ? /^projects\/([^/]+)$/.exec(name)?.[1] : undefined;
    if (project === undefined) {
      throw invalid(
        `resourceNames: ${JSON.stringify(name)} is not supported (the stand-in reads projects/PROJECT_ID only).`,
      );
    }
    return project;
  });
  const filter = optionalString(request.filter, 'filter');
  const orderBy = optionalString(request.orderBy, 'orderBy').trim();
  if (!['', 'timestamp asc', 'timestamp desc'].includes(orderBy)) {
    throw invalid(
      `orderBy: ${JSON.stringify(orderBy)} is not "timestamp asc" or "timestamp desc".`,
    );
  }
  const size = request.pageSize ?? 0;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw invalid(
      `pageSize: ${JSON.stringify(size)} is not a whole number from 0 to ${MAX_PAGE_SIZE}.`,
    );
  }
  const key = createHash('sha256')
    .update(JSON.stringify([projects, filter, orderBy]))
    .digest('hex')
    .slice(0, 16);
  const token = optionalString(request.pageToken, 'pageToken');
  let offset = 0;
  if (token !== '') {
    const match = /^(\d+):([0-9a-f]{16})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match || match[2] !== key) {
      throw invalid('pageToken: not a page token of this query.');
    }
    offset = Number(match[1]);
  }
  return {
    projects,
    filter,
    descending: orderBy === 'timestamp desc',
    pageSize: size === 0 ? DEFAULT_PAGE_SIZE : size,
    offset,
    key,
  };
}

function optionalString(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(`${name}: expected a string.`);
  return value;
}

/** The entry as proto3 JSON, severity as a number when asked. */
function render(entry: LogEntry, numericEnums: boolean): Record<string, unknown> {
  if (!numericEnums || entry.severity === undefined) return { ...entry };
  return { ...entry, severity: SEVERITIES[entry.severity] };
}

/** Starts the Cloud Logging API stand-in on loopback. */
export async function startCloudLoggingApi(
  options: CloudLoggingApiOptions,
): Promise<CloudLoggingStandIn> {
  const clock = options.clock ?? Date.now;
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const written: LogEntry[] = [];
  let lagMs = 0;

  const list = (body: unknown, numericEnums: boolean) => {
    const request = readListRequest(body);
    let comparisons: ReturnType<typeof parseFilter>;
    try {
      comparisons = parseFilter(request.filter);
    } catch (error) {
      if (error instanceof FilterError) throw invalid(`Unparseable filter: ${error.message}`);
      throw error;
    }
    const buildId = comparisons.find(
      (c) => c.field === 'resource.labels.build_id' && c.operator === '=',
    )?.value;
    const inProjects = (entry: LogEntry) =>
      request.projects.some((project) => entry.logName.startsWith(`projects/${project}/logs/`));
    const found = [...options.source(buildId === undefined ? {} : { buildId }), ...written]
      .map((entry, order) => ({ entry, order, time: Date.parse(entry.timestamp) }))
      .filter(({ time }) => lagMs === 0 || time + lagMs <= clock())
      .filter(({ entry }) => inProjects(entry) && matchesFilter(entry, comparisons))
      .sort((a, b) => a.time - b.time || a.order - b.order);
    if (request.descending) found.reverse();
    const page = found.slice(request.offset, request.offset + request.pageSize);
    const next = request.offset + page.length;
    const answer: Record<string, unknown> = {};
    if (page.length > 0) answer.entries = page.map(({ entry }) => render(entry, numericEnums));
    if (next < found.length) {
      answer.nextPageToken = Buffer.from(`${next}:${request.key}`).toString('base64url');
    }
    return answer;
  };

  const server = await serveGoogleApi({
    ...(options.port === undefined ? {} : { port: options.port }),
    clock,
    requests,
    faults,
    answer: ({ method, path, url, body }) => {
      if (method !== 'POST' || path !== LIST_PATH) {
        throw notFound(`The requested URL ${path} was not found on this server.`);
      }
      const numericEnums = (url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
      return list(body, numericEnums);
    },
  });

  return {
    url: server.url,
    requests,
    requestsTo: (method, path) =>
      requests.filter((r) => r.method === method && matches({ path }, r.method, r.path)),
    ...faultControls(faults),
    lag(ms) {
      lagMs = ms;
    },
    write(entries) {
      written.push(...entries);
    },
    reset() {
      faults.clear();
      requests.length = 0;
      written.length = 0;
      lagMs = 0;
    },
    close: server.close,
  };
}
