// What Show log asks of an App Engine version's own logs (adapter: src/gcp/build-logs.ts):
// the last lines the version's instances wrote, for a failed deploy or promote step.

export interface VersionLogQuery {
  /** The target project the version was deployed in (its logs are there). */
  project: string;
  service: string;
  versionId: string;
  /** How many lines at most, the last ones. */
  lines: number;
  /** When the version was asked for: no line is older. */
  since?: Date;
}

export interface VersionLogPort {
  /** The last `lines` lines the version wrote, oldest first; [] when there are none. */
  versionTail(query: VersionLogQuery): Promise<string[]>;
}
