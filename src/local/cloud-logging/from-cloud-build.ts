// The Cloud Build stand-in's build logs as Cloud Build writes them to Cloud Logging with
// `options.logging: CLOUD_LOGGING_ONLY`: log `projects/P/logs/cloudbuild`, resource
// `build` with the build's id, one entry per line, the step in the `build_step` label
// (`Step #3 - "test"`, `Step #3` for a step without id, `MAIN` for the build's own lines)
// and the same name before each step line's text (`Step #3 - "test": FAIL health`).
import type { BuildLogEntry, CloudBuildStandIn } from '../cloud-build/server.ts';
import type { LogEntry, LogSource } from './types.ts';

/** The `build_step` label of a line: `Step #N - "id"`, `Step #N`, or `MAIN`. */
export function buildStepLabel(step: BuildLogEntry['step']): string {
  if (!step) return 'MAIN';
  return step.id === undefined ? `Step #${step.index}` : `Step #${step.index} - "${step.id}"`;
}

/** One line of a build's log as the LogEntry Cloud Logging holds. */
export function buildLogEntry(line: BuildLogEntry): LogEntry {
  const label = buildStepLabel(line.step);
  const time = new Date(line.time).toISOString();
  return {
    logName: `projects/${line.projectId}/logs/cloudbuild`,
    resource: {
      type: 'build',
      labels: { build_id: line.buildId, build_trigger_id: '', project_id: line.projectId },
    },
    labels: { build_step: label },
    textPayload: line.step ? `${label}: ${line.text}` : line.text,
    timestamp: time,
    receiveTimestamp: time,
    insertId: `${line.buildId}-${line.seq}`,
    severity: 'INFO',
  };
}

/** A LogSource serving the Cloud Build stand-in's builds' logs, as they stand at each request. */
export function cloudBuildLogSource(cloudBuild: Pick<CloudBuildStandIn, 'logEntries'>): LogSource {
  return ({ buildId }) => cloudBuild.logEntries(buildId).map(buildLogEntry);
}
