// Drawings of use-case outcomes that more than one handler gives.
import type { CancelOutcome } from '../app/cancel.ts';
import type { NotAllowed, NotFound, Refused, RefusedApproval, Stale } from '../app/outcomes.ts';
import type { Message } from './views/kit.ts';
import {
  notAllowedMessage,
  notFoundMessage,
  refusalMessage,
  staleMessage,
} from './views/messages.ts';

/** Why nothing was done: refused, no such submission (of yours), not in this status, or stale. */
export function notDoneMessage(
  outcome: Refused | RefusedApproval | NotFound | NotAllowed | Stale,
): Message {
  switch (outcome.kind) {
    case 'stale':
      return staleMessage(outcome);
    case 'refused':
      return refusalMessage(outcome);
    case 'not_found':
      return notFoundMessage(outcome.id);
    case 'not_allowed':
      return notAllowedMessage(outcome.submission, outcome.action);
  }
}

/** `/playground cancel` and the Cancel button answer alike. */
export function cancelMessage(outcome: CancelOutcome): Message {
  if (outcome.kind !== 'done') return notDoneMessage(outcome);
  return { text: `:no_entry_sign: ${outcome.submission.id} is cancelled.` };
}
