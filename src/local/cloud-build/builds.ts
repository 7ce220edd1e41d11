// The stand-in's builds. A build's state is a pure function of its scenario, its create
// and cancel times and the clock: it progresses "in the background" without timers
// (QUEUED, WORKING step by step with timing, then its end), and an injected clock makes
// every moment of it reachable in a test.
import { createHash } from 'node:crypto';
import { convertEnums } from './enums.ts';
import type { Json, JsonObject, Scenario, StepEnd, StepScript } from './types.ts';

export interface StoredBuild {
  id: string;
  projectId: string;
  /** `global` for builds created without a location. */
  location: string;
  /** The request's Build, enums as names. */
  request: JsonObject;
  scenario: Scenario;
  createdAt: number;
  cancelledAt?: number;
}

type Status = 'QUEUED' | 'WORKING' | 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'CANCELLED';

interface StepState {
  status: Status;
  startedAt?: number;
  endedAt?: number;
  exitCode?: number;
}

export interface Progress {
  status: Status;
  startedAt?: number;
  finishedAt?: number;
  steps: StepState[];
  /** Index of the step that ended the build badly. */
  failedStep?: number;
  failure?: { type: 'USER_BUILD_STEP'; detail: string };
  statusDetail?: string;
  pushedAt?: { start: number; end: number };
}

const DEFAULTS = { queuedMs: 10, stepMs: 20, pushMs: 5 };
const DEFAULT_TIMEOUT_MS = 3600_000;

export function isFinal(status: string): boolean {
  return !['STATUS_UNKNOWN', 'PENDING', 'QUEUED', 'WORKING'].includes(status);
}

function stepsOf(build: StoredBuild): JsonObject[] {
  const steps = build.request.steps;
  return Array.isArray(steps) ? (steps as JsonObject[]) : [];
}

/** The scripted run of step `i`. */
export function stepScript(build: StoredBuild, i: number): StepScript {
  const scripted = build.scenario.steps;
  if (Array.isArray(scripted)) return scripted[i] ?? {};
  const id = stepsOf(build)[i]?.id;
  if (scripted && typeof id === 'string' && Object.hasOwn(scripted, id)) return scripted[id] ?? {};
  return {};
}

/** Milliseconds of a proto3 JSON Duration such as `"1800s"` or `"1.5s"`. */
export function durationMs(value: Json | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
  return match ? Number(match[1]) * 1000 : undefined;
}

/** Where the build stands at `now`. */
export function progress(build: StoredBuild, now: number): Progress {
  const scenario = build.scenario;
  const steps = stepsOf(build);
  const states: StepState[] = steps.map(() => ({ status: 'QUEUED' }));
  const startedAt = build.createdAt + (scenario.queuedMs ?? DEFAULTS.queuedMs);
  const cancelAt = build.cancelledAt ?? Number.POSITIVE_INFINITY;
  if (now < startedAt || cancelAt < startedAt) {
    return cancelAt <= now
      ? {
          status: 'CANCELLED',
          finishedAt: cancelAt,
          steps: states,
          statusDetail: 'Build cancelled.',
        }
      : { status: 'QUEUED', steps: states };
  }
  const timeoutMs = scenario.timeoutMs ?? durationMs(build.request.timeout) ?? DEFAULT_TIMEOUT_MS;
  const deadline = startedAt + timeoutMs;
  // The build runs until `end`, and `why` says what stops it there.
  const end = Math.min(now, cancelAt, deadline);
  const why: 'now' | 'cancel' | 'timeout' =
    end === deadline && deadline <= Math.min(now, cancelAt)
      ? 'timeout'
      : end === cancelAt && cancelAt <= now
        ? 'cancel'
        : 'now';
  const interrupted = (i: number | undefined, at: number): Progress =>
    why === 'cancel'
      ? {
          status: 'CANCELLED',
          startedAt,
          finishedAt: at,
          steps: states,
          ...(i === undefined ? {} : { failedStep: i }),
          statusDetail: 'Build cancelled.',
        }
      : {
          status: 'TIMEOUT',
          startedAt,
          finishedAt: at,
          steps: states,
          ...(i === undefined ? {} : { failedStep: i }),
          statusDetail: `Build exceeded its timeout of ${Math.round(timeoutMs / 1000)}s.`,
        };

  let cursor = startedAt;
  for (let i = 0; i < steps.length; i += 1) {
    const script = stepScript(build, i);
    const state = states[i] as StepState;
    if (end < cursor || (end === cursor && why !== 'now')) {
      // Not started: either still ahead, or the build was stopped between steps.
      return why === 'now'
        ? { status: 'WORKING', startedAt, steps: states }
        : interrupted(undefined, end);
    }
    state.startedAt = cursor;
    const stepEnd = cursor + (script.durationMs ?? scenario.stepMs ?? DEFAULTS.stepMs);
    if (stepEnd > end || (stepEnd === end && why !== 'now')) {
      if (why === 'now') {
        state.status = 'WORKING';
        return { status: 'WORKING', startedAt, steps: states };
      }
      state.status = why === 'cancel' ? 'CANCELLED' : 'TIMEOUT';
      state.endedAt = end;
      return interrupted(i, end);
    }
    state.endedAt = stepEnd;
    const outcome: StepEnd = script.status ?? 'SUCCESS';
    state.status = outcome;
    if (outcome !== 'SUCCESS') {
      const name = String(steps[i]?.name ?? '');
      if (outcome === 'FAILURE') state.exitCode = script.exitCode ?? 1;
      const detail =
        outcome === 'FAILURE'
          ? `Build step failure: build step ${i} "${name}" failed: step exited with non-zero status: ${state.exitCode}`
          : outcome === 'TIMEOUT'
            ? `Build step failure: build step ${i} "${name}" timed out`
            : `Build step ${i} "${name}" was cancelled`;
      return {
        status: outcome,
        startedAt,
        finishedAt: stepEnd,
        steps: states,
        failedStep: i,
        statusDetail: detail,
        ...(outcome === 'CANCELLED' ? {} : { failure: { type: 'USER_BUILD_STEP', detail } }),
      };
    }
    cursor = stepEnd;
  }
  const images = Array.isArray(build.request.images) ? build.request.images : [];
  const pushEnd = cursor + (images.length > 0 ? (scenario.pushMs ?? DEFAULTS.pushMs) : 0);
  if (pushEnd > end || (pushEnd === end && why !== 'now' && images.length > 0)) {
    return why === 'now'
      ? { status: 'WORKING', startedAt, steps: states }
      : interrupted(undefined, end);
  }
  return {
    status: 'SUCCESS',
    startedAt,
    finishedAt: pushEnd,
    steps: states,
    ...(images.length > 0 ? { pushedAt: { start: cursor, end: pushEnd } } : {}),
  };
}

