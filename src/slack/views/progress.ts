// The pipeline as Slack shows it: one live status message in the submission's thread (a
// checklist updated in place), thread replies for the milestones (started, failed, live,
// cancelled) and the partner's DM at the end. Pure builders: no I/O, no clock of their own.
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/duration.ts';
import {
  CHECKLIST,
  LOG_TAIL_LINES,
  type PipelineRun,
  type StepName,
  type StepProgress,
  type StepState,
  stepDuration,
} from '../../domain/pipeline-run.ts';
import { waitsFor } from '../../domain/service-turn.ts';
import { type Actor, revisionOf, type Submission } from '../../domain/submission.ts';
import { ACTION_ID } from './ids.ts';
import { actions, button, context, LIMITS, type Message, section, sectionsOf } from './kit.ts';
import { removalNote } from './lifecycle.ts';
import { plainLogLine } from './log-text.ts';
import { approversMention, editAndResubmit, link, resubmitHint } from './messages.ts';
import {
  capitalize,
  code,
  escapeMrkdwn,
  mention,
  quote,
  safe,
  truncate,
  truncateMrkdwn,
} from './mrkdwn.ts';
import { acceptanceResults, liveCheckResults } from './results.ts';
import { showLogButton } from './show-log-button.ts';
import { cancelButton, waitingLine } from './status-text.ts';

export const STEP_ICON: Record<StepState, string> = {
  pending: ':white_large_square:',
  running: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
  cancelled: ':no_entry_sign:',
};

export const STEP_LABEL: Record<StepName, string> = {
  render: 'Render the bundle',
  wrap: 'Wrap the image',
  test: 'Acceptance test',
  push: 'Push the image',
  deploy: 'Deploy to App Engine',
  promote: 'Promote traffic',
  verify: 'Live check',
};

/** Steps that run inside the Cloud Build build (their log is the build log). */
const BUILD_STEPS: readonly StepName[] = ['wrap', 'test', 'push'];
/** Steps that run in App Engine (their page is the version's console page). */
const APP_ENGINE_STEPS: readonly StepName[] = ['deploy', 'promote'];

/** Log lines shown in the partner's DM, at most (the thread shows LOG_TAIL_LINES). */
export const PARTNER_LOG_TAIL_LINES = 15;
/** Characters of one log line kept (the end of a long line is usually not the point). */
const LOG_LINE_MAX = 300;
/** Room for a code block in a section, under Slack's 3000 characters with the intro. */
const LOG_BLOCK_MAX = 2600;

/** Where a run is, as a whole. */
export type RunPhase = 'waiting' | 'running' | 'failed' | 'cancelled' | 'live';

export function runPhase(run: PipelineRun): RunPhase {
  const states = CHECKLIST.map((step) => run.steps[step]?.state ?? 'pending');
  if (run.failure || states.includes('failed')) return 'failed';
  if (states.includes('cancelled')) return 'cancelled';
  if (waitsFor(run)) return 'waiting';
  const finished = states.every((s) => s === 'done' || s === 'skipped');
  if (finished && run.steps.deploy?.state === 'done') return 'live';
  return 'running';
}

function stepOf(run: PipelineRun, step: StepName): StepProgress {
  return run.steps[step] ?? { state: 'pending' };
}

/** The step that failed: the recorded failure, else the first step marked failed. */
function failedStep(run: PipelineRun): StepName | undefined {
  return run.failure?.step ?? CHECKLIST.find((step) => stepOf(run, step).state === 'failed');
}

function serviceOf(submission: Submission, run: PipelineRun): string {
  return revisionOf(submission)?.spec.service ?? run.service;
}

/** "*PG-0042* (`svc`)". */
function named(submission: Submission, run: PipelineRun): string {
  return `*${escapeMrkdwn(submission.id)}* (${code(serviceOf(submission, run), 100)})`;
}

