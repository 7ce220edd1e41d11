// What the pipeline asks of the build logs (adapter: src/gcp/build-logs.ts): the last lines
// a failed build step printed, for the failure reply.

export interface BuildLogQuery {
  buildId: string;
  /** The build step's id (e.g. `test`); absent: every step. */
  stepId?: string;
  /** How many lines at most, the last ones. */
  lines: number;
  /** When the build was created: no line is older, so the search need not look further back. */
  since?: Date;
}

export interface BuildLogPort {
  /** The last `lines` lines the step printed, oldest first; [] when there are none. */
  tail(query: BuildLogQuery): Promise<string[]>;
}