/**
 * How much of what a step writes to `$BUILDER_OUTPUT/output` Cloud Build keeps. The
 * Results reference (https://cloud.google.com/build/docs/api/reference/rest/v1/projects.builds#Results,
 * `buildStepOutputs`: "Only the first 4KB of data is stored", bytes, so base64 in JSON)
 * says 4 KB; the v1 proto shipped with @google-cloud/cloudbuild now says 50KB. The
 * stand-in keeps the smaller, so nothing the bot relies on works here only.
 */
export const STEP_OUTPUT_MAX_BYTES = 4096;

/** One entry of `buildStepOutputs`: the step's output's first bytes, base64 ('' for none). */
function stepOutput(output: string | undefined): string {
  return Buffer.from(output ?? '', 'utf8')
    .subarray(0, STEP_OUTPUT_MAX_BYTES)
    .toString('base64');
}

/** `sha256:` and 64 hex digits derived from a name, stable across runs. */
export function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
const span = (start?: number, end?: number): JsonObject => ({
  ...(start === undefined ? {} : { startTime: iso(start) }),
  ...(end === undefined ? {} : { endTime: iso(end) }),
});

export interface RenderOptions {
  now: number;
  consoleBase: string;
  /** Enums as numbers (`$alt=json;enum-encoding=int`) instead of names. */
  numericEnums: boolean;
}

