// What service ownership says in Slack: an update of a live model on the review message
// (which version it replaces, what changes field by field), the DMs of a transfer, and the
// answers of `/playground transfer`.
import type { KnownBlock } from '@slack/types';
import type { TransferOutcome } from '../../app/transfer.ts';
import { specChanges, type UpdateOfLive } from '../../domain/service-record.ts';
import type { SubmissionSpec } from '../../domain/submission-spec/index.ts';
import type { ServiceTransfer } from '../../ports/notifier.ts';
import { context, type Message, section } from './kit.ts';
import { code, mention } from './mrkdwn.ts';

/** Changed fields shown on the review message; the rest are counted. */
const CHANGES_SHOWN = 12;

const WHY: Record<UpdateOfLive['chosen'], string> = {
  default_project: 'the default target project',
  only_project: 'the only target project where it is live',
  first_project: 'the first target project where it is live',
};

/**
 * "Update of live my-service (pg-prod): live version pg-0012-r2 from PG-0012 r2", with the
 * fields that change against what is live, old → new.
 */
export function updateOfLiveBlocks(
  update: UpdateOfLive,
  spec: SubmissionSpec,
  digest?: string,
): KnownBlock[] {
  const { live, project } = update;
  const head = `:arrows_counterclockwise: *Update of live ${code(spec.service)} (${code(project)})*: live version ${code(live.version)} from ${live.submissionId} r${live.revision}`;
  const changes = specChanges(live.spec, spec);
  // The same tag may name another image now: the digest says whether the model changed.
  if (live.digest !== digest) {
    const unknown = 'not resolved';
    changes.unshift({
      path: 'image digest',
      before: live.digest ?? unknown,
      after: digest ?? unknown,
    });
  }
  const lines = changes
    .slice(0, CHANGES_SHOWN)
    .map((c) => `• *${c.path}*: ${code(c.before, 120)} → ${code(c.after, 120)}`);
  if (changes.length > CHANGES_SHOWN) lines.push(`…and ${changes.length - CHANGES_SHOWN} more`);
  const body = lines.length > 0 ? lines.join('\n') : 'No field changes against what is live.';
  return [
    section(`${head}\n${body}`),
    context(`Compared with the live version in ${code(project)}, ${WHY[update.chosen]}.`),
  ];
}

/** The DM to the old or the new owner of a transferred service. */
export function transferMessage(
  transfer: ServiceTransfer,
  recipient: 'old' | 'new',
): Required<Message> {
  const { service, project, from, to, by } = transfer;
  const what = `${code(service)} in ${code(project)}`;
  const text =
    recipient === 'new'
      ? `:handshake: ${mention(by.userId)} transferred ${what} to you (from ${mention(from.userId)}). You may now submit updates of it.`
      : `:handshake: ${mention(by.userId)} transferred ${what} from you to ${mention(to.userId)}. Submissions for it are now theirs to make.`;
  return {
    text: `${service} (${project}) was transferred ${recipient === 'new' ? 'to you' : `to ${to.name ?? to.userId}`}.`,
    blocks: [section(text)],
  };
}

/** The ephemeral answer to `/playground transfer`. */
export function transferAnswer(outcome: TransferOutcome): Message {
  switch (outcome.kind) {
    case 'done': {
      const { service, project, from, to } = outcome.transfer;
      const team = outcome.team ? `, with the members of <!subteam^${outcome.team}>` : '';
      return {
        text: `:handshake: ${code(service)} in ${code(project)} now belongs to ${mention(to.userId)}${team} (was ${mention(from.userId)}). Both were told.`,
      };
    }
    case 'refused':
      return {
        text: ':lock: Only Playground approvers can transfer a service. Nothing was changed.',
      };
    case 'usage':
      return {
        text: `${outcome.problem}. Usage: \`/playground transfer SERVICE @user [--team @group] [--project P]\`.`,
      };
    case 'unknown_service':
      return {
        text: `No service ${code(outcome.service, 80)} is owned in ${outcome.projects.map((p) => code(p)).join(', ')}. Check the name; \`--project P\` picks the project.`,
      };
    case 'ambiguous':
      return {
        text: `${code(outcome.service)} is owned in ${outcome.projects.map((p) => code(p)).join(' and ')}: say which with \`--project P\`.`,
      };
  }
}
