import { validateMessageBlocks } from '../blocks.ts';
import type { Args, JsonObject, SlackResult, StoredMessage } from '../types.ts';
import type { Workspace } from '../workspace.ts';
import { fail, invalidBlocks, jsonArg, str } from './args.ts';

/** chat.postMessage's documented limit on `text`; longer text is `msg_too_long`. */
export const MAX_TEXT = 40_000;

/** Arguments that are the message itself; anything else is kept as `extra`. */
const CONTENT_KEYS = new Set([
  'token',
  'team_id',
  'channel',
  'text',
  'blocks',
  'thread_ts',
  'ts',
  'user',
]);

export type Content = { text?: string; blocks?: JsonObject[] };

/**
 * A message's text and blocks, checked as Slack checks them: `invalid_blocks_format` for
 * blocks that are not a JSON array, `no_text` for neither text nor blocks, `msg_too_long`
 * over 40,000 characters of text, `invalid_blocks` for Block Kit limits.
 */
export function readContent(args: Args, opts: { required: boolean }): Content | SlackResult {
  const parsed = jsonArg(args, 'blocks');
  if (!parsed.ok || (parsed.value !== undefined && !Array.isArray(parsed.value))) {
    return fail('invalid_blocks_format');
  }
  const blocks = parsed.value as JsonObject[] | undefined;
  const text = str(args, 'text');
  const hasBlocks = blocks !== undefined && blocks.length > 0;
  if (opts.required && !text && !hasBlocks) return fail('no_text');
  if (text && [...text].length > MAX_TEXT) return fail('msg_too_long');
  if (blocks !== undefined) {
    const problems = validateMessageBlocks(blocks);
    if (problems.length > 0) return invalidBlocks(problems);
  }
  return { ...(text !== undefined ? { text } : {}), ...(blocks !== undefined ? { blocks } : {}) };
}

function isResult(value: Content | SlackResult): value is SlackResult {
  return 'ok' in value;
}

/** The message as Slack's answers show it (without the stand-in's bookkeeping). */
function publicMessage(ws: Workspace, message: StoredMessage): JsonObject {
  const { channel: _channel, extra: _extra, ...rest } = message;
  return { ...rest, team: ws.options.teamId };
}

function extraArgs(args: Args): JsonObject {
  return Object.fromEntries(Object.entries(args).filter(([key]) => !CONTENT_KEYS.has(key)));
}

export function postMessage(ws: Workspace, args: Args): SlackResult {
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const content = readContent(args, { required: true });
  if (isResult(content)) return content;
  let threadTs = str(args, 'thread_ts');
  if (threadTs) {
    const parent = ws.findMessage(channel, threadTs);
    if (!parent) return fail('thread_not_found');
    // Slack files a reply to a reply under the thread's root.
    threadTs = parent.thread_ts ?? parent.ts;
  }
  const message = ws.postMessage(channel, {
    text: content.text ?? '',
    ...(content.blocks ? { blocks: content.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    extra: extraArgs(args),
  });
  return { ok: true, channel, ts: message.ts, message: publicMessage(ws, message) };
}

/** chat.update: the message keeps its ts; blocks left out keep the old ones (Slack's rule). */
export function updateMessage(ws: Workspace, args: Args): SlackResult {
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const ts = str(args, 'ts') ?? '';
  const current = ws.findMessage(channel, ts);
  if (!current) return fail('message_not_found');
  const content = readContent(args, { required: true });
  if (isResult(content)) return content;
  const blocks = content.blocks ?? current.blocks;
  const message = ws.updateMessage(channel, ts, {
    text: content.text ?? current.text,
    ...(blocks && blocks.length > 0 ? { blocks } : {}),
  });
  return { ok: true, channel, ts, text: message.text, message: publicMessage(ws, message) };
}

export function postEphemeral(ws: Workspace, args: Args): SlackResult {
  const user = str(args, 'user') ?? '';
  if (!ws.knowsUser(user)) return fail('user_not_found');
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const content = readContent(args, { required: true });
  if (isResult(content)) return content;
  const threadTs = str(args, 'thread_ts');
  const stored = ws.addEphemeral({
    channel,
    user,
    text: content.text ?? '',
    ...(content.blocks ? { blocks: content.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    via: 'chat.postEphemeral',
  });
  return { ok: true, message_ts: stored.message_ts };
}

export function permalinkOf(ws: Workspace, message: StoredMessage): string {
  const base = `${ws.options.workspaceUrl}archives/${message.channel}/p${message.ts.replace('.', '')}`;
  const isReply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  return isReply ? `${base}?thread_ts=${message.thread_ts}&cid=${message.channel}` : base;
}

export function getPermalink(ws: Workspace, args: Args): SlackResult {
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const message = ws.findMessage(channel, str(args, 'message_ts') ?? '');
  if (!message) return fail('message_not_found');
  return { ok: true, channel, permalink: permalinkOf(ws, message) };
}
