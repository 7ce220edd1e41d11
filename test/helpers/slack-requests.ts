/**
 * Requests as Slack sends them to an app: slash commands (form fields), interactivity
 * (`payload=<json>` form field), signed with the signing secret
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack). Payload shapes follow
 * Slack's docs and @slack/bolt's types (SlashCommand, BlockAction, ViewSubmitAction,
 * ViewClosedAction).
 */
import { signedHeaders } from '../../src/local/slack-api/signing.ts';

export const TEAM_ID = 'T0LOCAL001';
export const TEAM_DOMAIN = 'playground-local';
export const API_APP_ID = 'A0LOCAL001';
/** The deprecated verification token Slack still sends in payloads; Bolt ignores it. */
export const VERIFICATION_TOKEN = 'xyzz0WbapA4vBCDEFasx0q6G';

type Json = Record<string, unknown>;

/** A request body as Slack would send it, not yet signed. */
export interface SlackRequest {
  body: string;
  contentType: 'application/x-www-form-urlencoded' | 'application/json';
}

function form(fields: Record<string, string>): SlackRequest {
  return {
    body: new URLSearchParams(fields).toString(),
    contentType: 'application/x-www-form-urlencoded',
  };
}

function payloadForm(payload: Json): SlackRequest {
  return form({ payload: JSON.stringify(payload) });
}

function fakeResponseUrl(kind: 'commands' | 'actions', teamId: string): string {
  const n = Math.floor(Math.random() * 1e12);
  return `https://hooks.slack.com/${kind}/${teamId}/${n}/${Math.random().toString(36).slice(2, 26)}`;
}

function user(userId: string, userName: string | undefined, teamId: string): Json {
  const name = userName ?? userId.toLowerCase();
  return { id: userId, username: name, name, team_id: teamId };
}

function team(teamId: string): Json {
  return { id: teamId, domain: TEAM_DOMAIN };
}

export interface SlashCommandInput {
  command?: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  triggerId: string;
  teamId?: string;
  /** Where `respond()` posts; default a hooks.slack.com-looking URL (use the stand-in's). */
  responseUrl?: string;
}

/** A slash command, form-encoded with Slack's fields in Slack's order. */
export function slashCommand(input: SlashCommandInput): SlackRequest {
  const teamId = input.teamId ?? TEAM_ID;
  return form({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: input.channelId,
    channel_name:
      input.channelName ?? (input.channelId.startsWith('D') ? 'directmessage' : 'playground'),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command ?? '/playground',
    text: input.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: 'false',
    response_url: input.responseUrl ?? fakeResponseUrl('commands', teamId),
    trigger_id: input.triggerId,
  });
}

