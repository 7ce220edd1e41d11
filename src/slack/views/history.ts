// The answer to `/playground history <id>`: a submission's audit trail.
import type { KnownBlock } from '@slack/types';
import type { AuditEvent, Submission } from '../../domain/submission.ts';
import { context, LIMITS, type Message, section, sectionsOf } from './kit.ts';
import { plural } from './mrkdwn.ts';
import { eventLine, statusPhrase } from './status-text.ts';

/** The title and the note on what was cut take two blocks; the trail gets the rest. */
const TRAIL_BLOCKS = LIMITS.messageBlocks - 2;

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