/** The Build resource at `now`, as the REST API answers it. */
export function renderBuild(build: StoredBuild, options: RenderOptions): JsonObject {
  const state = progress(build, options.now);
  const final = isFinal(state.status);
  const liveSteps = (build.scenario.stepStatus ?? 'live') === 'live';
  const request = build.request;
  const images = Array.isArray(request.images) ? (request.images as string[]) : [];
  const steps = stepsOf(build).map((step, i): JsonObject => {
    const s = state.steps[i] as StepState;
    return {
      ...step,
      ...(s.startedAt === undefined ? {} : { timing: span(s.startedAt, s.endedAt) }),
      ...(liveSteps || final ? { status: s.status } : {}),
      ...(s.exitCode === undefined ? {} : { exitCode: s.exitCode }),
    };
  });
  const timing: JsonObject = {};
  if (state.startedAt !== undefined) timing.BUILD = span(state.startedAt, state.finishedAt);
  if (state.pushedAt) timing.PUSH = span(state.pushedAt.start, state.pushedAt.end);

  const resource: JsonObject = {
    ...request,
    name: `projects/${build.projectId}/locations/${build.location}/builds/${build.id}`,
    id: build.id,
    projectId: build.projectId,
    status: state.status,
    steps,
    createTime: iso(build.createdAt),
    timeout: request.timeout ?? '3600s',
    queueTtl: request.queueTtl ?? '3600s',
    logUrl:
      build.location === 'global'
        ? `${options.consoleBase}/cloud-build/builds/${build.id}?project=${build.projectId}`
        : `${options.consoleBase}/cloud-build/builds;region=${build.location}/${build.id}?project=${build.projectId}`,
    timing,
  };
  if (state.startedAt !== undefined) resource.startTime = iso(state.startedAt);
  if (state.finishedAt !== undefined) resource.finishTime = iso(state.finishedAt);
  const statusDetail = state.statusDetail ?? build.scenario.statusDetail;
  if (statusDetail) resource.statusDetail = statusDetail;
  if (state.failure) resource.failureInfo = state.failure;
  if (state.status === 'SUCCESS') {
    resource.results = {
      images: images.map((name) => ({
        name,
        digest: digestOf(name),
        ...(state.pushedAt ? { pushTiming: span(state.pushedAt.start, state.pushedAt.end) } : {}),
      })),
      buildStepImages: steps.map((step) => digestOf(String(step.name))),
      buildStepOutputs: steps.map((_, i) => stepOutput(stepScript(build, i).output)),
    };
  }
  return convertEnums(resource, options.numericEnums ? 'number' : 'name');
}

/** One line of a build's log, as Cloud Build sends it to Cloud Logging. */
export interface BuildLogLine {
  /**
   * The step that printed it: its index in the request, and its id when it has one.
   * Absent for the build's own lines (`MAIN` in Cloud Logging).
   */
  step?: { index: number; id?: string };
  text: string;
  /** Stand-in clock, milliseconds. */
  time: number;
  /** 1, 2, ... in log order: the number in the entry's insertId (`BUILD_ID-N`). */
  seq: number;
}

/**
 * The build's log at `now`: what it has printed so far, in order. The build's own lines
 * (`starting build`, `Starting Step #N - "id"`, `Finished Step ...`, `PUSH`, `DONE` or
 * `ERROR`) frame each step's scripted lines, which are spread evenly over the step's
 * scripted duration and appear only once their moment has come. A line keeps its `seq` as the build goes
 * on: later lines never sort before it.
 */
export function logLines(build: StoredBuild, now: number): BuildLogLine[] {
  const state = progress(build, now);
  if (state.startedAt === undefined) return [];
  const steps = stepsOf(build);
  const lines: Omit<BuildLogLine, 'seq'>[] = [
    { text: `starting build "${build.id}"`, time: state.startedAt },
  ];
  for (const [index, step] of steps.entries()) {
    const s = state.steps[index] as StepState;
    if (s.startedAt === undefined) break;
    const id = typeof step.id === 'string' && step.id !== '' ? step.id : undefined;
    const name = `Step #${index}${id === undefined ? '' : ` - "${id}"`}`;
    lines.push({ text: `Starting ${name}`, time: s.startedAt });
    const script = stepScript(build, index);
    const printed = script.logs ?? [];
    const plannedMs = script.durationMs ?? build.scenario.stepMs ?? DEFAULTS.stepMs;
    for (const [k, text] of printed.entries()) {
      const time = s.startedAt + Math.round(((k + 1) * plannedMs) / (printed.length + 1));
      // A step cut short (cancelled, timed out) never printed the rest.
      if (s.endedAt !== undefined && time > s.endedAt) break;
      lines.push({ step: { index, ...(id === undefined ? {} : { id }) }, text, time });
    }
    if (s.endedAt !== undefined && s.status === 'SUCCESS') {
      lines.push({ text: `Finished ${name}`, time: s.endedAt });
    }
  }
  if (state.pushedAt) lines.push({ text: 'PUSH', time: state.pushedAt.start });
  if (state.finishedAt !== undefined) {
    if (state.status === 'SUCCESS') lines.push({ text: 'DONE', time: state.finishedAt });
    else {
      lines.push({ text: 'ERROR', time: state.finishedAt });
      // A failed step: `ERROR: build step 1 "NAME" failed: step exited with non-zero status: 3`.
      const detail = state.failure?.detail.replace(/^Build step failure: /, '');
      if (state.status === 'FAILURE' && detail) {
        lines.push({ text: `ERROR: ${detail}`, time: state.finishedAt });
      }
    }
  }
  // Stable: lines of one moment keep the order in which the build printed them.
  return lines
    .filter((line) => line.time <= now)
    .sort((a, b) => a.time - b.time)
    .map((line, i) => ({ ...line, seq: i + 1 }));
}
