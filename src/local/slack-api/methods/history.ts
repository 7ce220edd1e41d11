// Reading a conversation back, as the bot does to find a message whose post it never heard
// answered: conversations.history (a channel's top-level messages, newest first) and
// conversations.replies (a thread, root first). Message metadata (chat.postMessage's
// `metadata`: event_type + event_payload) is returned only with include_all_metadata, as
// Slack documents it: https://docs.slack.dev/messaging/message-metadata and
// https://docs.slack.dev/reference/methods/conversations.replies (include_all_metadata:
// "Return all metadata associated with messages", default false).
import type { Args, JsonObject, SlackResult, StoredMessage } from '../types.ts';
import type { Workspace } from '../workspace.ts';
import { bool, fail, jsonArg, str } from './args.ts';

/** Slack's default page size for both methods (and its ceiling, 999, is never needed here). */
const DEFAULT_LIMIT = 100;

function limitOf(args: Args): number {
  const n = Number(str(args, 'limit') ?? DEFAULT_LIMIT);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 999) : DEFAULT_LIMIT;
}

/** The message as these methods show it, with its metadata when asked for. */
function shown(ws: Workspace, message: StoredMessage, withMetadata: boolean): JsonObject {
  const { channel: _channel, extra, ...rest } = message;
  const parsed = extra ? jsonArg(extra, 'metadata') : { ok: false as const };
  const metadata = parsed.ok ? parsed.value : undefined;
  return {
    ...rest,
    team: ws.options.teamId,
    ...(withMetadata && metadata !== undefined ? { metadata: metadata as JsonObject } : {}),
  };
}

export function conversationsHistory(ws: Workspace, args: Args): SlackResult {
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const withMetadata = bool(args, 'include_all_metadata');
  const messages = ws
    .messages(channel)
    .map(({ replies: _replies, ...root }) => root)
    .reverse()
    .slice(0, limitOf(args))
    .map((m) => shown(ws, { ...m, channel }, withMetadata));
  return { ok: true, messages, has_more: false };
}

export function conversationsReplies(ws: Workspace, args: Args): SlackResult {
  const channel = ws.resolveChannel(str(args, 'channel') ?? '');
  if (!channel) return fail('channel_not_found');
  const ts = str(args, 'ts') ?? '';
  const message = ws.findMessage(channel, ts);
  if (!message) return fail('thread_not_found');
  const rootTs = message.thread_ts ?? message.ts;
  const root = ws.messages(channel).find((m) => m.ts === rootTs);
  if (!root) return fail('thread_not_found');
  const { replies, ...top } = root;
  const withMetadata = bool(args, 'include_all_metadata');
  const messages = [top, ...replies]
    .slice(0, limitOf(args))
    .map((m) => shown(ws, { ...m, channel }, withMetadata));
  return { ok: true, messages, has_more: false };
}
