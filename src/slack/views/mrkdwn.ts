// Text helpers for Slack mrkdwn: everything a partner typed goes through `escapeMrkdwn`
// so `<!channel>`, `<@U123>` or `<https://evil|innocent>` arrive as text, not as pings or
// disguised links.

/** Escapes the three characters Slack gives meaning to in mrkdwn (and in message `text`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `text` with its first letter in upper case. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Cuts `text` to at most `max` characters (code points), ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

// One unit of mrkdwn that a cut must keep whole: an escaped entity, a `<…>` link, mention
// or date, else a single code point.
const MRKDWN_UNIT = /&(?:amp|lt|gt);|<[^<>]*>|[\s\S]/gu;

/**
 * `truncate` for text that is already mrkdwn: the cut falls before an entity (`&amp;`) or a
 * `<url|label>` link it would split, so Slack never shows half an escape or a broken link.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if ([...text].length <= max) return text;
  let kept = '';
  let length = 0;
  for (const [unit] of text.matchAll(MRKDWN_UNIT)) {
    const size = [...unit].length;
    if (length + size > max - 1) break;
    kept += unit;
    length += size;
  }
  return `${kept}…`;
}

/** Partner text for mrkdwn: cut to `max` characters first, then escaped. */
export function safe(text: string, max = 500): string {
  return escapeMrkdwn(truncate(text, max));
}

/**
 * Inline code for a value: escaped, backticks replaced (they would end the code span),
 * line breaks flattened.
 */
export function code(text: string, max = 300): string {
  const flat = truncate(text, max)
    .replace(/`/g, 'ˋ')
    .replace(/\s*[\r\n]+\s*/g, ' ');
  return flat === '' ? '' : `\`${escapeMrkdwn(flat)}\``;
}

/** Quotes multi-line text as a mrkdwn block quote. */
export function quote(text: string, max = 1500): string {
  return safe(text, max)
    .split(/\r?\n/)
    .map((line) => `>${line}`)
    .join('\n');
}

const USER_ID = /^[UW][A-Z\d]{2,}$/;

/** `<@U123>` for a Slack user id; anything else is shown as escaped text, never a mention. */
export function mention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/**
 * A date every reader sees in their own time zone, e.g. "Mar 4, 2025 at 14:05", with a
 * UTC fallback for clients that cannot format it.
 */
export function slackDate(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time)) return 'an unknown time';
  const unix = Math.floor(time / 1000);
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

/** "1 warning", "2 warnings". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
