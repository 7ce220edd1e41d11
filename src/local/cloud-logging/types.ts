// Shapes of the Cloud Logging API v2 stand-in
// (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list).

/** LogSeverity names and their numbers (`$alt=json;enum-encoding=int`). */
export const SEVERITIES = {
  DEFAULT: 0,
  DEBUG: 100,
  INFO: 200,
  NOTICE: 300,
  WARNING: 400,
  ERROR: 500,
  CRITICAL: 600,
  ALERT: 700,
  EMERGENCY: 800,
} as const;
export type Severity = keyof typeof SEVERITIES;

/** A LogEntry in proto3 JSON, as entries.list answers it (severity as a name). */
export interface LogEntry {
  /** `projects/PROJECT_ID/logs/LOG_ID`. */
  logName: string;
  /** The monitored resource, e.g. `{ type: 'build', labels: { build_id, project_id } }`. */
  resource: { type: string; labels?: Record<string, string> };
  labels?: Record<string, string>;
  textPayload?: string;
  /** RFC 3339, when the line was written. */
  timestamp: string;
  receiveTimestamp?: string;
  /** Unique in the log for entries of the same timestamp. */
  insertId: string;
  severity?: Severity;
}

/**
 * Where the stand-in's entries come from: all of them, in the order they were written
 * (the tie-break between equal timestamps). `buildId` is a hint, given when the filter asks
 * for one build's entries (`resource.labels.build_id="..."`): a source may give only
 * those. The stand-in applies the whole filter to what it gets either way.
 */
export type LogSource = (hint: { buildId?: string }) => Iterable<LogEntry>;

export {
  invalid,
  notFound,
  type RecordedRequest,
} from '../google-api.ts';
