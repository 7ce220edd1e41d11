// Block Kit input blocks: drawn with what the user typed so far, read back, and checked
// the way Slack's client checks them before it sends a submission.

import { h, unsupported } from './dom.js';
import { textObject } from './text.js';

export function inputBlock(b, ctx) {
  const id = `in-${ctx.viewId}-${ctx.blockId}`;
  const draft = ctx.drafts?.[ctx.blockId];
  const error = ctx.errors?.[ctx.blockId];
  return h(
    'div',
    { class: `block block-input${error ? ' has-error' : ''}`, 'data-testid': 'input-block' },
    h(
      'label',
      { class: 'input-label', for: id },
      textObject(b.label),
      b.optional && h('span', { class: 'optional' }, ' (optional)'),
    ),
    inputElement(b.element ?? {}, id, draft),
    error && h('div', { class: 'input-error', role: 'alert', 'data-testid': 'input-error' }, error),
    b.hint && h('div', { class: 'input-hint' }, textObject(b.hint)),
  );
}

function inputElement(e, id, draft) {
  const common = { id, 'data-action-id': e.action_id, 'data-element-type': e.type };
  const placeholder = e.placeholder?.text;
  switch (e.type) {
    case 'plain_text_input':
    case 'number_input': {
      const value = draft ?? e.initial_value ?? '';
      const attrs = {
        ...common,
        class: 'text-input',
        placeholder,
        maxlength: e.max_length,
        value,
      };
      if (e.type === 'number_input') attrs.inputmode = e.is_decimal_allowed ? 'decimal' : 'numeric';
      return e.multiline
        ? h('textarea', { ...attrs, rows: 4 })
        : h('input', { ...attrs, type: 'text' });
    }
    case 'static_select': {
      const chosen = draft !== undefined ? draft : (e.initial_option?.value ?? '');
      const option = (o) =>
        h('option', { value: o.value, selected: o.value === chosen }, textObject(o.text));
      return h(
        'select',
        { ...common, class: 'select' },
        h('option', { value: '', selected: chosen === '' }, placeholder ?? 'Select an option'),
        (e.options ?? []).map(option),
        (e.option_groups ?? []).map((g) =>
          h('optgroup', { label: g.label?.text ?? '' }, (g.options ?? []).map(option)),
        ),
      );
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const radio = e.type === 'radio_buttons';
      const initial = radio
        ? [e.initial_option?.value]
        : (e.initial_options ?? []).map((o) => o.value);
      const chosen = draft !== undefined ? [draft].flat() : initial;
      return h(
        'div',
        { ...common, class: 'choices', role: radio ? 'radiogroup' : 'group' },
        (e.options ?? []).map((o) =>
          h(
            'label',
            { class: 'choice' },
            h('input', {
              type: radio ? 'radio' : 'checkbox',
              name: id,
              value: o.value,
              checked: chosen.includes(o.value),
            }),
            h(
              'span',
              { class: 'choice-text' },
              textObject(o.text),
              o.description &&
                h('span', { class: 'choice-description' }, textObject(o.description)),
            ),
          ),
        ),
      );
    }
    default:
      return unsupported('element', e.type);
  }
}

/** What the user left in an input element, as the page sends it: text, option value(s) or null. */
function readInput(blockEl) {
  const el = blockEl.querySelector('[data-element-type]');
  if (!el) return undefined;
  const type = el.getAttribute('data-element-type');
  if (type === 'radio_buttons') return el.querySelector('input:checked')?.value ?? null;
  if (type === 'checkboxes') return [...el.querySelectorAll('input:checked')].map((i) => i.value);
  if (el.value === undefined) return undefined;
  return el.value === '' ? null : el.value;
}

export function readForm(root) {
  const values = {};
  for (const block of root.querySelectorAll('.block-input[data-block-id]')) {
    const value = readInput(block);
    if (value !== undefined) values[block.getAttribute('data-block-id')] = value;
  }
  return values;
}

/** Checks Slack's client makes before it sends a submission (required, lengths, numbers). */
export function clientErrors(view, values) {
  const errors = {};
  for (const b of view.blocks) {
    if (b.type !== 'input' || !b.element) continue;
    const value = values[b.block_id];
    const e = b.element;
    const empty = value === null || value === undefined || (Array.isArray(value) && !value.length);
    if (empty) {
      if (!b.optional) errors[b.block_id] = 'Please complete this required field.';
      continue;
    }
    if (e.type === 'plain_text_input' && e.min_length && [...value].length < e.min_length)
      errors[b.block_id] = `Please use at least ${e.min_length} characters.`;
    if (e.type === 'number_input') {
      const n = Number(value.trim());
      const pattern = e.is_decimal_allowed ? /^-?\d+(\.\d+)?$/ : /^-?\d+$/;
      const min = e.min_value !== undefined ? Number(e.min_value) : undefined;
      const max = e.max_value !== undefined ? Number(e.max_value) : undefined;
      if (!pattern.test(value.trim()))
        errors[b.block_id] = e.is_decimal_allowed
          ? 'Please enter a number.'
          : 'Please enter a whole number.';
      else if ((min !== undefined && n < min) || (max !== undefined && n > max))
        errors[b.block_id] =
          min !== undefined && max !== undefined
            ? `Please enter a number between ${min} and ${max}.`
            : min !== undefined
              ? `Please enter a number of at least ${min}.`
              : `Please enter a number of at most ${max}.`;
    }
  }
  return errors;
}