/** A step's links: build log for build steps, console for App Engine steps, URL once live. */
function stepLinks(run: PipelineRun, step: StepName, progress: StepProgress): string[] {
  const started = progress.startedAt !== undefined || progress.state !== 'pending';
  if (!started || progress.state === 'skipped') return [];
  const links: string[] = [];
  if (BUILD_STEPS.includes(step) && run.buildLogUrl) links.push(link(run.buildLogUrl, 'build log'));
  if (APP_ENGINE_STEPS.includes(step) && run.consoleUrl) {
    links.push(link(run.consoleUrl, 'App Engine console'));
  }
  const last = run.promote ? 'promote' : 'deploy';
  if (step === last && progress.state === 'done' && run.versionUrl) {
    links.push(link(run.versionUrl, run.versionUrl));
  }
  return links;
}

/** One checklist line: icon, label, duration so far, links. */
export function checklistLine(run: PipelineRun, step: StepName, now: Date): string {
  const progress = stepOf(run, step);
  let label = `*${STEP_LABEL[step]}*`;
  if (step === 'promote' && !run.promote && progress.state !== 'done') {
    label += ' (not asked for: the current version keeps serving)';
  }
  const parts = [`${STEP_ICON[progress.state]} ${label}`];
  const duration = stepDuration(progress, now);
  if (duration !== undefined) parts.push(formatDuration(duration));
  parts.push(...stepLinks(run, step, progress));
  return parts.join(' · ');
}

const HEADLINE_VERB: Record<RunPhase, string> = {
  waiting: 'to deploy to',
  running: 'deploying to',
  failed: 'deploying to',
  cancelled: 'deploying to',
  live: 'deployed to',
};

function headline(submission: Submission, run: PipelineRun): string {
  const verb = HEADLINE_VERB[runPhase(run)];
  return `*${escapeMrkdwn(submission.id)}* · attempt ${run.attempt} · ${verb} ${code(run.project, 100)} as version ${code(run.versionId, 100)}`;
}

function doneCount(run: PipelineRun): number {
  return CHECKLIST.filter((step) => {
    const state = stepOf(run, step).state;
    return state === 'done' || state === 'skipped';
  }).length;
}

/** "*Traffic moved to this version*" or "reachable at its own URL; ...". */
function trafficPhrase(run: PipelineRun): string {
  return run.promote && stepOf(run, 'promote').state === 'done'
    ? 'traffic moved to this version'
    : 'reachable at its own URL; the current version keeps serving';
}

function summaryLine(run: PipelineRun): string {
  switch (runPhase(run)) {
    case 'waiting':
      return waitingLine(run) ?? '';
    case 'failed': {
      const step = failedStep(run);
      const detail = run.failure?.detail ? `: ${code(run.failure.detail, 300)}` : '';
      return `:x: Failed${step ? ` at *${STEP_LABEL[step]}*` : ''}${detail}. Details in the thread.`;
    }
    case 'cancelled':
      return ':no_entry_sign: Cancelled; nothing more runs for this attempt.';
    case 'live':
      return `:large_green_circle: Live${run.versionUrl ? ` at ${link(run.versionUrl, run.versionUrl)}` : ''}: ${trafficPhrase(run)}.`;
    case 'running': {
      const current = CHECKLIST.find((step) => stepOf(run, step).state === 'running');
      const now = current ? `${STEP_LABEL[current]} running` : 'In progress';
      return `:gear: ${now} · ${doneCount(run)} of ${CHECKLIST.length} steps done`;
    }
  }
}

function summaryText(submission: Submission, run: PipelineRun): string {
  const prefix = `${submission.id} · attempt ${run.attempt}`;
  switch (runPhase(run)) {
    case 'failed': {
      const step = failedStep(run);
      return `${prefix}: failed${step ? ` at ${STEP_LABEL[step]}` : ''}`;
    }
    case 'cancelled':
      return `${prefix}: cancelled`;
    case 'waiting':
      return `${prefix}: waiting for ${waitsFor(run)} (deploying ${run.service} in ${run.project}) to finish`;
    case 'live':
      return `${prefix}: live${run.versionUrl ? ` at ${run.versionUrl}` : ''}`;
    case 'running':
      return `${prefix}: ${doneCount(run)} of ${CHECKLIST.length} steps done`;
  }
}

