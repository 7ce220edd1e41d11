// Block Kit (https://docs.slack.dev/reference/block-kit/blocks): the blocks of messages,
// modals and Home. Unknown blocks and elements are shown as such, never dropped.

import { clickButton } from './actions.js';
import { h, unsupported } from './dom.js';
import { inputBlock } from './inputs.js';
import { textObject } from './text.js';

/**
 * Renders blocks. `ctx`: { container: {...} for actions, viewId?, errors?: {blockId: text} }.
 * Unknown blocks and elements are shown as such, never dropped.
 */
export function blocks(list, ctx) {
  return h(
    'div',
    { class: 'blocks' },
    (list ?? []).map((block, i) => {
      const blockId = block.block_id ?? `auto-${i}`;
      const render = BLOCKS[block.type];
      const el = render ? render(block, { ...ctx, blockId }) : unsupported('block', block.type);
      el.setAttribute('data-block-id', blockId);
      el.setAttribute('data-block-type', String(block.type));
      return el;
    }),
  );
}

const BLOCKS = {
  header: (b) => h('div', { class: 'block block-header', role: 'heading' }, textObject(b.text)),
  divider: () => h('hr', { class: 'block block-divider' }),
  section: (b, ctx) =>
    h(
      'div',
      { class: 'block block-section' },
      h(
        'div',
        { class: 'section-main' },
        b.text && h('div', { class: 'section-text' }, textObject(b.text)),
        b.fields &&
          h(
            'div',
            { class: 'section-fields' },
            b.fields.map((f) => h('div', { class: 'section-field' }, textObject(f))),
          ),
      ),
      b.accessory && h('div', { class: 'section-accessory' }, element(b.accessory, ctx)),
    ),
  context: (b) =>
    h(
      'div',
      { class: 'block block-context' },
      (b.elements ?? []).map((e) =>
        e.type === 'image'
          ? h('span', { class: 'context-image' }, `[${e.alt_text ?? 'image'}]`)
          : h('span', { class: 'context-text' }, textObject(e)),
      ),
    ),
  actions: (b, ctx) =>
    h(
      'div',
      { class: 'block block-actions' },
      (b.elements ?? []).map((e) => element(e, ctx)),
    ),
  input: (b, ctx) => inputBlock(b, ctx),
};

/** An interactive element outside input blocks: buttons (the bot uses only those). */
function element(e, ctx) {
  if (e.type !== 'button') return unsupported('element', e.type);
  const classes = ['btn', e.style ? `btn-${e.style}` : ''].join(' ').trim();
  return h(
    'button',
    {
      type: 'button',
      class: classes,
      'data-testid': 'button',
      'data-action-id': e.action_id,
      'data-block-id': ctx.blockId,
      'data-value': e.value,
      onclick: (event) => clickButton(event.currentTarget, e, ctx),
    },
    textObject(e.text),
  );
}
