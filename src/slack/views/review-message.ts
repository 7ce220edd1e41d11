// The root message of a submission's thread in the review channel: a readable summary
// of the spec, the image's digest (what is built), warnings, and the review buttons while it waits for review; afterwards
// the buttons give way to a line saying who did what, and when.
import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { type Action, statusLabel } from '../../domain/status.ts';
import { type Actor, type Revision, revisionOf, type Submission } from '../../domain/submission.ts';
import { SPEC_DEFAULTS, type SubmissionSpec } from '../../domain/submission-spec/index.ts';
import { defaultVersionId } from '../../domain/version-id.ts';
import { ACTION_ID } from './ids.ts';
import { builtFromLine, imageField } from './image-text.ts';
import { actions, button, context, header, LIMITS, type Message, md, section } from './kit.ts';
import {
  code,
  escapeMrkdwn,
  mention,
  plural,
  quote,
  safe,
  slackDate,
  truncateMrkdwn,
} from './mrkdwn.ts';
import { updateOfLiveBlocks } from './ownership.ts';

/** What happened to a submission, for the lines that record it. */
export interface Decision {
  action: Action;
  actor: Actor;
  at: Date;
  /** The reason given with a reject or a request for changes. */
  reason?: string;
}

/** Emoji and past-tense verb for each action, as shown in the review channel. */
const DONE: Partial<Record<Action, { emoji: string; verb: string }>> = {
  approve: { emoji: ':white_check_mark:', verb: 'Approved' },
  reject: { emoji: ':x:', verb: 'Rejected' },
  request_changes: { emoji: ':pencil2:', verb: 'Changes requested' },
  cancel: { emoji: ':no_entry_sign:', verb: 'Cancelled' },
  resubmit: { emoji: ':repeat:', verb: 'Resubmitted' },
};

/** The root message of the review thread. Pass `decision` once the submission was acted on. */
export function reviewMessage(
  submission: Submission,
  options: { decision?: Decision } = {},
): Required<Message> {
  const revision = revisionOf(submission);
  const spec = revision?.spec;
  const blocks: KnownBlock[] = [header(`${submission.id} · ${spec?.service ?? 'submission'}`)];

  const fields = [
    field('Partner', mention(submission.partner.userId)),
    field('Status', escapeMrkdwn(statusLabel(submission.status))),
  ];
  if (revision) fields.push(...specFields(revision));
  fields.push(
    field(
      'Revision',
      `${submission.revision}${revision ? `, submitted ${slackDate(revision.submittedAt)}` : ''}`,
    ),
  );
  blocks.push({ type: 'section', fields: fields.slice(0, LIMITS.sectionFields) });
  // What is built: the digest, not the tag (which may name another image by then).
  if (revision) blocks.push(context(builtFromLine(revision, submission.status === 'submitted')));
  if (spec && revision?.updateOf) {
    const digest = revision.image?.kind === 'resolved' ? revision.image.digest : undefined;
    blocks.push(...updateOfLiveBlocks(revision.updateOf, spec, digest));
  }

  if (spec) {
    const about = describeSection(spec);
    if (about) blocks.push(about);
  }

  const warnings = revision?.warnings ?? [];
  if (warnings.length > 0) blocks.push(warningsContext(warnings));

  if (submission.status === 'submitted') {
    blocks.push(
      actions([
        button('Approve', ACTION_ID.approve, { value: submission.id, style: 'primary' }),
        button('Request changes', ACTION_ID.request_changes, { value: submission.id }),
        button('Reject', ACTION_ID.reject, { value: submission.id, style: 'danger' }),
      ]),
    );
  } else {
    blocks.push(context(decisionLine(submission, options.decision)));
  }

  // No mention in the notification text: the partner is named in the blocks.
  const text = `${submission.id} · ${spec ? spec.service : 'submission'}: ${statusLabel(submission.status)} (revision ${submission.revision})`;
  return { text, blocks };
}

function field(label: string, value: string): MrkdwnElement {
  return md(`*${label}*\n${truncateMrkdwn(value, LIMITS.sectionField - label.length - 4)}`);
}

