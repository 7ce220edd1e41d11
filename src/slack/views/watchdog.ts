// What the watchdog's sweep says in the thread about a pipeline that made no progress for
// much longer than its step may take (src/pipeline/sweep.ts). A pure builder.
import { formatDuration } from '../../domain/duration.ts';
import type { Submission } from '../../domain/submission.ts';
import type { MessageIntent } from '../../ports/notifier.ts';
import { actions, type Message, section } from './kit.ts';
import { approversMention } from './messages.ts';
import { escapeMrkdwn } from './mrkdwn.ts';
import { STEP_LABEL } from './progress.ts';
import { cancelButton } from './status-text.ts';

/** The thread's note about a stalled attempt, approvers mentioned, with Cancel. */
export function stalledMessage(
  submission: Submission,
  intent: Extract<MessageIntent, { kind: 'stalled' }>,
  approvers: readonly string[],
): Message {
  const id = escapeMrkdwn(submission.id);
  const step = STEP_LABEL[intent.step];
  const limit =
    intent.deadlineMs === undefined
      ? ''
      : ` (its deadline is ${formatDuration(intent.deadlineMs)})`;
  const quiet = formatDuration(intent.quietMs);
  const ask = approvers.length > 0 ? `${approversMention(approvers)}: look at it.` : 'Look at it.';
  return {
    text: `${id} has made no progress at ${step} for ${quiet}${limit}`,
    blocks: [
      section(
        `:rotating_light: *${id}* has made no progress at *${step}* for ${quiet}${limit}: the bot may have lost track of it (attempt ${intent.attempt}).`,
      ),
      section(
        `${ask} Cancel stops it and removes nothing; the partner can then edit and resubmit it. If it moves on by itself, nothing needs doing.`,
      ),
      actions([cancelButton(submission.id)]),
    ],
  };
}
