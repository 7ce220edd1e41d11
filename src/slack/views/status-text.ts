// Answers to `/playground status <id>`, `list`, `list all` and `help`.
import type { KnownBlock } from '@slack/types';
import type { PipelineRun } from '../../domain/pipeline-run.ts';
import { isWorking } from '../../domain/run-transitions.ts';
import { waitsFor } from '../../domain/service-turn.ts';
import { canApply, STATUSES, type Status, statusLabel } from '../../domain/status.ts';
import { type AuditEvent, revisionOf, type Submission } from '../../domain/submission.ts';
import { ACTION_ID } from './ids.ts';
import {
  actions,
  button,
  context,
  header,
  LIMITS,
  type Message,
  md,
  section,
  sectionsOf,
} from './kit.ts';
import { capitalize, code, escapeMrkdwn, mention, quote, safe, slackDate } from './mrkdwn.ts';

const PHRASES: Record<Status, string> = {
  submitted: 'is waiting for review',
  changes_requested: 'is waiting for your changes',
  approved: 'is approved',
  rejected: 'was rejected',
  cancelled: 'was cancelled',
  building: 'is being built',
  testing: 'is being tested',
  deploying: 'is being deployed',
  live: 'is live',
  failed: 'failed to deploy',
};

/** "is waiting for review", "was rejected": the status as the end of a sentence. */
export function statusPhrase(status: Status): string {
  return PHRASES[status];
}

const STATUS_EMOJI: Record<Status, string> = {
  submitted: ':hourglass_flowing_sand:',
  changes_requested: ':pencil2:',
  approved: ':white_check_mark:',
  rejected: ':x:',
  cancelled: ':no_entry_sign:',
  building: ':hammer_and_wrench:',
  testing: ':test_tube:',
  deploying: ':rocket:',
  live: ':large_green_circle:',
  failed: ':red_circle:',
};

export function statusEmoji(status: Status): string {
  return STATUS_EMOJI[status];
}

const EVENT_WORDS: Record<AuditEvent['action'], string> = {
  submit: 'Submitted',
  resubmit: 'Resubmitted',
  approve: 'Approved',
  reject: 'Rejected',
  request_changes: 'Changes requested',
  cancel: 'Cancelled',
  start_build: 'Build started',
  start_test: 'Tests started',
  start_deploy: 'Deployment started',
  go_live: 'Went live',
  fail: 'Failed',
  refused: 'Refused a click',
  stalled: 'Found making no progress',
  promote: 'Promote',
  rollback: 'Rollback',
};

/** "Approved by @ana on Mar 4 at 14:05". */
export function eventLine(event: AuditEvent): string {
  const pipeline = [
    'start_build',
    'start_test',
    'start_deploy',
    'go_live',
    'fail',
    'stalled',
  ].includes(event.action);
  const by = pipeline ? '' : ` by ${mention(event.actor.userId)}`;
  const detail = event.detail ? `: ${safe(event.detail, 300)}` : '';
  return `${EVENT_WORDS[event.action]}${by} on ${slackDate(event.at)}${detail}`;
}

/**
 * "Waiting for *PG-0041* (deploying `my-service` in `pg-prod`) to finish", while the run
 * waits for its service's turn (one pipeline per project and service at a time).
 */
export function waitingLine(run: PipelineRun): string | undefined {
  const other = waitsFor(run);
  if (!other) return undefined;
  return `:hourglass: Waiting for *${escapeMrkdwn(other)}* (deploying ${code(run.service, 100)} in ${code(run.project, 100)}) to finish: one pipeline per service at a time, this one starts when it ends.`;
}

/** The action buttons a partner has on their own submission. */
function partnerButtons(submission: Submission) {
  const buttons = [];
  if (submission.status === 'changes_requested') {
    buttons.push(
      button('Edit and resubmit', ACTION_ID.resubmit, { value: submission.id, style: 'primary' }),
    );
  }
  if (canApply(submission.status, 'cancel')) buttons.push(cancelButton(submission.id));
  return buttons;
}

