// Plain messages: what the partner is told, what the review thread records, and the
// short answers for refusals and outages. Each returns `{ text, blocks? }` ready for
// chat.postMessage / chat.postEphemeral / respond.
import type { Button, KnownBlock } from '@slack/types';
import type { ApproverAction } from '../../app/access.ts';
import type { Refused, RefusedApproval, Stale } from '../../app/outcomes.ts';
import { adviceFor } from '../../domain/advice.ts';
import { describeChange } from '../../domain/approval-binding.ts';
import type { Action } from '../../domain/status.ts';
import { revisionOf, type Submission } from '../../domain/submission.ts';
import type { DecisionEvent, ResubmitEvent } from '../../ports/notifier.ts';
import { ACTION_ID } from './ids.ts';
import { approvedImageLine, partnerImageLine, unresolvedApprovalText } from './image-text.ts';
import { actions, button, context, type Message, section } from './kit.ts';
import { code, escapeMrkdwn, mention, quote, safe } from './mrkdwn.ts';
import { approvalDetails, warningsContext } from './review-message.ts';
import { statusPhrase } from './status-text.ts';

function named(submission: Submission): string {
  const service = revisionOf(submission)?.spec.service;
  return `*${submission.id}*${service ? ` (${code(service)})` : ''}`;
}

/** A Slack link; the URL is escaped the way Slack wants (`&amp;`), the label too. */
export function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label)}>`;
}

/** To the partner, right after a submission or resubmission is stored. */
export function receivedMessage(submission: Submission, permalink?: string): Required<Message> {
  const first = submission.revision <= 1;
  const what = first
    ? named(submission)
    : `Revision ${submission.revision} of ${named(submission)}`;
  const lines = [
    `:inbox_tray: ${what} is in. The Playground team will review it; you'll hear back here.`,
    `Check on it any time with \`/playground status ${submission.id}\`${permalink ? `, or follow the ${link(permalink, 'review thread')}` : ''}.`,
  ];
  const revision = revisionOf(submission);
  const image = revision && partnerImageLine(revision);
  if (image) lines.push(image);
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  const warnings = revision?.warnings ?? [];
  if (warnings.length > 0) {
    blocks.push(context('Worth a look before the review (these do not block it):'));
    blocks.push(warningsContext(warnings));
  }
  return {
    text: `${submission.id} received (revision ${submission.revision}); the Playground team will review it.`,
    blocks,
  };
}

/** To the partner, when a reviewer (or the partner, for cancel) acted on a submission. */
export function decisionMessage(
  submission: Submission,
  decision: DecisionEvent,
): Required<Message> {
  const by = mention(decision.actor.userId);
  const reason = decision.reason ? quote(decision.reason) : undefined;
  switch (decision.action) {
    case 'approve':
      return {
        text: `${submission.id} was approved; it is being built and deployed.`,
        blocks: [
          section(
            `:white_check_mark: ${named(submission)} was approved by ${by}. It is being built, tested and deployed now; you'll get the service URL here once it's live.`,
          ),
          actions([button('Edit and resubmit', ACTION_ID.resubmit, { value: submission.id })]),
          context(
            `Until its build starts you can still change it: revision ${submission.revision + 1} voids this approval and goes back for review.`,
          ),
        ],
      };
    case 'reject':
      return {
        text: `${submission.id} was rejected.`,
        blocks: [
          section(
            [
              `:x: ${named(submission)} was rejected by ${by}.`,
              reason,
              'You can start a new submission with `/playground submit`.',
            ]
              .filter(Boolean)
              .join('\n'),
          ),
        ],
      };
    case 'request_changes':
      return {
        text: `${submission.id}: the Playground team asked for changes.`,
        blocks: [
          section(
            [`:pencil2: ${by} asked for changes to ${named(submission)}:`, reason]
              .filter(Boolean)
              .join('\n'),
          ),
          editAndResubmit(submission),
          context(resubmitHint(submission)),
        ],
      };
    case 'cancel':
      return {
        text: `${submission.id} was cancelled.`,
        blocks: [
          section(
            `:no_entry_sign: ${named(submission)} was cancelled${decision.actor.userId === submission.partner.userId ? '' : ` by ${by}`}. Nothing more will be deployed from it.`,
          ),
          editAndResubmit(submission),
          context(resubmitHint(submission)),
        ],
      };
  }
}

/**
 * The partner's *Edit and resubmit* button (the handler refuses anyone else's click), with
 * any `more` buttons beside it.
 */
export function editAndResubmit(submission: Submission, more: Button[] = []) {
  return actions([
    button('Edit and resubmit', ACTION_ID.resubmit, { value: submission.id, style: 'primary' }),
    ...more,
  ]);
}

/** What the button does, under it. */
export function resubmitHint(submission: Submission): string {
  return `Your last values are filled in. Resubmitting creates revision ${submission.revision + 1}, reviewed again in the same thread.`;
}