function specFields(revision: Revision) {
  const { spec } = revision;
  const size = 256 + 2 * spec.PADDING;
  const { resources: r, gunicorn: g } = spec;
  const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);
  const resourcesDefault = same(r, SPEC_DEFAULTS.resources) ? ' (defaults)' : '';
  const gunicornDefault = same(g, SPEC_DEFAULTS.gunicorn) ? ' (defaults)' : '';
  return [
    field('Image', imageField(revision)),
    field('Service', code(spec.service)),
    field(
      'Tile',
      `zoom ${spec.ZOOM_LEVEL} · padding ${spec.PADDING} px · ${size} × ${size} px images`,
    ),
    field('Predictor', code(`${spec.PREDICTOR_PACKAGE}.${spec.PREDICTOR_CLASS}`, 600)),
    field(
      'Resources',
      `${plural(r.cpu, 'CPU')} · ${r.memory_gb} GB memory · ${r.disk_size_gb} GB disk${resourcesDefault}`,
    ),
    field(
      'Gunicorn',
      `${plural(g.workers, 'worker')} · backlog ${g.backlog} · timeout ${g.timeout} s${gunicornDefault}`,
    ),
  ];
}

/** Title, organization, email and description, when the partner gave any. */
export function describeSection(spec: SubmissionSpec): SectionBlock | undefined {
  const d = spec.describe;
  const head = [
    d.title ? `*${safe(d.title, 150)}*` : undefined,
    d.organization ? safe(d.organization, 150) : undefined,
    d.email ? safe(d.email, 254) : undefined,
  ].filter((part) => part !== undefined);
  const lines: string[] = [];
  if (head.length > 0) lines.push(head.join(' · '));
  if (d.description) lines.push(quote(d.description, 1200));
  return lines.length > 0 ? section(lines.join('\n')) : undefined;
}

/** `:warning:` lines for the spec's warnings (unpinned image, many workers...). */
export function warningsContext(warnings: { path: string; message: string }[]): ContextBlock {
  const shown = warnings
    .slice(0, 8)
    .map((w) => `:warning: ${w.path ? `*${escapeMrkdwn(w.path)}*: ` : ''}${safe(w.message, 300)}`);
  if (warnings.length > shown.length) shown.push(`…and ${warnings.length - shown.length} more`);
  return context(shown.join('\n'));
}

/**
 * "Approved by @ana on Mar 4 at 14:05 — project pg-prod, version pg-0042-r1, traffic
 * promoted". Without `decision`, says what it can from the submission itself.
 */
export function decisionLine(submission: Submission, decision?: Decision): string {
  const action = decision?.action ?? impliedAction(submission);
  const done = action ? DONE[action] : undefined;
  if (!done) {
    return `*${escapeMrkdwn(statusLabel(submission.status))}* since ${slackDate(submission.updatedAt)}`;
  }
  const actor = decision?.actor ?? (action === 'approve' ? submission.approval?.by : undefined);
  const at =
    decision?.at ??
    (action === 'approve' ? submission.approval?.at : undefined) ??
    submission.updatedAt;
  let line = `${done.emoji} *${done.verb}*${actor ? ` by ${mention(actor.userId)}` : ''} on ${slackDate(at)}`;
  if (action === 'approve' && submission.approval) line += ` — ${approvalDetails(submission)}`;
  const reason =
    decision?.reason ??
    (action === 'reject' || action === 'request_changes' ? submission.reason : undefined);
  if (reason) line += `\n${quote(reason, 1500)}`;
  if (action === 'approve' && submission.status !== 'approved') {
    line += `\nNow: *${escapeMrkdwn(statusLabel(submission.status))}*`;
  }
  return line;
}

/** "project `pg-prod`, version `pg-0042-r1`, traffic promoted". */
export function approvalDetails(submission: Submission): string {
  const approval = submission.approval;
  if (!approval) return '';
  const version = approval.versionLabel ?? defaultVersionId(submission.id, submission.revision);
  const traffic = approval.promote ? 'traffic promoted' : 'traffic not promoted';
  return `project ${code(approval.project)}, version ${code(version)}, ${traffic}`;
}

function impliedAction(submission: Submission): Action | undefined {
  switch (submission.status) {
    case 'rejected':
      return 'reject';
    case 'changes_requested':
      return 'request_changes';
    case 'cancelled':
      return 'cancel';
    case 'submitted':
      return undefined;
    default:
      // approved and every pipeline status: the approval is what a reviewer did.
      return submission.approval ? 'approve' : undefined;
  }
}
