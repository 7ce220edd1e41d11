// The App Home tab: a "Deploy a model" button and the user's own submissions; for
// approvers, the review queue with the review buttons too. Stays within Slack's 100
// blocks however long the lists get.
import type { Button, HomeView, KnownBlock } from '@slack/types';
import { QUEUE_STATUSES } from '../../app/queries.ts';
import { canApply, type Status } from '../../domain/status.ts';
import { revisionOf, type Submission } from '../../domain/submission.ts';
import type { UndeliveredMessage } from '../../ports/store.ts';
import { ACTION_ID } from './ids.ts';
import { actions, button, context, header, LIMITS, section } from './kit.ts';
import { code, escapeMrkdwn } from './mrkdwn.ts';
import { cancelButton, listLine } from './status-text.ts';

/** Own submissions shown before "…and N more" (fewer for approvers, who also get the queue). */
export const HOME_MINE_MAX = 40;
export const HOME_MINE_MAX_WITH_QUEUE = 10;

/** Undelivered messages listed before "…and N more". */
const HOME_UNDELIVERED_MAX = 10;

export function homeView(options: {
  mine: Submission[];
  queue?: Submission[];
  undelivered?: UndeliveredMessage[];
}): HomeView {
  const blocks: KnownBlock[] = [
    header('OneAtlas Playground deployments'),
    section(
      'Deploy your ML model on the Playground: fill in a form, the Playground team reviews it, and it is built, tested and deployed for you.',
      button('Deploy a model', ACTION_ID.open_submit, { style: 'primary' }),
    ),
    { type: 'divider' },
  ];

  const queue = options.queue;
  const mineMax = queue ? HOME_MINE_MAX_WITH_QUEUE : HOME_MINE_MAX;
  const mine = [...options.mine].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
  blocks.push(header(`Your submissions${mine.length > 0 ? ` (${mine.length})` : ''}`));
  if (mine.length === 0) {
    blocks.push(
      context('Nothing yet. Press *Deploy a model* or type `/playground submit` to start.'),
    );
  }
  for (const submission of mine.slice(0, mineMax)) {
    blocks.push(section(listLine(submission, false), partnerAccessory(submission)));
  }
  if (mine.length > mineMax) {
    blocks.push(
      context(`…and ${mine.length - mineMax} more: \`/playground list\` shows them all.`),
    );
  }

  const undelivered = options.undelivered ?? [];
  if (undelivered.length > 0) {
    blocks.push({ type: 'divider' });
    blocks.push(header(`Messages Slack refused (${undelivered.length})`));
    for (const { submission, entry } of undelivered.slice(0, HOME_UNDELIVERED_MAX)) {
      blocks.push(
        section(
          `:warning: *${submission.id}* · ${MESSAGE_LABEL[entry.intent.kind]}: ${code(entry.error ?? 'error', 80)}\n${escapeMrkdwn(entry.advice ?? '')}`,
        ),
      );
    }
    if (undelivered.length > HOME_UNDELIVERED_MAX) {
      blocks.push(context(`…and ${undelivered.length - HOME_UNDELIVERED_MAX} more in the logs.`));
    }
  }

  if (queue) {
    blocks.push({ type: 'divider' });
    const ordered = orderQueue(queue);
    blocks.push(header(`Review queue (${ordered.length})`));
    if (ordered.length === 0) blocks.push(context('Nothing waiting. :tada:'));
    // Leave room for the "…and N more" line.
    const budget = LIMITS.homeBlocks - blocks.length - 1;
    let used = 0;
    let shown = 0;
    for (const submission of ordered) {
      const cost = submission.status === 'submitted' ? 2 : 1;
      if (used + cost > budget) break;
      blocks.push(section(queueLine(submission)));
      if (submission.status === 'submitted') blocks.push(reviewButtons(submission.id));
      used += cost;
      shown += 1;
    }
    if (shown < ordered.length) {
      blocks.push(
        context(
          `…and ${ordered.length - shown} more: \`/playground list all\` shows every submission.`,
        ),
      );
    }
  }
  return { type: 'home', blocks };
}

/** Waiting for review first (oldest first: first come, first served), then in progress, then failed. */
function orderQueue(queue: Submission[]): Submission[] {
  const rank = (s: Submission) => QUEUE_STATUSES.indexOf(s.status);
  return queue
    .filter((s) => QUEUE_STATUSES.includes(s.status))
    .sort((a, b) => rank(a) - rank(b) || a.updatedAt.getTime() - b.updatedAt.getTime());
}

function queueLine(submission: Submission): string {
  const spec = revisionOf(submission)?.spec;
  const line = listLine(submission, true);
  return spec ? `${line}\n${code(spec.image, 300)}` : line;
}

/** What each kind of message is, for people. */
const MESSAGE_LABEL: Record<UndeliveredMessage['entry']['intent']['kind'], string> = {
  review: 'the review message',
  root: 'an update of the review message',
  reply: 'a reply in the review thread',
  received: "the partner's confirmation",
  decided: "the partner's decision message",
  voided: "the approver's note that their approval was voided",
  status: 'the pipeline status message',
  milestone: 'a pipeline reply in the thread',
  operation: 'a promote or rollback message in the thread',
  outcome: "the partner's pipeline outcome",
  transferred: 'a service transfer notice',
  stalled: "the watchdog's note that a pipeline made no progress",
  housekeeping: 'a note of old versions stopped and deleted',
  version_room: 'a note of old versions deleted before a deploy',
};

function reviewButtons(id: string) {
  return actions([
    button('Approve', ACTION_ID.approve, { value: id, style: 'primary' }),
    button('Request changes', ACTION_ID.request_changes, { value: id }),
    button('Reject', ACTION_ID.reject, { value: id, style: 'danger' }),
  ]);
}

/**
 * Where the partner's next move is a new revision: changes were asked for, or the run ended
 * (failed or cancelled) and the fix is theirs to send. One accessory per line, so a failed
 * submission offers Edit and resubmit rather than Cancel (its thread still has Cancel).
 */
const RESUBMIT_FROM: readonly Status[] = ['changes_requested', 'failed', 'cancelled'];

function partnerAccessory(submission: Submission): Button | undefined {
  if (RESUBMIT_FROM.includes(submission.status)) {
    return button('Edit and resubmit', ACTION_ID.resubmit, {
      value: submission.id,
      style: 'primary',
    });
  }
  if (canApply(submission.status, 'cancel')) return cancelButton(submission.id);
  return undefined;
}
