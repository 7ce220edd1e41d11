// Modals that only say something: the loading view a click opens at once (its trigger_id
// lives 3 seconds), and what replaces a form that cannot be given or sent.
import type { ModalView } from '@slack/types';
import { CALLBACK_ID } from './ids.ts';
import { context, LIMITS, type Message, plain, section } from './kit.ts';

/**
 * Shown before any slow work (opened by a click, or answering a sent form); views.update
 * fills it with the form, the outcome or a notice.
 */
export function loadingModal(title: string, doing = 'Loading…'): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK_ID.loading,
    title: plain(title, LIMITS.modalTitle),
    close: plain('Cancel', LIMITS.modalButton),
    blocks: [context(`:hourglass_flowing_sand: ${doing}`)],
  };
}

/** "You cannot approve PG-0042." and why, with only a Close button. */
export function noticeModal(options: {
  title: string;
  headline: string;
  message: Message;
}): ModalView {
  return {
    type: 'modal',
    title: plain(options.title, LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalButton),
    blocks: [section(`*${options.headline}*\n${options.message.text}`)],
  };
}
