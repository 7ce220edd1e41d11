// An App Engine flexible version's own lines as Cloud Logging holds them: the container's
// stdout and stderr, one entry per line, on the `gae_app` monitored resource with the
// version's `module_id` (service) and `version_id` labels
// (https://cloud.google.com/monitoring/api/resources#tag_gae_app), in the version's project.
// Tests (and the local workspace) write them to the Cloud Logging stand-in with `write`.
import type { LogEntry } from './types.ts';

export interface VersionLine {
  project: string;
  service: string;
  versionId: string;
  text: string;
  /** When it was written. */
  time: Date;
  /** Which stream of the container; default stdout. */
  log?: 'stdout' | 'stderr';
}

let written = 0;

export function versionLogEntry(line: VersionLine): LogEntry {
  const time = line.time.toISOString();
  written += 1;
  return {
    logName: `projects/${line.project}/logs/${line.log ?? 'stdout'}`,
    resource: {
      type: 'gae_app',
      labels: {
        project_id: line.project,
        module_id: line.service,
        version_id: line.versionId,
        zone: 'europe-west1-b',
      },
    },
    textPayload: line.text,
    timestamp: time,
    receiveTimestamp: time,
    insertId: `gae-${written}`,
    severity: line.log === 'stderr' ? 'ERROR' : 'INFO',
  };
}
