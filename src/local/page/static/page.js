// The local Slack page: renders the stand-in's state (GET /state) and turns clicks into
// what Slack would send the bot (POST /command, /action, /submit, /close, /home). Every
// change in the stand-in arrives as a Server-Sent Event and triggers a re-fetch.
// All text goes through textContent / text nodes: nothing is ever parsed as HTML.

// ---------------------------------------------------------------------------------------
// Small DOM helper: h('div', { class: 'x', 'data-ts': ts, onclick }, child, 'text', ...)

function h(tag, attrs = {}, ...children) {
  if (typeof attrs !== 'object' || attrs === null || attrs instanceof Node || Array.isArray(attrs))
    return h(tag, {}, attrs, ...children);
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled') el[key] = true;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children; arrays are flattened, empty values skipped. */
function setChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

// ---------------------------------------------------------------------------------------
// Text: emoji shortcodes, Slack's mrkdwn (https://docs.slack.dev/messaging/formatting-message-text)

const EMOJI = {
  arrows_counterclockwise: '🔄',
  bulb: '💡',
  clipboard: '📋',
  construction: '🚧',
  eyes: '👀',
  gear: '⚙️',
  hammer_and_wrench: '🛠️',
  heavy_check_mark: '✔️',
  heavy_minus_sign: '➖',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  inbox_tray: '📥',
  information_source: 'ℹ️',
  large_blue_circle: '🔵',
  large_green_circle: '🟢',
  link: '🔗',
  lock: '🔒',
  mag: '🔍',
  memo: '📝',
  no_entry_sign: '🚫',
  package: '📦',
  pencil2: '✏️',
  red_circle: '🔴',
  repeat: '🔁',
  rocket: '🚀',
  tada: '🎉',
  test_tube: '🧪',
  thumbsup: '👍',
  '+1': '👍',
  warning: '⚠️',
  white_check_mark: '✅',
  white_large_square: '⬜',
  x: '❌',
};

const emojify = (text) => text.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
const decode = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A text object (plain_text or mrkdwn) as nodes. */
function textObject(object) {
  if (!object || typeof object.text !== 'string') return '';
  return object.type === 'mrkdwn' ? mrkdwn(object.text) : emojify(object.text);
}

/** Slack mrkdwn as a fragment: code blocks, quotes, inline code, links, mentions, emphasis. */
function mrkdwn(text) {
  const frag = document.createDocumentFragment();
  const parts = String(text).split('```');
  parts.forEach((part, i) => {
    const closed = i % 2 === 1 && i < parts.length - 1;
    if (closed) frag.append(h('pre', { class: 'code-block' }, decode(part.replace(/^\n/, ''))));
    else frag.append(lines(i % 2 === 1 ? `\`\`\`${part}` : part));
  });
  return frag;
}

function lines(text) {
  const frag = document.createDocumentFragment();
  const all = text.split('\n');
  let quote = null;
  all.forEach((line, i) => {
    if (line.startsWith('>')) {
      if (!quote) {
        quote = h('blockquote');
        frag.append(quote);
      } else quote.append(h('br'));
      quote.append(inline(line.slice(1)));
      return;
    }
    if (quote) {
      quote = null;
      if (line === '' && i === all.length - 1) return;
    } else if (i > 0) frag.append(h('br'));
    frag.append(inline(line));
  });
  return frag;
}

// Tokens that take no further formatting are swapped for private-use characters first,
// so emphasis can wrap them (`*Approved* by <@U1>`, `*<@U1>*`).
const TOKEN = /`([^`\n]+)`|<([^<>\n]+)>/g;
const EMPHASIS = /(^|[^\p{L}\p{N}])([*_~])(?=\S)([^\n]*?[^\s])\2(?=$|[^\p{L}\p{N}])/u;
const TAGS = { '*': 'strong', _: 'em', '~': 's' };

function inline(text) {
  const tokens = [];
  const masked = text.replace(TOKEN, (_m, code, angle) => {
    tokens.push(code !== undefined ? h('code', {}, decode(code)) : special(angle));
    return String.fromCharCode(0xe000 + tokens.length - 1);
  });
  return emphasis(masked, tokens);
}

function emphasis(text, tokens) {
  const frag = document.createDocumentFragment();
  let rest = text;
  for (let m = EMPHASIS.exec(rest); m; m = EMPHASIS.exec(rest)) {
    frag.append(plainWithTokens(rest.slice(0, m.index) + m[1], tokens));
    frag.append(append(h(TAGS[m[2]]), [emphasis(m[3], tokens)]));
    rest = rest.slice(m.index + m[0].length);
  }
  frag.append(plainWithTokens(rest, tokens));
  return frag;
}

function plainWithTokens(text, tokens) {
  const frag = document.createDocumentFragment();
  for (const piece of text.split(/([\ue000-\uf8ff])/)) {
    if (piece === '') continue;
    const code = piece.charCodeAt(0);
    if (piece.length === 1 && code >= 0xe000 && code <= 0xf8ff && tokens[code - 0xe000])
      frag.append(tokens[code - 0xe000].cloneNode(true));
    else frag.append(emojify(decode(piece)));
  }
  return frag;
}

/** `<@U1>`, `<#C1|name>`, `<!here>`, `<!date^…|fallback>`, `<url|label>`. */
function special(inner) {
  const [target, ...labelParts] = inner.split('|');
  const label = labelParts.join('|');
  if (/^@[UW]/.test(target)) {
    const id = target.slice(1);
    return h('span', { class: 'mention', 'data-user': id }, `@${nameOf(id, label)}`);
  }
  if (target.startsWith('#'))
    return h('span', { class: 'mention' }, `#${label || target.slice(1)}`);
  if (target.startsWith('!date^')) return formatDate(target, label);
  if (target.startsWith('!subteam^')) return h('span', { class: 'mention' }, label || '@group');
  if (target.startsWith('!')) return h('span', { class: 'mention' }, `@${target.slice(1)}`);
  const url = decode(target);
  const shown = label ? emojify(decode(label)) : url;
  if (!/^(https?:|mailto:)/i.test(url)) return document.createTextNode(shown);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, shown);
}

