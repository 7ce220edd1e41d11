// The reason modal behind Reject and Request changes: the partner reads the reason.
import type { ViewStateValue } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import { revisionOf, type Submission } from '../../domain/submission.ts';
import {
  type DecisionMetadata,
  decisionMetadata,
  parseDecisionMetadata,
} from './decision-metadata.ts';
import { CALLBACK_ID, REASON_BLOCK_ID, VALUE_ACTION_ID } from './ids.ts';
import { overLongInputs, type TextLimit } from './input-limits.ts';
import { context, fromMetadata, LIMITS, plain, section, stringOf, toMetadata } from './kit.ts';
import { code, mention } from './mrkdwn.ts';

export type ReasonAction = 'reject' | 'request_changes';

export interface ReasonMetadata extends DecisionMetadata {
  /** Which button opened the modal (both share the `reason` callback id). */
  action: ReasonAction;
}

export const REASON_MAX = 2000;

/** The reason box's max_length, which its reader holds to as well. */
const REASON_LIMITS: Readonly<Record<string, TextLimit>> = {
  [REASON_BLOCK_ID]: { label: 'Reason', characters: REASON_MAX },
};

export function reasonModal(options: {
  submission: Submission;
  action: ReasonAction;
  metadata: { id: string; channel?: string; ts?: string };
}): ModalView {
  const { submission, action } = options;
  const spec = revisionOf(submission)?.spec;
  const reject = action === 'reject';
  const blocks: KnownBlock[] = [
    section(
      `*${submission.id}* · ${spec ? code(spec.service) : 'submission'} from ${mention(submission.partner.userId)}, revision ${submission.revision}`,
    ),
    {
      type: 'input',
      block_id: REASON_BLOCK_ID,
      label: plain(reject ? 'Why is it rejected?' : 'What should the partner change?'),
      hint: plain(
        reject
          ? 'The partner reads this. Rejecting ends this submission; they can start a new one.'
          : 'The partner reads this and gets a button to edit and resubmit; the new revision comes back to this thread.',
      ),
      element: {
        type: 'plain_text_input',
        action_id: VALUE_ACTION_ID,
        multiline: true,
        min_length: 1,
        max_length: REASON_MAX,
        focus_on_load: true,
      },
    },
  ];
  if (!reject)
    blocks.push(
      context(
        'Be specific: name the field and the value you expect, e.g. "PADDING: 32, the model needs 320 px tiles".',
      ),
    );
  return {
    type: 'modal',
    callback_id: CALLBACK_ID.reason,
    title: plain(reject ? `Reject ${submission.id}` : 'Request changes', LIMITS.modalTitle),
    submit: plain(reject ? 'Reject' : 'Send to partner', LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: toMetadata({ ...decisionMetadata(options.metadata, submission), action }),
    blocks,
  };
}

export function parseReasonMetadata(text: string | undefined): ReasonMetadata | undefined {
  const raw = fromMetadata(text);
  const action = stringOf(raw, 'action');
  if (action !== 'reject' && action !== 'request_changes') return undefined;
  const metadata = parseDecisionMetadata(raw);
  return metadata && { ...metadata, action };
}

export type ReasonFormResult =
  | { ok: true; reason: string }
  | { ok: false; errors: Record<string, string> };

/** The reason, trimmed; an error on its block when it is over its limit or blank. */
export function readReasonForm(
  values: Record<string, Record<string, ViewStateValue>>,
): ReasonFormResult {
  const tooLong = overLongInputs(values, REASON_LIMITS);
  if (tooLong) return { ok: false, errors: tooLong };
  const state = Object.hasOwn(values, REASON_BLOCK_ID)
    ? values[REASON_BLOCK_ID]?.[VALUE_ACTION_ID]
    : undefined;
  const reason = (state?.value ?? '').trim();
  if (reason === '') {
    return {
      ok: false,
      errors: { [REASON_BLOCK_ID]: 'Write a reason; the partner needs to know what to do next' },
    };
  }
  return { ok: true, reason };
}
