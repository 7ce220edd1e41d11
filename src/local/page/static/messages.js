// Messages: a channel's timeline and a thread's replies, drawn from the user's view of them
// (messages, own ephemerals, Slackbot notices); unchanged messages keep their elements.

import { blocks } from './blocks.js';
import { $, h, setChildren } from './dom.js';
import { render, state } from './state.js';
import { initial, mrkdwn, timeOf } from './text.js';

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

export function renderTimeline(body, channel) {
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
      ...(m.files ?? []).map(fileEl),
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

/** A shared text file, as Slack's client previews it: its title, then its text. */
function fileEl(file) {
  return h(
    'figure',
    { class: 'file', 'data-testid': 'file', 'data-name': file.name },
    h('figcaption', { class: 'file-title' }, `📄 ${file.title || file.name}`),
    h('pre', { class: 'file-text' }, file.text ?? ''),
  );
}

function dismiss(key) {
  state.dismissed.add(key);
  render();
}

export function renderThread() {
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
