// Text as Slack shows it: emoji shortcodes and mrkdwn
// (https://docs.slack.dev/messaging/formatting-message-text), names, times, initials.

import { append, h } from './dom.js';
import { state } from './state.js';

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
  label: '🏷️',
  large_blue_circle: '🔵',
  large_green_circle: '🟢',
  link: '🔗',
  lock: '🔒',
  mag: '🔍',
  memo: '📝',
  no_entry_sign: '🚫',
  package: '📦',
  pencil2: '✏️',
  pushpin: '📌',
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
export function textObject(object) {
  if (!object || typeof object.text !== 'string') return '';
  return object.type === 'mrkdwn' ? mrkdwn(object.text) : emojify(object.text);
}

/** Slack mrkdwn as a fragment: code blocks, quotes, inline code, links, mentions, emphasis. */
export function mrkdwn(text) {
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

export const timeOf = (ts) =>
  new Date(Number.parseFloat(ts) * 1000).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });

export const initial = (name) => (name.trim()[0] ?? '?').toUpperCase();