/**
 * The one live status message in the submission's thread: headline, the checklist with
 * icons, durations (running steps count up to `now`) and links, and a summary line.
 */
export function statusMessage(
  submission: Submission,
  run: PipelineRun,
  now: Date,
): { text: string; blocks: KnownBlock[] } {
  const lines = CHECKLIST.map((step) => checklistLine(run, step, now));
  const blocks: KnownBlock[] = [
    section(headline(submission, run)),
    ...sectionsOf(lines),
    context(summaryLine(run)),
  ];
  // Cloud Build's own note (e.g. "Simulated build: …" in the local workspace).
  if (run.buildNote) blocks.push(context(`:information_source: ${safe(run.buildNote, 500)}`));
  return {
    text: truncateMrkdwn(escapeMrkdwn(summaryText(submission, run)), 3000),
    blocks: blocks.slice(0, LIMITS.messageBlocks),
  };
}

/**
 * The last lines of a log as a mrkdwn code block of at most `maxChars` characters
 * (escaped; backticks, colour codes and other control characters removed), newest kept.
 * Undefined when there is nothing to show.
 */
export function logTailBlock(
  lines: readonly string[] | undefined,
  options: { maxLines?: number; maxChars?: number } = {},
): string | undefined {
  const maxLines = options.maxLines ?? LOG_TAIL_LINES;
  const budget = (options.maxChars ?? LOG_BLOCK_MAX) - '```\n\n```'.length - '…\n'.length;
  const cleaned = (lines ?? [])
    .flatMap((line) => line.split(/\r?\n/))
    .map(plainLogLine)
    .map((line) => escapeMrkdwn(truncate(line.replace(/`/g, 'ˋ').trimEnd(), LOG_LINE_MAX)));
  while (cleaned.length > 0 && cleaned[cleaned.length - 1] === '') cleaned.pop();
  const kept: string[] = [];
  let size = 0;
  for (let i = cleaned.length - 1; i >= 0 && kept.length < maxLines; i--) {
    const line = cleaned[i] ?? '';
    const cost = [...line].length + 1;
    if (size + cost > budget) break;
    kept.unshift(line);
    size += cost;
  }
  if (kept.length === 0 || kept.every((line) => line.trim() === '')) return undefined;
  const cut = kept.length < cleaned.length ? '…\n' : '';
  return `\`\`\`\n${cut}${kept.join('\n')}\n\`\`\``;
}

function logLink(run: PipelineRun, step: StepName | undefined): string | undefined {
  if (step && APP_ENGINE_STEPS.includes(step)) {
    return run.consoleUrl ? link(run.consoleUrl, 'App Engine console') : undefined;
  }
  return run.buildLogUrl ? link(run.buildLogUrl, 'Build log') : undefined;
}

export type MilestoneKind = 'started' | 'failed' | 'live' | 'cancelled';

/**
 * A thread reply for a milestone. `by` names who cancelled (default: the submission's
 * last event, when it is a cancel); `approvers` are called on a failure past a deadline.
 */
export function milestoneMessage(
  submission: Submission,
  run: PipelineRun,
  kind: MilestoneKind,
  options: { by?: Actor; approvers?: readonly string[] } = {},
): Message {
  const id = escapeMrkdwn(submission.id);
  const partner = mention(submission.partner.userId);
  switch (kind) {
    case 'started': {
      const log = run.buildLogUrl ? ` · ${link(run.buildLogUrl, 'build log')}` : '';
      return {
        text: `:gear: Pipeline started (attempt ${run.attempt})${afterWaiting(run)}: building ${code(run.image, 600)}${log}`,
      };
    }
    case 'failed': {
      const step = failedStep(run);
      const where = step ? ` at *${STEP_LABEL[step]}*` : '';
      const lines = [`:x: *${id}* failed${where} (attempt ${run.attempt}).`];
      if (run.failure?.detail) lines.push(quote(run.failure.detail, 1000));
      const blocks: KnownBlock[] = [section(lines.join('\n')), ...resultBlocks(run)];
      const tail = logTailBlock(run.failure?.logTail);
      if (tail) blocks.push(section(`Last lines of the log:\n${tail}`));
      const notes: string[] = [];
      const logs = logLink(run, step);
      if (logs) notes.push(logs);
      if (run.imageDigest) notes.push('Retry reuses the image already pushed: no rebuild.');
      else notes.push('Retry starts a new build of the same revision.');
      blocks.push(context(notes.join(' · ')));
      blocks.push(
        section(
          `${partner}: the deployment of ${named(submission, run)} stopped${where}. An approver can retry it or cancel it; you can edit and resubmit it as revision ${submission.revision + 1}, reviewed again here.`,
        ),
      );
      if (run.failure?.kind === 'deadline' && options.approvers?.length) {
        blocks.push(section(`${approversMention(options.approvers)}: a step ran out of time.`));
      }
      blocks.push(
        actions([
          button('Retry', ACTION_ID.retry, { value: submission.id, style: 'primary' }),
          cancelButton(submission.id),
          button('Edit and resubmit', ACTION_ID.resubmit, { value: submission.id }),
          showLogButton(submission, run),
        ]),
      );
      return {
        text: `${id} failed${step ? ` at ${STEP_LABEL[step]}` : ''} (attempt ${run.attempt}) ${partner}`,
        blocks,
      };
    }
    case 'live': {
      const url = run.versionUrl ? link(run.versionUrl, run.versionUrl) : undefined;
      const where = url ?? `version ${code(run.versionId, 100)} of ${code(run.service, 100)}`;
      const blocks: KnownBlock[] = [
        section(
          `:large_green_circle: *${id}* is live: ${where}\n${capitalize(trafficPhrase(run))}.`,
        ),
      ];
      blocks.push(...resultBlocks(run));
      if (run.consoleUrl) blocks.push(context(link(run.consoleUrl, 'App Engine console')));
      blocks.push(section(`${partner}: your model is live on the Playground.`));
      blocks.push(operationButtons(submission, run));
      return {
        text: `${id} is live${run.versionUrl ? `: ${escapeMrkdwn(run.versionUrl)}` : ''} ${partner}`,
        blocks,
      };
    }
    case 'cancelled': {
      const by = options.by ?? cancelledBy(submission);
      const stopped = CHECKLIST.find((step) => {
        const progress = stepOf(run, step);
        return progress.state === 'cancelled' && progress.startedAt !== undefined;
      });
      const at = stopped ? ` during *${STEP_LABEL[stopped]}*` : '';
      return {
        text: `:no_entry_sign: Pipeline cancelled${by ? ` by ${mention(by.userId)}` : ''}${at} (attempt ${run.attempt}). Nothing more is deployed from it.${removalNote(run)}`,
      };
    }
  }
}

/**
 * Approvers' buttons on the live message: Promote when the run moved no traffic, and Roll
 * back (both confirm first, reading what serves when clicked).
 */
function operationButtons(submission: Submission, run: PipelineRun): KnownBlock {
  const rollback = button('Roll back', ACTION_ID.rollback, { value: submission.id });
  if (run.promote || stepOf(run, 'promote').state !== 'skipped') return actions([rollback]);
  return actions([
    button('Promote', ACTION_ID.promote, { value: submission.id, style: 'primary' }),
    rollback,
  ]);
}

/** The acceptance test's checks and the live check, as far as the run got (results.ts). */
function resultBlocks(run: PipelineRun): KnownBlock[] {
  const found = [acceptanceResults(run.checks), liveCheckResults(run.liveCheck)];
  return found.filter((text) => text !== undefined).map((text) => section(text));
}

/** " after waiting 3m for *PG-0041*", when the run had to wait for its service. */
function afterWaiting(run: PipelineRun): string {
  if (run.turn?.state !== 'holding' || !run.turn.waited) return '';
  const { waited, since } = run.turn;
  const took = formatDuration(since.getTime() - waited.since.getTime());
  return ` after waiting ${took} for *${escapeMrkdwn(waited.for)}* to finish`;
}

function cancelledBy(submission: Submission): Actor | undefined {
  const event = submission.lastEvent;
  return event?.action === 'cancel' ? event.actor : undefined;
}

/** Advice to the partner after a failed step: whose problem it most likely is. */
const PARTNER_ADVICE: Record<StepName, string> = {
  render:
    'This happened while preparing the build, before your image was used; the Playground team will look into it.',
  wrap: 'Building on your image failed. If the log below points at your image (missing files, wrong base, a package that does not install), fix it and submit again.',
  test: 'The acceptance test runs your predictor on sample tiles. If the log below points at your model (an exception, a wrong output shape, a timeout), fix it and submit again.',
  push: 'Your model passed its tests; storing the image failed. This is on the Playground side: the team will retry.',
  deploy:
    'Your model passed its tests; App Engine did not start it. The team will look into it and may retry; if the log below points at your model (start-up crash, memory), fix it and submit again.',
  promote:
    'The new version is deployed, but moving traffic to it failed. This is on the Playground side: the team will retry.',
  verify:
    "The new version is deployed, but its URL did not answer the bot's live check as the acceptance test did. If what it found points at your model (an error, a timeout), fix it and submit again; the team may also retry the check.",
};

/** The partner's DM when the pipeline ends: the URL and how to try it, or what went wrong. */
export function partnerOutcomeMessage(
  submission: Submission,
  run: PipelineRun,
  kind: 'failed' | 'live',
): Message {
  const id = escapeMrkdwn(submission.id);
  if (kind === 'live') {
    const url = run.versionUrl;
    const traffic =
      run.promote && stepOf(run, 'promote').state === 'done'
        ? `It now serves all traffic of ${code(serviceOf(submission, run), 100)}.`
        : 'It is reachable at its own URL; the version already serving keeps its traffic until the Playground team moves it.';
    const lines = [
      `:rocket: ${named(submission, run)} is live on the Playground${url ? `: ${link(url, url)}` : '.'}`,
      traffic,
    ];
    const blocks: KnownBlock[] = [section(lines.join('\n'))];
    if (url) {
      const health = `${url.replace(/\/+$/, '')}/api/v1/health`;
      blocks.push(
        section(`Try it:\n\`\`\`curl ${escapeMrkdwn(health.replace(/`/g, '%60'))}\`\`\``),
      );
    }
    return { text: `${id} is live${url ? `: ${escapeMrkdwn(url)}` : ''}`, blocks };
  }
  const step = failedStep(run);
  const lines = [
    `:red_circle: ${named(submission, run)} could not be deployed${step ? `: the *${STEP_LABEL[step]}* step failed` : ''}.`,
  ];
  if (run.failure?.detail) lines.push(quote(run.failure.detail, 1000));
  lines.push(step ? PARTNER_ADVICE[step] : 'The Playground team will look into it.');
  lines.push('The Playground team has been told and may retry it; you will hear back here.');
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  const tail = logTailBlock(run.failure?.logTail, { maxLines: PARTNER_LOG_TAIL_LINES });
  if (tail) blocks.push(section(`Last lines of the log:\n${tail}`));
  blocks.push(editAndResubmit(submission, [showLogButton(submission, run)]));
  blocks.push(
    context(`${resubmitHint(submission)} \`/playground status ${id}\` shows where it is.`),
  );
  return {
    text: `${id} could not be deployed${step ? `: ${STEP_LABEL[step]} failed` : ''}`,
    blocks,
  };
}