/** A Cancel button (value = id) that asks before withdrawing. */
export function cancelButton(id: string) {
  return button('Cancel submission', ACTION_ID.cancel, {
    value: id,
    style: 'danger',
    confirm: {
      title: { type: 'plain_text', text: `Cancel ${id}?` },
      text: {
        type: 'plain_text',
        text: 'The submission is withdrawn and nothing more is deployed from it. This cannot be undone.',
      },
      confirm: { type: 'plain_text', text: 'Cancel it' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  });
}

/**
 * `/playground status <id>`: status, revision, dates, the last event (refused clicks are
 * not shown: they changed nothing), the reason when changes were asked for or it was
 * rejected, a link to the review thread, and the buttons that apply.
 */
export function statusBlocks(
  submission: Submission,
  options: { lastEvent?: AuditEvent; permalink?: string } = {},
): Required<Message> {
  const spec = revisionOf(submission)?.spec;
  const title = `${statusEmoji(submission.status)} *${submission.id}*${spec ? ` · ${code(spec.service)}` : ''} ${statusPhrase(submission.status)}`;
  const blocks: KnownBlock[] = [section(title)];
  blocks.push({
    type: 'section',
    fields: [
      md(`*Status*\n${escapeMrkdwn(statusLabel(submission.status))}`),
      md(`*Revision*\n${submission.revision}`),
      md(`*Submitted*\n${slackDate(submission.createdAt)}`),
      md(`*Last change*\n${slackDate(submission.updatedAt)}`),
    ],
  });
  if (spec) {
    blocks.push(
      section(
        `Image ${code(spec.image, 600)} · zoom ${spec.ZOOM_LEVEL} · padding ${spec.PADDING} px`,
      ),
    );
  }
  const waiting =
    submission.pipeline && isWorking(submission.status) && waitingLine(submission.pipeline);
  if (waiting) blocks.push(section(waiting));
  if (
    submission.reason &&
    (submission.status === 'changes_requested' || submission.status === 'rejected')
  ) {
    blocks.push(section(`*Reason*\n${quote(submission.reason)}`));
  }
  const notes: string[] = [];
  if (options.lastEvent && options.lastEvent.action !== 'refused')
    notes.push(`Last: ${eventLine(options.lastEvent)}`);
  if (options.permalink) notes.push(`<${escapeMrkdwn(options.permalink)}|Review thread>`);
  if (notes.length > 0) blocks.push(context(notes.join(' · ')));
  const buttons = partnerButtons(submission);
  if (buttons.length > 0) blocks.push(actions(buttons));
  return {
    text: `${submission.id} ${statusPhrase(submission.status)} (revision ${submission.revision})`,
    blocks,
  };
}

/** One line per submission for lists: "*PG-0042* · `svc` · waiting for review · rev 2 · updated …". */
export function listLine(submission: Submission, withPartner: boolean): string {
  const service = revisionOf(submission)?.spec.service;
  return [
    `${statusEmoji(submission.status)} *${submission.id}*`,
    service ? code(service) : undefined,
    escapeMrkdwn(statusLabel(submission.status)),
    `rev ${submission.revision}`,
    withPartner ? mention(submission.partner.userId) : undefined,
    `updated ${slackDate(submission.updatedAt)}`,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}

/** Most lines a list message shows before "…and N more" (each group, when grouped). */
export const LIST_MAX = 40;

/**
 * `/playground list` (the partner's own submissions, newest change first) and
 * `/playground list all` (approvers: every submission, grouped by status).
 */
export function listBlocks(
  submissions: Submission[],
  options: { all: boolean },
): Required<Message> {
  const sorted = [...submissions].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  if (sorted.length === 0) {
    const text = options.all
      ? 'No submissions yet.'
      : 'You have no submissions yet. `/playground submit` starts one.';
    return { text, blocks: [section(text)] };
  }
  const blocks: KnownBlock[] = [];
  if (!options.all) {
    blocks.push(header(`Your submissions (${sorted.length})`));
    blocks.push(
      ...sectionsOf(
        capped(
          sorted.map((s) => listLine(s, false)),
          LIST_MAX,
        ),
      ),
    );
    blocks.push(
      context(
        '`/playground status PG-0042` shows one in detail; `/playground cancel PG-0042` withdraws it.',
      ),
    );
  } else {
    blocks.push(header(`All submissions (${sorted.length})`));
    for (const status of STATUSES) {
      const group = sorted.filter((s) => s.status === status);
      if (group.length === 0) continue;
      const lines = capped(
        group.map((s) => listLine(s, true)),
        LIST_MAX,
      );
      blocks.push(section(`*${capitalize(statusLabel(status))}* (${group.length})`));
      blocks.push(...sectionsOf(lines));
    }
  }
  const text = options.all
    ? `${sorted.length} submissions`
    : `You have ${sorted.length} submission${sorted.length === 1 ? '' : 's'}`;
  return { text, blocks: fitBlocks(blocks, LIMITS.messageBlocks) };
}

function capped(lines: string[], max: number): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `…and ${lines.length - max} more`];
}

/** Keeps a message within Slack's block limit, saying that the rest was left out. */
function fitBlocks(blocks: KnownBlock[], max: number): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  return [
    ...blocks.slice(0, max - 1),
    context(
      `…${blocks.length - max + 1} more blocks left out; narrow it down with \`/playground status <id>\`.`,
    ),
  ];
}