/** A reply in the review thread recording what happened. */
export function threadReply(submission: Submission, event: DecisionEvent | ResubmitEvent): Message {
  const by = mention(event.actor.userId);
  const reason = 'reason' in event && event.reason ? `\n${quote(event.reason)}` : '';
  switch (event.action) {
    case 'approve': {
      const details = approvalDetails(submission);
      const revision = revisionOf(submission);
      const built = revision ? `\n${approvedImageLine(revision)}` : '';
      return {
        text: `:white_check_mark: Approved by ${by}${details ? ` — ${details}` : ''}${built}`,
      };
    }
    case 'reject':
      return { text: `:x: Rejected by ${by}${reason}` };
    case 'request_changes':
      return { text: `:pencil2: Changes requested by ${by}${reason}` };
    case 'cancel':
      return { text: `:no_entry_sign: Cancelled by ${by}` };
    case 'resubmit': {
      const changes = revisionChanges(submission);
      const list =
        changes.length > 0 ? `\n${changes.slice(0, 20).join('\n')}` : '\nNo field changed.';
      const more = changes.length > 20 ? `\n…and ${changes.length - 20} more` : '';
      const voided = event.voids
        ? `\nIt voids the approval by ${mention(event.voids.userId)} (its build had not started); it needs a review again.`
        : '';
      const after = event.after
        ? ` after the ${event.after === 'failed' ? 'failure' : 'cancel'}; it needs a review again`
        : '';
      return {
        text: `:repeat: Revision ${submission.revision} submitted by ${by}${after}${voided}${list}${more}`,
      };
    }
  }
}

/**
 * "• `PADDING`: 24 → 32" for every field that differs between the current revision and
 * the one before it.
 */
export function revisionChanges(submission: Submission): string[] {
  const current = revisionOf(submission);
  const previous = submission.revisions.find((r) => r.number === submission.revision - 1);
  if (!current || !previous) return [];
  const before = flatten(previous.spec);
  const after = flatten(current.spec);
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return paths
    .filter((p) => before[p] !== after[p])
    .map((p) => `• ${code(p)}: ${show(before[p])} → ${show(after[p])}`);
}

function show(value: string | undefined): string {
  return value === undefined ? '_(none)_' : safe(value, 80);
}

function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value))
      flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (value !== undefined) {
    out[prefix] = String(value);
  }
  return out;
}

/** To the approver whose approval a new revision voided before its pipeline started. */
export function voidedMessage(submission: Submission): Message {
  return {
    text: `:leftwards_arrow_with_hook: Your approval of ${named(submission)} was voided: ${mention(submission.partner.userId)} submitted revision ${submission.revision} before its build started. Nothing was built; it is waiting for review again in its thread.`,
  };
}

/** Ephemeral answer to someone who may not do this; nothing changed. */
export function refusalMessage(refused: Refused | RefusedApproval): Message {
  if ('rule' in refused) return approvalRefusalMessage(refused.rule);
  const { action } = refused;
  const texts: Record<ApproverAction, string> = {
    approve: 'Only Playground approvers can approve submissions. Nothing was changed.',
    reject: 'Only Playground approvers can reject submissions. Nothing was changed.',
    request_changes:
      'Only Playground approvers can request changes to submissions. Nothing was changed.',
    retry: 'Only Playground approvers can retry a deployment. Nothing was changed.',
    list_all:
      'Only Playground approvers can list every submission; `/playground list` shows yours.',
    doctor: 'Only Playground approvers can run the doctor.',
  };
  return { text: `:lock: ${texts[action]}` };
}

/** An approver who may not approve this submission (into this project): who may instead. */
function approvalRefusalMessage(rule: RefusedApproval['rule']): Message {
  if (rule.name === 'self_approval') {
    return { text: `:lock: You submitted ${rule.id}; another approver must approve it.` };
  }
  if (rule.name === 'unresolved_image') {
    return { text: unresolvedApprovalText(rule.image, rule.unresolved) };
  }
  if (rule.name === 'service_owned') {
    return {
      text: `:lock: ${code(rule.service)} is owned by ${mention(rule.owner.userId)} in ${code(rule.project)}, not by this submission's partner. Approve into another project, or transfer the service first (\`/playground transfer ${rule.service} @partner --project ${rule.project}\`). Nothing was changed.`,
    };
  }
  const who = approversMention(rule.approvers);
  return {
    text: `:lock: Only ${who} can approve into ${code(rule.project)}. Choose another project, or ask one of them. Nothing was changed.`,
  };
}

/** A user (U…, W…) or a user group (S…) as Slack shows it. */
function mentionId(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : mention(id);
}

/** "<@U1>, <!subteam^S2>": approvers, users and user groups, as Slack mentions them. */
export function approversMention(approvers: readonly string[]): string {
  return approvers.map(mentionId).join(', ');
}

/** When the store (Firestore) did not answer: nothing was saved, nothing half-written. */
export function unavailableMessage(): Message {
  return {
    text: `:warning: Could not save: the database did not answer. ${adviceFor({ code: 'unavailable' })}`,
  };
}

/**
 * When an action no longer applies (a second approver, a double click, a stale button):
 * says what the submission is now, e.g. "PG-0042 is approved now, so it can't be rejected".
 */
export function notAllowedMessage(submission: Submission, action: Action): Message {
  const verbs: Partial<Record<Action, string>> = {
    approve: 'approved',
    reject: 'rejected',
    request_changes: 'sent back for changes',
    cancel: 'cancelled',
    resubmit: 'resubmitted',
  };
  const verb = verbs[action] ?? `moved on (${action.replace(/_/g, ' ')})`;
  return {
    text: `${submission.id} ${statusPhrase(submission.status)}, so it can't be ${verb} now. Nothing was changed.`,
  };
}

/** A decision form sent after the submission changed: what changed; nothing was done. */
export function staleMessage(stale: Stale): Message {
  return {
    text: `:warning: ${stale.id} changed since you opened this: ${describeChange(stale.change)}. Nothing was changed; open it again from the review message.`,
  };
}

/**
 * A submission id that is not the user's or does not exist: the same answer either way,
 * so partners learn nothing about other partners' submissions.
 */
export function notFoundMessage(id: string): Message {
  const shown = code(id, 40) || '(nothing)';
  return {
    text: `No submission ${shown} of yours. Ids look like PG-0042; \`/playground list\` shows yours.`,
  };
}
