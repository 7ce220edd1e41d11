import type {
  PipelineFailure,
  PipelineRun,
  StepName,
  StepProgress,
  StepState,
} from '../../domain/pipeline-run.ts';
import { type CheckResult, parseCheckLines } from '../../domain/results.ts';
import type { BuildState, BuildStatus, BuildStepState } from '../../ports/build.ts';

/** Where a build stands, as the pipeline sees it. */
export type BuildPhase = 'building' | 'testing' | 'built' | 'failed' | 'cancelled';

const STEP_STATE: Record<BuildStatus, StepState> = {
  pending: 'pending',
  queued: 'pending',
  working: 'running',
  success: 'done',
  failure: 'failed',
  internal_error: 'failed',
  timeout: 'failed',
  expired: 'failed',
  cancelled: 'cancelled',
};

/** Cloud Build step ids behind each checklist line (the bundle step unpacks before wrapping). */
const BUILD_STEPS: Partial<Record<StepName, string[]>> = {
  wrap: ['bundle', 'wrap'],
  test: ['test-start', 'test'],
  push: ['push'],
};

/** One checklist line from the build steps behind it: first start, last end, worst state. */
function combine(steps: BuildStepState[]): StepProgress {
  const states = steps.map((s) => STEP_STATE[s.status]);
  const state: StepState = states.includes('failed')
    ? 'failed'
    : states.includes('cancelled')
      ? 'cancelled'
      : states.length > 0 && states.every((s) => s === 'done')
        ? 'done'
        : states.some((s) => s !== 'pending')
          ? 'running'
          : 'pending';
  const startedAt = steps.find((s) => s.startedAt)?.startedAt;
  const endedAt = state === 'running' || state === 'pending' ? undefined : steps.at(-1)?.endedAt;
  return { state, ...(startedAt ? { startedAt } : {}), ...(endedAt ? { endedAt } : {}) };
}

function checklistStepOf(buildStepId: string | undefined): StepName | undefined {
  if (!buildStepId) return undefined;
  for (const [name, ids] of Object.entries(BUILD_STEPS)) {
    if (ids?.includes(buildStepId)) return name as StepName;
  }
  return undefined;
}

/** The run updated from one read of its build, and what that means for the pipeline. */
export type BuildObservation =
  | { run: PipelineRun; phase: Exclude<BuildPhase, 'failed'> }
  | { run: PipelineRun; phase: 'failed'; failure: PipelineFailure };

export function observeBuild(run: PipelineRun, build: BuildState): BuildObservation {
  const steps = { ...run.steps };
  for (const [name, ids] of Object.entries(BUILD_STEPS) as [StepName, string[]][]) {
    steps[name] = combine(build.steps.filter((s) => ids.includes(s.id)));
  }
  const next: PipelineRun = {
    ...run,
    steps,
    ...(build.logUrl ? { buildLogUrl: build.logUrl } : {}),
    ...(build.detail ? { buildNote: build.detail } : {}),
    ...(build.imageDigest ? { imageDigest: build.imageDigest } : {}),
    ...withChecks(parseCheckLines(build.stepOutputs?.test?.split('\n') ?? [])),
  };
  if (!build.done) {
    return { run: next, phase: steps.test.state === 'pending' ? 'building' : 'testing' };
  }
  if (build.status === 'success') {
    return { run: next, phase: 'built' };
  }
  if (build.status === 'cancelled') {
    return { run: next, phase: 'cancelled' };
  }
  const failedStep =
    checklistStepOf(build.failure?.step) ??
    (['wrap', 'test', 'push'] as const).find((name) => steps[name].state === 'failed') ??
    (['wrap', 'test', 'push'] as const).find((name) => steps[name].state !== 'done') ??
    'push';
  // A timed-out build leaves its running step unfinished: it is the one that failed.
  if (steps[failedStep].state !== 'failed') {
    steps[failedStep] = {
      ...steps[failedStep],
      state: 'failed',
      endedAt: build.endedAt ?? new Date(),
    };
  }
  const failure: PipelineFailure = {
    step: failedStep,
    detail: build.failure?.detail ?? `the build ended with status ${build.status}`,
  };
  return { run: next, phase: 'failed', failure };
}

/**
 * `{ checks }` when there are any: what the `test` step wrote to `$BUILDER_OUTPUT/output`,
 * or the lines of a failed step's log (build.ts).
 */
export function withChecks(checks: CheckResult[]): { checks?: CheckResult[] } {
  return checks.length > 0 ? { checks } : {};
}
