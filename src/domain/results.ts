/**
 * What the pipeline found out about a model besides "it worked": the acceptance test's
 * checks (check_service.py, run by the build's `test` step) and the bot's own live check of
 * the deployed version's URL. Pure data and a parser; shown in the thread by
 * src/slack/views/results.ts.
 */

/** One acceptance check: `health`, `describe`, `openapi`, `process`, `error-…`. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** What it saw: `2 feature(s) on a 304 px tile at zoom 16`, or why it failed. */
  detail?: string;
}

/**
 * The checks in check_service.py's line format, one per line: `PASS name`, `PASS name:
 * detail` (with `--details`) or `FAIL name: why`. Other lines are ignored (a build log
 * holds many); a name seen twice keeps its last line (a log may repeat the summary).
 */
export function parseCheckLines(lines: readonly string[]): CheckResult[] {
  const byName = new Map<string, CheckResult>();
  for (const line of lines) {
    const match = /^(PASS|FAIL) ([\w.-]+)(?:: ?(.*))?$/.exec(line.trim());
    if (!match) continue;
    const [, verdict, name = '', detail] = match;
    byName.delete(name);
    byName.set(name, { name, ok: verdict === 'PASS', ...(detail ? { detail } : {}) });
  }
  return [...byName.values()];
}

/** One request of the live check: `health`, `describe` or `process`. */
export interface LiveProbe {
  name: 'health' | 'describe' | 'process';
  ok: boolean;
  /** The HTTP status, when the version answered at all. */
  status?: number;
  /** How long the request took, answer read. */
  ms: number;
  /** What it found (`name boat-detector`, `3 features`) or why it failed (with a body excerpt). */
  detail: string;
}

/** The bot's own check of a deployed version's URL, before it says "is live". */
export interface LiveCheck {
  url: string;
  ok: boolean;
  probes: LiveProbe[];
  at: Date;
}

/** Why a live check failed, for the failure reply: its first failed probe, in its words. */
export function liveCheckProblem(check: LiveCheck): string {
  const failed = check.probes.find((probe) => !probe.ok);
  const what = failed ? `${failed.name}: ${failed.detail}` : 'no probe ran';
  return `the version's URL ${check.url} did not pass the live check (${what})`;
}