function formatDate(target, fallback) {
  const [, unix, format = '{date}', link] = target.split('^');
  const date = new Date(Number(unix) * 1000);
  if (!Number.isFinite(date.getTime())) return document.createTextNode(decode(fallback));
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diff = Math.round((day(date) - day(new Date())) / 86_400_000);
  const pretty = { 0: 'Today', '-1': 'Yesterday', 1: 'Tomorrow' }[diff];
  const fmt = (o) => date.toLocaleDateString(undefined, o);
  const parts = {
    date_num: date.toISOString().slice(0, 10),
    date: fmt({ month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: fmt({ month: 'short', day: 'numeric', year: 'numeric' }),
    date_long: fmt({ weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    time: date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    time_secs: date.toLocaleTimeString(),
  };
  parts.date_pretty = pretty ?? parts.date;
  parts.date_short_pretty = pretty ?? parts.date_short;
  parts.date_long_pretty = pretty ?? parts.date_long;
  const text = format.replace(/\{(\w+)\}/g, (m, key) => parts[key] ?? m);
  const title = decode(fallback || date.toISOString());
  return link && /^https?:/.test(link)
    ? h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', title }, text)
    : h('time', { datetime: date.toISOString(), title }, text);
}

const nameOf = (id, fallback) => state.data?.names?.[id] ?? fallback ?? id;

const timeOf = (ts) =>
  new Date(Number.parseFloat(ts) * 1000).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });

// ---------------------------------------------------------------------------------------
// Block Kit (https://docs.slack.dev/reference/block-kit/blocks)

/**
 * Renders blocks. `ctx`: { container: {...} for actions, viewId?, errors?: {blockId: text} }.
 * Unknown blocks and elements are shown as such, never dropped.
 */
function blocks(list, ctx) {
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

function unsupported(what, type) {
  return h(
    'div',
    { class: `unsupported unsupported-${what}`, 'data-testid': `unsupported-${what}` },
    `[unsupported ${what}: ${type}]`,
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

// --- input blocks ------------------------------------------------------------------------

function inputBlock(b, ctx) {
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

function readForm(root) {
  const values = {};
  for (const block of root.querySelectorAll('.block-input[data-block-id]')) {
    const value = readInput(block);
    if (value !== undefined) values[block.getAttribute('data-block-id')] = value;
  }
  return values;
}

/** Checks Slack's client makes before it sends a submission (required, lengths, numbers). */
function clientErrors(view, values) {
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

// ---------------------------------------------------------------------------------------
// State, server calls, live updates

const params = new URLSearchParams(location.search);
const state = {
  userId: params.get('user') ?? '',
  /** { kind: 'channel', id } or { kind: 'app', tab: 'home' | 'messages' } */
  place:
    params.get('place') === 'home' || params.get('place') === 'messages'
      ? { kind: 'app', tab: params.get('place') }
      : { kind: 'channel', id: params.get('channel') ?? '' },
  thread: null,
  data: null,
  /** viewId -> { blockId: value } typed into modals, kept across re-renders. */
  drafts: new Map(),
  /** viewId -> errors from the page's own checks. */
  localErrors: new Map(),
  /** Slackbot's answers that never reached the app ("/x is not a valid command"). */
  notices: [],
  dismissed: new Set(),
  modalBanner: null,
};

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: state.userId, ...body }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: 'bad_answer' }));
  if (!response.ok && answer.ok !== false) answer.ok = false;
  return answer;
}

let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const response = await fetch(`state?user=${encodeURIComponent(state.userId)}`);
      if (response.ok) {
        state.data = await response.json();
        if (!state.userId) state.userId = state.data.me.id;
        render();
      } else if (response.status === 400 && state.userId) {
        // Not one of the page's users: fall back to the first one.
        state.userId = '';
        again = true;
      }
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function listen() {
  const source = new EventSource('events');
  source.onmessage = () => refresh();
  source.onopen = () => refresh();
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

function remember() {
  const p = new URLSearchParams();
  p.set('user', state.userId);
  if (state.place.kind === 'app') p.set('place', state.place.tab);
  else if (state.place.id) p.set('channel', state.place.id);
  history.replaceState(null, '', `?${p}`);
}

function go(place) {
  state.place = place;
  state.thread = null;
  remember();
  if (place.kind === 'app' && place.tab === 'home') openHome();
  render();
}

function openHome() {
  post('home', {}).then((answer) => {
    if (!answer.ok) toast(`The app did not answer app_home_opened (${answer.error}).`);
  });
}

// --- actions -------------------------------------------------------------------------------

function clickButton(button, e, ctx) {
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

// --- composer ------------------------------------------------------------------------------

async function sendCommand(text, channel) {
  if (!text.startsWith('/')) {
    addNotice(
      channel,
      `Only slash commands reach the app here: try ${state.data.commands[0]} help`,
    );
    return;
  }
  const answer = await post('command', { text, channel });
  if (!answer.ok)
    addNotice(channel, answer.message ?? `${text.split(' ')[0]} failed (${answer.error})`);
}

function addNotice(channel, text) {
  state.notices.push({ channel, text, ts: String(Date.now() / 1000), user: state.userId });
  render();
}

// --- modals --------------------------------------------------------------------------------

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

async function closeModal(all = false) {
  const answer = await post('close', { all });
  if (!answer.ok && answer.error !== 'no_view')
    toast(`Could not close the modal (${answer.error}).`);
  await refresh();
}

// ---------------------------------------------------------------------------------------
// Rendering

function render() {
  const data = state.data;
  if (!data) return;
  if (state.place.kind === 'channel' && !data.channels.some((c) => c.id === state.place.id))
    state.place = { kind: 'channel', id: data.reviewChannel };
  renderSwitch();
  renderSidebar();
  renderMain();
  renderThread();
  renderModal();
}

function renderSwitch() {
  const data = state.data;
  setChildren(
    $('user-switch'),
    h('span', { class: 'switch-label' }, 'View as'),
    data.users.map((u) =>
      h(
        'button',
        {
          type: 'button',
          role: 'radio',
          class: `switch-user${u.id === data.me.id ? ' active' : ''}`,
          'aria-checked': String(u.id === data.me.id),
          'data-user': u.id,
          'data-testid': `switch-${u.role}`,
          onclick: () => {
            if (u.id === state.userId) return;
            state.userId = u.id;
            state.thread = null;
            remember();
            refresh();
            if (state.place.kind === 'app' && state.place.tab === 'home') openHome();
          },
        },
        h('span', { class: 'avatar avatar-sm', style: `--hue:${hue(u.id)}` }, initial(u.name)),
        h('span', { class: 'switch-name' }, u.name),
        h('span', { class: `role role-${u.role}` }, u.role),
      ),
    ),
  );
}

function renderSidebar() {
  const data = state.data;
  const here = state.place;
  const dm = appChannel();
  const item = (attrs, icon, label, active) =>
    h(
      'button',
      { type: 'button', class: `nav-item${active ? ' active' : ''}`, ...attrs },
      h('span', { class: 'nav-icon' }, icon),
      label,
    );
  setChildren(
    $('sidebar'),
    h('div', { class: 'nav-section' }, 'Channels'),
    data.channels
      .filter((c) => c.kind === 'channel')
      .map((c) =>
        item(
          {
            'data-testid': 'nav-channel',
            'data-channel': c.id,
            onclick: () => go({ kind: 'channel', id: c.id }),
          },
          '#',
          c.name,
          here.kind === 'channel' && here.id === c.id,
        ),
      ),
    h('div', { class: 'nav-section' }, 'Apps'),
    item(
      {
        'data-testid': 'nav-app',
        'data-channel': dm.id,
        onclick: () => go({ kind: 'app', tab: 'home' }),
      },
      h('span', { class: 'app-dot' }),
      data.app.name,
      here.kind === 'app',
    ),
    h(
      'div',
      { class: 'nav-footer' },
      'Signed in as ',
      h('strong', {}, data.me.name),
      h('br'),
      data.me.role === 'approver' ? 'Playground approver' : 'Partner',
    ),
  );
}

const appChannel = () => state.data.channels.find((c) => c.kind === 'app');
const currentChannel = () =>
  state.place.kind === 'app'
    ? appChannel()
    : state.data.channels.find((c) => c.id === state.place.id);

function renderMain() {
  const data = state.data;
  const header = $('main-header');
  const body = $('main-body');
  const composer = $('composer');
  const channel = currentChannel();
  if (state.place.kind === 'app') {
    const tab = (name, label) =>
      h(
        'button',
        {
          type: 'button',
          class: `tab${state.place.tab === name ? ' active' : ''}`,
          'data-testid': `tab-${name}`,
          onclick: () => go({ kind: 'app', tab: name }),
        },
        label,
      );
    setChildren(
      header,
      h(
        'div',
        { class: 'title' },
        h('span', { class: 'app-dot app-dot-lg' }),
        data.app.name,
        h('span', { class: 'app-badge' }, 'APP'),
      ),
      h(
        'div',
        { class: 'tabs', role: 'tablist' },
        tab('home', 'Home'),
        tab('messages', 'Messages'),
      ),
    );
  } else {
    setChildren(
      header,
      h('div', { class: 'title' }, h('span', { class: 'hash' }, '#'), channel.name),
      h(
        'div',
        { class: 'subtitle' },
        channel.id === data.reviewChannel ? 'Where the Playground team reviews submissions' : '',
      ),
    );
  }
  const home = state.place.kind === 'app' && state.place.tab === 'home';
  composer.hidden = home;
  body.classList.toggle('home', home);
  if (home) {
    renderHome(body);
    return;
  }
  body.querySelector('.home-surface')?.remove();
  const input = composer.querySelector('input');
  const where = channel.kind === 'app' ? data.app.name : `#${channel.name}`;
  input.placeholder = `Message ${where} · type ${data.commands[0]} help`;
  setChildren(
    composer.querySelector('.composer-hint'),
    'Try ',
    ['submit', 'status PG-0001', 'list', 'help'].map((sub) =>
      h(
        'button',
        { type: 'button', class: 'chip', onclick: () => prefill(`${data.commands[0]} ${sub}`) },
        `${data.commands[0]} ${sub}`,
      ),
    ),
  );
  renderTimeline(body, channel);
}

function prefill(text) {
  const input = $('composer-input');
  input.value = text;
  input.focus();
}

function renderHome(body) {
  const home = state.data.home;
  let surface = body.querySelector('.home-surface');
  if (!surface) {
    body.replaceChildren();
    surface = h('div', { class: 'home-surface', 'data-testid': 'home' });
    body.append(surface);
  }
  const sig = JSON.stringify(home);
  if (surface.dataset.sig === sig) return;
  surface.dataset.sig = sig;
  setChildren(
    surface,
    home
      ? blocks(home.blocks, { container: { type: 'view', viewId: home.id }, viewId: home.id })
      : h('div', { class: 'empty' }, `Opening ${state.data.app.name}'s Home…`),
  );
}

/** Top-level messages, the user's ephemerals and local notices of a channel, oldest first. */
function timelineItems(channel, threadTs) {
  const data = state.data;
  const items = [];
  if (threadTs === undefined) {
    for (const m of channel.messages)
      items.push({ key: `m-${m.ts}`, ts: m.ts, kind: 'message', m });
  } else {
    const root = channel.messages.find((m) => m.ts === threadTs);
    if (root)
      for (const m of root.replies) items.push({ key: `m-${m.ts}`, ts: m.ts, kind: 'message', m });
  }
  for (const e of data.ephemerals) {
    if (e.channel !== channel.id || (e.thread_ts ?? undefined) !== threadTs) continue;
    const key = `e-${e.message_ts}`;
    if (!state.dismissed.has(key)) items.push({ key, ts: e.message_ts, kind: 'ephemeral', m: e });
  }
  if (threadTs === undefined) {
    for (const n of state.notices) {
      const key = `n-${n.ts}`;
      if (n.channel === channel.id && n.user === data.me.id && !state.dismissed.has(key))
        items.push({ key, ts: n.ts, kind: 'notice', m: n });
    }
  }
  return items.sort((a, b) => Number.parseFloat(a.ts) - Number.parseFloat(b.ts));
}

const sigs = new WeakMap();

/** Keeps unchanged message elements and replaces changed ones where they stand. */
function reconcile(list, items, build) {
  const existing = new Map([...list.children].map((el) => [el.dataset.key, el]));
  let previous = null;
  for (const item of items) {
    const sig = JSON.stringify([item.m, state.data.names]);
    let el = existing.get(item.key);
    existing.delete(item.key);
    if (!el || sigs.get(el) !== sig) {
      const fresh = build(item);
      fresh.dataset.key = item.key;
      sigs.set(fresh, sig);
      if (el) el.replaceWith(fresh);
      el = fresh;
    }
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (expected !== el) list.insertBefore(el, expected);
    previous = el;
  }
  for (const el of existing.values()) el.remove();
}

// The channel stays scrolled to its newest message unless the user scrolled up, also when
// the layout changes (a thread opens, a message grows).
let stickToBottom = true;
const keepBottom = new ResizeObserver(() => {
  const body = $('main-body');
  if (stickToBottom) body.scrollTop = body.scrollHeight;
});
$('main-body').addEventListener('scroll', (event) => {
  const body = event.currentTarget;
  stickToBottom = body.scrollHeight - body.scrollTop - body.clientHeight < 80;
});

function renderTimeline(body, channel) {
  let list = body.querySelector('.timeline');
  if (!list || list.dataset.channel !== `${state.userId}:${channel.id}`) {
    list = h('div', {
      class: 'timeline',
      'data-testid': 'timeline',
      'data-channel': `${state.userId}:${channel.id}`,
    });
    setChildren(body, list);
    stickToBottom = true;
    keepBottom.disconnect();
    keepBottom.observe(list);
  }
  const items = timelineItems(channel);
  reconcile(list, items, (item) => messageEl(item, channel));
  body.querySelector('.empty')?.remove();
  if (items.length === 0)
    body.append(
      h(
        'div',
        { class: 'empty' },
        'No messages yet. Type ',
        h('code', {}, `${state.data.commands[0]} submit`),
        ' below to start.',
      ),
    );
  if (stickToBottom) body.scrollTop = body.scrollHeight;
}

function messageEl(item, channel, inThread = false) {
  const { m, kind } = item;
  const data = state.data;
  const ephemeral = kind !== 'message';
  const author = kind === 'notice' ? 'Slackbot' : data.app.name;
  const ts = kind === 'message' ? m.ts : (m.message_ts ?? m.ts);
  const container = ephemeral
    ? { type: 'ephemeral', channel: channel.id, ts }
    : { type: 'message', channel: channel.id, ts };
  const replies = !inThread && kind === 'message' ? (m.replies?.length ?? 0) : 0;
  const content =
    m.blocks && m.blocks.length > 0
      ? blocks(m.blocks, { container })
      : h('div', { class: 'message-text' }, mrkdwn(m.text ?? ''));
  return h(
    'div',
    {
      class: `message${ephemeral ? ' ephemeral' : ''}`,
      'data-testid': ephemeral ? 'ephemeral' : 'message',
      'data-ts': ts,
      'data-channel': channel.id,
    },
    h(
      'span',
      { class: 'avatar', style: `--hue:${kind === 'notice' ? 200 : 160}` },
      initial(author),
    ),
    h(
      'div',
      { class: 'message-body' },
      h(
        'div',
        { class: 'message-meta' },
        h('span', { class: 'author' }, author),
        kind !== 'notice' && h('span', { class: 'app-badge' }, 'APP'),
        h('time', { class: 'time' }, timeOf(ts)),
        m.edited && h('span', { class: 'edited', 'data-testid': 'edited' }, '(edited)'),
      ),
      content,
      ephemeral &&
        h(
          'div',
          { class: 'ephemeral-note' },
          '👁 Only visible to you · ',
          h(
            'button',
            { type: 'button', class: 'link', onclick: () => dismiss(item.key) },
            'Dismiss',
          ),
        ),
      replies > 0 &&
        h(
          'button',
          {
            type: 'button',
            class: 'replies',
            'data-testid': 'replies',
            onclick: () => {
              state.thread = { channel: channel.id, ts: m.ts };
              renderThread();
            },
          },
          `${replies} ${replies === 1 ? 'reply' : 'replies'}`,
          h('span', { class: 'replies-last' }, `Last reply ${timeOf(m.replies.at(-1).ts)}`),
        ),
    ),
  );
}

function dismiss(key) {
  state.dismissed.add(key);
  render();
}

function renderThread() {
  const pane = $('thread');
  const thread = state.thread;
  const channel = thread && state.data.channels.find((c) => c.id === thread.channel);
  const root = channel?.messages.find((m) => m.ts === thread.ts);
  if (!root) {
    pane.hidden = true;
    pane.replaceChildren();
    document.body.classList.remove('with-thread');
    return;
  }
  document.body.classList.add('with-thread');
  pane.hidden = false;
  let list = pane.querySelector('.timeline');
  const key = `${state.userId}:${channel.id}:${root.ts}`;
  if (!list || list.dataset.thread !== key) {
    list = h('div', { class: 'timeline', 'data-thread': key });
    setChildren(
      pane,
      h(
        'div',
        { class: 'thread-header' },
        h(
          'div',
          {},
          h('div', { class: 'title' }, 'Thread'),
          h(
            'div',
            { class: 'subtitle' },
            channel.kind === 'app' ? state.data.app.name : `#${channel.name}`,
          ),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'icon-btn',
            'aria-label': 'Close thread',
            'data-testid': 'thread-close',
            onclick: () => {
              state.thread = null;
              renderThread();
            },
          },
          '×',
        ),
      ),
      h(
        'div',
        { class: 'thread-body' },
        h('div', { class: 'thread-root' }),
        h('div', { class: 'thread-count' }),
        list,
      ),
    );
  }
  const rootBox = pane.querySelector('.thread-root');
  reconcile(
    rootBox,
    [{ key: `m-${root.ts}`, ts: root.ts, kind: 'message', m: { ...root, replies: [] } }],
    (item) => messageEl(item, channel, true),
  );
  const count = root.replies.length;
  pane.querySelector('.thread-count').textContent = `${count} ${count === 1 ? 'reply' : 'replies'}`;
  const scroller = pane.querySelector('.thread-body');
  const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const before = list.children.length;
  reconcile(list, timelineItems(channel, root.ts), (item) => messageEl(item, channel, true));
  if (nearBottom && list.children.length > before) scroller.scrollTop = scroller.scrollHeight;
}

let modalSig = '';

function renderModal(force = false) {
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

const initial = (name) => (name.trim()[0] ?? '?').toUpperCase();
const hue = (id) => [...id].reduce((sum, c) => sum + c.charCodeAt(0) * 7, 0) % 360;

// ---------------------------------------------------------------------------------------
// Start

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text || !state.data) return;
  input.value = '';
  sendCommand(text, currentChannel().id);
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const confirmOverlay = $('confirm-overlay');
  if (!confirmOverlay.hidden) {
    confirmOverlay.hidden = true;
    confirmOverlay.replaceChildren();
  } else if (state.data?.modals.length) closeModal(true);
});

refresh().then(() => {
  remember();
  if (state.place.kind === 'app' && state.place.tab === 'home') openHome();
  listen();
});
