// Button clicks: a block_actions for the app, after the button's confirm dialog if it has one.

import { post } from './api.js';
import { $, h, setChildren, toast } from './dom.js';
import { readForm } from './inputs.js';
import { textObject } from './text.js';

export function clickButton(button, e, ctx) {
  if (e.url) window.open(e.url, '_blank', 'noopener');
  const send = () => sendAction(button, e, ctx);
  if (e.confirm) confirmDialog(e.confirm, send);
  else send();
}

async function sendAction(button, e, ctx) {
  button.classList.add('busy');
  button.setAttribute('aria-busy', 'true');
  const modal = ctx.container.type === 'view' ? $('modal') : null;
  const answer = await post('action', {
    actionId: e.action_id,
    blockId: ctx.blockId,
    ...(e.value !== undefined ? { value: e.value } : {}),
    text: e.text?.text,
    ...(e.style ? { style: e.style } : {}),
    container: ctx.container,
    ...(modal ? { values: readForm(modal) } : {}),
  });
  button.classList.remove('busy');
  button.removeAttribute('aria-busy');
  if (!answer.ok) {
    button.classList.add('failed');
    toast(`The app did not answer this click (${answer.error}).`);
  }
}

function confirmDialog(confirm, onConfirm) {
  const overlay = $('confirm-overlay');
  const close = () => {
    overlay.hidden = true;
    overlay.replaceChildren();
  };
  const danger = confirm.style === 'danger';
  setChildren(
    overlay,
    h(
      'div',
      {
        class: 'dialog confirm',
        role: 'alertdialog',
        'aria-modal': 'true',
        'data-testid': 'confirm-dialog',
      },
      h('div', { class: 'dialog-title' }, textObject(confirm.title) || 'Are you sure?'),
      h('div', { class: 'dialog-body' }, textObject(confirm.text)),
      h(
        'div',
        { class: 'dialog-footer' },
        h(
          'button',
          { type: 'button', class: 'btn', 'data-testid': 'confirm-deny', onclick: close },
          textObject(confirm.deny) || 'Cancel',
        ),
        h(
          'button',
          {
            type: 'button',
            class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`,
            'data-testid': 'confirm-yes',
            onclick: () => {
              close();
              onConfirm();
            },
          },
          textObject(confirm.confirm) || 'Yes',
        ),
      ),
    ),
  );
  overlay.hidden = false;
  overlay.querySelector('[data-testid="confirm-yes"]').focus();
}
