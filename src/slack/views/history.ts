// The answer to `/playground history <id>`: a submission's audit trail.
import type { KnownBlock } from '@slack/types';
import type { AuditEvent, Submission } from '../../domain/submission.ts';
import { context, type Message, section, sectionsOf } from './kit.ts';
import { plural } from './mrkdwn.ts';
import { eventLine, statusPhrase } from './status-text.ts';

/**
 * Sections of trail shown at most (3000 characters each): far under Slack's blocks per
 * message (the title and the note take two more), and as much as anyone reads.
 */
const TRAIL_BLOCKS = 10;

/**
 * Every event, oldest first, refusals included. A trail longer than one message holds
 * keeps its newest events and says how many earlier ones are left out.
 */
export function historyBlocks(submission: Submission, events: AuditEvent[]): Required<Message> {
  const lines = events.map((event) => `• ${eventLine(event)}`);
  let shown = lines;
  while (sectionsOf(shown).length > TRAIL_BLOCKS) {
    shown = shown.slice(Math.ceil(shown.length / 10));
  }
  const left = lines.length - shown.length;
  const blocks: KnownBlock[] = [
    section(`*History of ${submission.id}* (it ${statusPhrase(submission.status)})`),
    ...(shown.length > 0 ? sectionsOf(shown) : [section('_Nothing recorded yet._')]),
  ];
  if (left > 0) {
    blocks.push(context(`${plural(left, 'earlier event')} not shown: the newest come last.`));
  }
  return {
    text: `History of ${submission.id}: ${plural(events.length, 'event')}.`,
    blocks,
  };
}