/** `/playground help` (also the answer to an unknown or empty subcommand). */
export function helpBlocks(options: { approver: boolean }): Required<Message> {
  return options.approver ? HELP.approver : HELP.partner;
}

/** The help for one kind of reader. */
function drawHelp(options: { approver: boolean }): Required<Message> {
  const lines = [
    '`/playground submit` opens a form to deploy a model on the OneAtlas Playground: your Docker image, tile settings, predictor class and package, and optional resources. You can also paste your settings as YAML.',
    '`/playground status PG-0042` shows where a submission is, its last event and a link to its review thread.',
    '`/playground history PG-0042` shows everything that happened to a submission: who did what, when, refused attempts included.',
    '`/playground list` lists your submissions.',
    '`/playground cancel PG-0042` withdraws a submission that is not deployed yet.',
    "A service is yours once your first submission for it is approved: only you submit updates of it; someone else's is refused, and an approver can transfer it.",
    '`/playground help` shows this.',
  ];
  if (options.approver) {
    lines.splice(
      4,
      0,
      '`/playground list all` lists every submission, grouped by status (approvers only).',
      '`/playground transfer my-service @user [--project P]` gives a service to another partner: they may then submit for it, its owner until now may not (approvers only).',
      '`/playground rollback my-service [--project P] [VERSION]` moves all of its traffic back to the version that served before it (or to VERSION), after a confirmation naming both; a stopped version is started first (approvers only).',
      "`/playground doctor` checks the bot's set-up in Google Cloud and Slack and says what to fix (approvers only).",
    );
  }
  const blocks: KnownBlock[] = [
    section('*Deploy your model on the Playground*'),
    section(lines.map((l) => `• ${l}`).join('\n')),
    context(
      options.approver
        ? 'You are a Playground approver: review submissions with the buttons in the review channel or on the app Home tab.'
        : 'The Playground team reviews each submission; you hear back here, and if they ask for changes you get a button to edit and resubmit.',
    ),
  ];
  return {
    text: 'How to use /playground: submit, status <id>, history <id>, list, cancel <id>, help',
    blocks,
  };
}

/** Both helps, drawn once: they vary with nothing else (and are shared, so never changed). */
const HELP = {
  partner: drawHelp({ approver: false }),
  approver: drawHelp({ approver: true }),
};
