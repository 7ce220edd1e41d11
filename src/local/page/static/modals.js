// The user's modal stack: the top view drawn with its errors and drafts, submitted after
// the client-side checks, or closed.

import { post, refresh } from './api.js';
import { blocks } from './blocks.js';
import { $, h, setChildren, toast } from './dom.js';
import { clientErrors, readForm } from './inputs.js';
import { state } from './state.js';
import { textObject } from './text.js';

let modalSig = '';

export function renderModal(force = false) {
  const overlay = $('modal-overlay');
  const view = state.data.modals.at(-1);
  if (!view) {
    overlay.hidden = true;
    overlay.replaceChildren();
    modalSig = '';
    state.modalBanner = null;
    return;
  }
  const errors = { ...(view.errors ?? {}), ...(state.localErrors.get(view.id) ?? {}) };
  const sig = JSON.stringify([state.userId, view.id, view.hash, errors, state.modalBanner]);
  if (!force && sig === modalSig && !overlay.hidden) return;
  // Keep what the user typed when the same view is drawn again.
  const current = $('modal');
  if (current && current.dataset.viewId === view.id) state.drafts.set(view.id, readForm(current));
  modalSig = sig;
  const drafts = state.drafts.get(view.id) ?? {};
  const depth = state.data.modals.length;
  setChildren(
    overlay,
    h(
      'form',
      {
        class: 'dialog modal',
        role: 'dialog',
        'aria-modal': 'true',
        'data-testid': 'modal',
        'data-view-id': view.id,
        'data-callback-id': view.callback_id,
        novalidate: true,
        onsubmit: (event) => {
          event.preventDefault();
          if (view.submit) submitModal(view);
        },
        oninput: () => state.drafts.set(view.id, readForm($('modal'))),
      },
      h(
        'div',
        { class: 'modal-header' },
        depth > 1 && h('span', { class: 'modal-back', title: `${depth - 1} more below` }, '‹'),
        h('div', { class: 'modal-title', 'data-testid': 'modal-title' }, textObject(view.title)),
        h(
          'button',
          {
            type: 'button',
            class: 'icon-btn',
            'aria-label': 'Close',
            'data-testid': 'modal-x',
            onclick: () => closeModal(true),
          },
          '×',
        ),
      ),
      h(
        'div',
        { class: 'modal-body' },
        state.modalBanner &&
          h(
            'div',
            { class: 'modal-banner', role: 'alert', 'data-testid': 'modal-banner' },
            state.modalBanner,
          ),
        blocks(view.blocks, {
          container: { type: 'view', viewId: view.id },
          viewId: view.id,
          errors,
          drafts,
        }),
      ),
      h(
        'div',
        { class: 'modal-footer' },
        h(
          'button',
          {
            type: 'button',
            class: 'btn',
            'data-testid': 'modal-close',
            onclick: () => closeModal(false),
          },
          textObject(view.close) || (view.submit ? 'Cancel' : 'Close'),
        ),
        view.submit &&
          h(
            'button',
            { type: 'submit', class: 'btn btn-primary', 'data-testid': 'modal-submit' },
            textObject(view.submit),
          ),
      ),
    ),
  );
  overlay.hidden = false;
  const firstError = overlay.querySelector('.has-error [data-element-type]');
  if (firstError) firstError.focus?.();
}

async function submitModal(view) {
  const modal = $('modal');
  const values = readForm(modal);
  state.drafts.set(view.id, values);
  const errors = clientErrors(view, values);
  state.modalBanner = null;
  if (Object.keys(errors).length > 0) {
    state.localErrors.set(view.id, errors);
    renderModal(true);
    return;
  }
  state.localErrors.delete(view.id);
  modal.classList.add('busy');
  const answer = await post('submit', { viewId: view.id, values });
  modal.classList.remove('busy');
  if (!answer.ok) {
    state.modalBanner = 'We had some trouble connecting. Try again?';
    renderModal(true);
    return;
  }
  if (answer.errors) renderModal(true);
  await refresh();
}

export async function closeModal(all = false) {
  const answer = await post('close', { all });
  if (!answer.ok && answer.error !== 'no_view')
    toast(`Could not close the modal (${answer.error}).`);
  await refresh();
}