export interface MessageRef {
  ts: string;
  channel: string;
  text?: string;
  blocks?: Json[];
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

/** A view as Slack puts it in payloads; unspecified fields get Slack's defaults. */
export interface ViewInput {
  id: string;
  callback_id?: string;
  private_metadata?: string;
  state?: { values: Record<string, Record<string, Json>> };
  type?: 'modal' | 'home';
  hash?: string;
  blocks?: Json[];
  title?: Json;
  submit?: Json | null;
  close?: Json | null;
  root_view_id?: string | null;
  previous_view_id?: string | null;
  external_id?: string;
}

function viewOutput(view: ViewInput, teamId: string): Json {
  // A view from the stand-in carries its user_id: not part of Slack's view object.
  const { user_id: _userId, ...rest } = view as ViewInput & { user_id?: string };
  return {
    team_id: teamId,
    type: 'modal',
    blocks: [],
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: '1700000000.abcdef12',
    title: { type: 'plain_text', text: 'Playground', emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: view.id,
    app_id: API_APP_ID,
    external_id: '',
    app_installed_team_id: teamId,
    bot_id: 'BBOT000001',
    ...rest,
  };
}

export interface BlockActionsInput {
  userId: string;
  userName?: string;
  actionId: string;
  blockId: string;
  value?: string;
  /** `button` unless given; for selects pass `selectedOption`. */
  actionType?: string;
  actionText?: string;
  selectedOption?: { text: Json; value: string };
  triggerId: string;
  teamId?: string;
  /** The message holding the button (message container). */
  message?: MessageRef;
  channelName?: string;
  /** The view holding the button (view container: modal or home tab). */
  view?: ViewInput;
  /** Overrides the container derived from message / view. */
  container?: Json;
  responseUrl?: string;
  actionTs?: string;
}

/** A block_actions interaction (button click, select), as `payload=<json>`. */
export function blockActions(input: BlockActionsInput): SlackRequest {
  const teamId = input.teamId ?? TEAM_ID;
  const action: Json = {
    type: input.actionType ?? 'button',
    action_id: input.actionId,
    block_id: input.blockId,
    action_ts:
      input.actionTs ??
      `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1e6).padStart(6, '0')}`,
  };
  if (action.type === 'button') {
    action.text = { type: 'plain_text', text: input.actionText ?? input.actionId, emoji: true };
    if (input.value !== undefined) action.value = input.value;
  } else if (input.selectedOption) {
    action.selected_option = input.selectedOption;
  } else if (input.value !== undefined) {
    action.value = input.value;
  }
  const payload: Json = {
    type: 'block_actions',
    user: user(input.userId, input.userName, teamId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId,
    team: team(teamId),
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
  };
  if (input.message) {
    const { channel, ...message } = input.message;
    payload.container = input.container ?? {
      type: 'message',
      message_ts: message.ts,
      channel_id: channel,
      is_ephemeral: false,
    };
    payload.channel = { id: channel, name: input.channelName ?? 'playground-review' };
    payload.message = { type: 'message', ...message };
    payload.state = { values: {} };
    payload.response_url = input.responseUrl ?? fakeResponseUrl('actions', teamId);
  } else if (input.view) {
    payload.container = input.container ?? { type: 'view', view_id: input.view.id };
    const view = viewOutput(input.view, teamId);
    payload.view = view;
    payload.state = view.state;
  } else {
    payload.container = input.container ?? {};
  }
  return payloadForm(payload);
}

export interface ViewSubmissionInput {
  userId: string;
  userName?: string;
  view: ViewInput;
  triggerId: string;
  teamId?: string;
}

/** A view_submission, as `payload=<json>`. */
export function viewSubmission(input: ViewSubmissionInput): SlackRequest {
  const teamId = input.teamId ?? TEAM_ID;
  return payloadForm({
    type: 'view_submission',
    team: team(teamId),
    user: user(input.userId, input.userName, teamId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId,
    view: viewOutput(input.view, teamId),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

export interface ViewClosedInput {
  userId: string;
  userName?: string;
  view: ViewInput;
  isCleared?: boolean;
  teamId?: string;
}

/** A view_closed (sent only for views opened with notify_on_close), as `payload=<json>`. */
export function viewClosed(input: ViewClosedInput): SlackRequest {
  const teamId = input.teamId ?? TEAM_ID;
  return payloadForm({
    type: 'view_closed',
    team: team(teamId),
    user: user(input.userId, input.userName, teamId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    view: viewOutput(input.view, teamId),
    is_cleared: input.isCleared ?? false,
    is_enterprise_install: false,
    enterprise: null,
  });
}

export interface SendOptions {
  secret: string;
  /** Seconds; default now. */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  /** Replaces the computed signature (to forge a bad one). */
  signature?: string;
}

export interface SlackResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else the text ('' for an empty ack). */
  body: unknown;
  text: string;
}

/** Signs and POSTs a request the way Slack does, with optional retry headers. */
export async function send(
  url: string,
  request: SlackRequest,
  options: SendOptions,
): Promise<SlackResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = signedHeaders(options.secret, timestamp, request.body);
  const headers: Record<string, string> = {
    'Content-Type': request.contentType,
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signed,
    ...(options.signature !== undefined ? { 'X-Slack-Signature': options.signature } : {}),
  };
  if (options.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(options.retryNum);
    headers['X-Slack-Retry-Reason'] = options.retryReason ?? 'http_timeout';
  }
  const response = await fetch(url, { method: 'POST', headers, body: request.body });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '') {
    body = JSON.parse(text);
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body, text };
}
