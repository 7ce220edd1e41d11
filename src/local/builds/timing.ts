// How long local steps take: every step (at least) `stepSeconds`, queueing and deploys too,
// so a person watches the checklist progress.

/** The env variable that sets the seconds a local step takes. */
export const STEP_SECONDS_ENV = 'PLAYGROUND_LOCAL_STEP_SECONDS';
export const DEFAULT_STEP_SECONDS = 3;

/** Seconds per step from PLAYGROUND_LOCAL_STEP_SECONDS; undefined when unset. */
export function stepSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[STEP_SECONDS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new Error(`${STEP_SECONDS_ENV} must be a number of seconds from 0 to 600, got ${raw}`);
  }
  return seconds;
}

/** The durations a build's scenario is scripted with, in ms. */
export interface StepTiming {
  stepMs: number;
  /** Queueing: half a step. */
  queuedMs: number;
  /** Pushing the image: a quarter step. */
  pushMs: number;
}

export function stepTiming(stepSeconds: number): StepTiming {
  const stepMs = Math.round(stepSeconds * 1000);
  return { stepMs, queuedMs: Math.round(stepMs / 2), pushMs: Math.round(stepMs / 4) };
}
