// Show log: partners cannot open the Cloud Console, so the failed step's last lines come to
// them. For the submission's partner and approvers; anyone else gets not_found (audited by
// the access policy). The lines come from where the step ran: the build's log for the build
// steps, the App Engine version's own log for deploy and promote, and otherwise (or when
// there are none) the failure's own words.
import type { PipelineFailure, PipelineRun, StepName } from '../domain/pipeline-run.ts';
import type { Submission } from '../domain/submission.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type NotFound, notFound, type Result } from './outcomes.ts';

/** How many of the failed step's last lines are shown. */
export const SHOW_LOG_LINES = 200;

/** Steps that run inside the Cloud Build build: their lines are the build step's log. */
const BUILD_STEPS: ReadonlySet<StepName> = new Set(['wrap', 'test', 'push']);
/** Steps that run in App Engine: their lines are the version's own log. */
const APP_ENGINE_STEPS: ReadonlySet<StepName> = new Set(['deploy', 'promote']);

/**
 * A build's log may hold lines from before the run recorded its first step (this machine's
 * clock against Google's): the search starts this much earlier.
 */
const CLOCK_MARGIN_MS = 5 * 60_000;

/** Where the lines came from: a log, or (none to be had) the failure as recorded. */
export type LogSource = 'build' | 'app_engine' | 'failure';

export interface FailedStepLog {
  submission: Submission;
  attempt: number;
  step: StepName;
  source: LogSource;
  /** Oldest first, as the log holds them (colour codes and all: the view cleans them). */
  lines: string[];
}

/**
 * There is no failed step to show for that attempt: the submission was resubmitted since
 * (no run any more), a retry made another attempt, or the attempt did not fail.
 */
export interface NoLog {
  kind: 'no_log';
  id: string;
  attempt: number;
  reason: 'no_run' | 'other_attempt' | 'not_failed';
  /** The run's current attempt, when there is a run. */
  current?: number;
}

export type ShowLogOutcome = Done<FailedStepLog> | NotFound | NoLog;

export async function showLog(
  deps: Pick<AppDeps, 'access' | 'logs' | 'logger'>,
  input: UserRequest & { id: string; attempt: number },
): Promise<Result<ShowLogOutcome>> {
  const { actor, id, attempt, requestId } = input;
  const submission = await deps.access.find(actor, 'show_log', { id, requestId });
  if (!submission) return { outcome: notFound(id) };
  const run = submission.pipeline;
  const reason = !run
    ? 'no_run'
    : run.attempt !== attempt
      ? 'other_attempt'
      : !run.failure
        ? 'not_failed'
        : undefined;
  if (reason || !run?.failure) {
    const detail = `show_log attempt ${attempt}: ${reason}`;
    await deps.access.refuseUse(actor, 'show_log', { id: submission.id, requestId }, detail);
    return {
      outcome: {
        kind: 'no_log',
        id: submission.id,
        attempt,
        reason: reason ?? 'not_failed',
        ...(run ? { current: run.attempt } : {}),
      },
    };
  }
  const { source, lines } = await failedStepLines(deps, run, run.failure);
  return {
    outcome: done({ submission, attempt, step: run.failure.step, source, lines }),
  };
}

/** The failed step's last lines from its log, or the failure's own words. */
async function failedStepLines(
  deps: Pick<AppDeps, 'logs' | 'logger'>,
  run: PipelineRun,
  failure: PipelineFailure,
): Promise<{ source: LogSource; lines: string[] }> {
  const { step } = failure;
  try {
    if (BUILD_STEPS.has(step) && run.buildId && deps.logs?.builds) {
      const started = run.steps.render?.startedAt ?? run.steps.wrap?.startedAt;
      const lines = await deps.logs.builds.tail({
        buildId: run.buildId,
        // Runs failed before the build step was recorded: the checklist step's build step.
        stepId: failure.buildStep ?? step,
        lines: SHOW_LOG_LINES,
        ...(started ? { since: new Date(started.getTime() - CLOCK_MARGIN_MS) } : {}),
      });
      if (lines.length > 0) return { source: 'build', lines };
    }
    if (APP_ENGINE_STEPS.has(step) && deps.logs?.versions) {
      const lines = await deps.logs.versions.versionTail({
        project: run.project,
        service: run.service,
        versionId: run.versionId,
        lines: SHOW_LOG_LINES,
        ...(run.deployRequestedAt ? { since: run.deployRequestedAt } : {}),
      });
      if (lines.length > 0) return { source: 'app_engine', lines };
    }
  } catch (error) {
    // The log is a help, not the answer: without it the failure's words still say why.
    deps.logger.warn({ err: error, step }, 'could not read the failed step’s log');
  }
  return { source: 'failure', lines: [failure.detail, ...(failure.logTail ?? [])] };
}
