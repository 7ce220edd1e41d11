import type { SlackFault } from './faults.ts';

/**
 * Shapes of the Slack stand-in's state. Everything here is plain JSON-able data so a
 * browser page can render it as is.
 */

/** A JSON object as Slack sends and receives it. */
export type JsonObject = Record<string, unknown>;

/** Web API arguments after parsing (form fields are strings, JSON bodies keep their types). */
export type Args = Record<string, unknown>;

/** Answer of a Web API method, always `ok` plus either data or `error`. */
export type SlackResult = { ok: boolean } & JsonObject;

export interface SlackUserSeed {
  id: string;
  name: string;
  real_name?: string;
  is_bot?: boolean;
  tz?: string;
  email?: string;
}

export interface SlackUsergroupSeed {
  id: string;
  handle?: string;
  users: string[];
}

export interface SlackChannelSeed {
  id: string;
  name: string;
  /** Whether the bot is in the channel (conversations.info's `is_member`); default yes. */
  botIsMember?: boolean;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  /** Set on replies (and on a thread's root, as Slack does, once it has replies). */
  thread_ts?: string;
  user: string;
  bot_id: string;
  app_id: string;
  text: string;
  blocks?: JsonObject[];
  /** Present once the message was changed by chat.update or a response_url. */
  edited?: { user: string; ts: string };
  /** Other chat.postMessage arguments kept for inspection (metadata, unfurl_links, ...). */
  extra?: JsonObject;
  /** Files shared with the message (files.completeUploadExternal), as Slack lists them. */
  files?: SharedFile[];
}

/** A file as a message that shares it shows it. */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  size: number;
}

/**
 * A file of the upload flow (files.getUploadURLExternal, then its upload URL, then
 * files.completeUploadExternal): `awaiting_upload`, `uploaded` once its bytes came,
 * `completed` once shared (or kept private, without a channel).
 */
export interface StoredFile extends SharedFile {
  /** The `length` announced to files.getUploadURLExternal. */
  length: number;
  state: 'awaiting_upload' | 'uploaded' | 'completed';
  /** The uploaded bytes as UTF-8 text (the bot uploads text files only). */
  content?: string;
  /** Where it was shared: the channel, and the thread root when shared as a reply. */
  channel?: string;
  thread_ts?: string;
  /** The message that shares it. */
  message_ts?: string;
}

/** A top-level message with its thread replies, as `messages(channel)` returns it. */
export interface MessageWithReplies extends StoredMessage {
  replies: StoredMessage[];
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  message_ts: string;
  thread_ts?: string;
  text: string;
  blocks?: JsonObject[];
  /** `chat.postEphemeral` or `response_url`. */
  via: 'chat.postEphemeral' | 'response_url';
}

/** A view as Slack returns it from views.open / views.push / views.update / views.publish. */
export interface StoredView {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  title?: JsonObject;
  submit?: JsonObject | null;
  close?: JsonObject | null;
  blocks: JsonObject[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, Record<string, JsonObject>> };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string | null;
  previous_view_id: string | null;
  app_id: string;
  bot_id: string;
  /** Who sees the view (not part of Slack's view object; kept for the page). */
  user_id: string;
}

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), or `response_url` for posts to a response URL. */
  method: string;
  /** Arguments as parsed; JSON-encoded fields (blocks, view, ...) decoded; token removed. */
  args: Args;
  ok: boolean;
  error?: string;
  /**
   * HTTP status the stand-in answered with: 200, 429 when rate limited, a fault's 5xx, or 0
   * when it never answered (a reset or an endless stall).
   */
  status: number;
  /** Full answer body (`{ ok: false }` for a 5xx fault, whose body is text, or no answer). */
  response: JsonObject;
  /** The scripted fault this call met (see SlackApiStandIn.fail). */
  fault?: SlackFault;
  /** When the request arrived, before any stall: the order in which calls were made. */
  receivedAt: number;
  /** When it was answered (and recorded), in milliseconds since the epoch, by the stand-in's clock. */
  time: number;
}

export type ChangeEvent =
  | { kind: 'message'; channel: string; ts: string; action: 'posted' | 'updated' | 'deleted' }
  | { kind: 'ephemeral'; user: string; channel: string; message_ts: string }
  | {
      kind: 'view';
      user: string;
      view_id: string;
      action: 'opened' | 'pushed' | 'updated' | 'closed';
    }
  | { kind: 'home'; user: string; view_id: string }
  | { kind: 'file'; file_id: string; action: 'announced' | 'uploaded' | 'completed' }
  | { kind: 'call'; call: RecordedCall }
  | { kind: 'reset' };
