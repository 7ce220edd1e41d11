/**
 * Requests as Slack sends them to an app: slash commands (form fields), interactivity
 * (`payload=<json>` form field), Events API callbacks (JSON), signed with the signing secret
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack). Payload shapes follow
 * Slack's docs and @slack/bolt's types (SlashCommand, BlockAction, ViewSubmitAction,
 * ViewClosedAction, AppHomeOpenedEvent). The local page sends these to the bot; the tests
 * use the same builders.
 */
import { signedHeaders } from './signing.ts';

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

/** Slack's `action_ts` / `event_ts` shape: seconds with six decimals. */
function slackTs(ms = Date.now()): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
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
  /** The button's style (`primary` / `danger`), as Slack echoes it. */
  actionStyle?: string;
  selectedOption?: { text: Json; value: string };
  triggerId: string;
  teamId?: string;
  /** The message holding the button (message container). */
  message?: MessageRef;
  /**
   * The message is ephemeral: Slack sends the container (`is_ephemeral: true`), the
   * channel and a response_url, but not the message itself.
   */
  ephemeral?: boolean;
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
    action_ts: input.actionTs ?? slackTs(),
  };
  if (action.type === 'button') {
    action.text = { type: 'plain_text', text: input.actionText ?? input.actionId, emoji: true };
    if (input.value !== undefined) action.value = input.value;
    if (input.actionStyle !== undefined) action.style = input.actionStyle;
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
      is_ephemeral: input.ephemeral === true,
    };
    payload.channel = { id: channel, name: input.channelName ?? 'playground-review' };
    if (!input.ephemeral) payload.message = { type: 'message', ...message };
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

export interface AppHomeOpenedInput {
  userId: string;
  /** The app's DM channel with the user. */
  channelId: string;
  /** `home` (the Home tab) or `messages`. */
  tab?: 'home' | 'messages';
  /** The user's current Home view, which Slack includes once one was published. */
  view?: ViewInput;
  teamId?: string;
  botUserId?: string;
}

/**
 * An Events API `event_callback` for `app_home_opened`, as JSON
 * (https://docs.slack.dev/reference/events/app_home_opened).
 */
export function appHomeOpened(input: AppHomeOpenedInput): SlackRequest {
  const teamId = input.teamId ?? TEAM_ID;
  const now = Date.now();
  const event: Json = {
    type: 'app_home_opened',
    user: input.userId,
    channel: input.channelId,
    tab: input.tab ?? 'home',
    event_ts: slackTs(now),
  };
  if (input.view) event.view = viewOutput({ type: 'home', ...input.view }, teamId);
  return {
    body: JSON.stringify({
      token: VERIFICATION_TOKEN,
      team_id: teamId,
      api_app_id: API_APP_ID,
      event,
      type: 'event_callback',
      event_id: `Ev${now.toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
      event_time: Math.floor(now / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: teamId,
          user_id: input.botUserId ?? 'UBOT000001',
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    }),
    contentType: 'application/json',
  };
}

/** An input block as `viewStateValues` reads it. */
interface InputBlockLike {
  type?: unknown;
  block_id?: unknown;
  element?: unknown;
}

/**
 * The `view.state.values` Slack sends with a submission: every input block's element with
 * what the user left in it, which is its initial value unless `typed` (block id -> text for
 * text and number inputs, option value for selects and radio buttons, list of option values
 * for checkboxes) says otherwise. `null` or `''` clears a field, as an emptied input does.
 */
export function viewStateValues(
  blocks: InputBlockLike[],
  typed: Record<string, string | string[] | null> = {},
): Record<string, Record<string, Json>> {
  const values: Record<string, Record<string, Json>> = {};
  for (const block of blocks) {
    if (block.type !== 'input' || typeof block.element !== 'object' || block.element === null)
      continue;
    const element = block.element as Json;
    const blockId = String(block.block_id);
    const actionId = String(element.action_id);
    const type = String(element.type);
    const given = Object.hasOwn(typed, blockId) ? typed[blockId] : undefined;
    const options = Array.isArray(element.options) ? (element.options as Json[]) : [];
    const find = (value: string) => options.find((o) => o.value === value);
    let state: Json;
    if (type === 'static_select' || type === 'radio_buttons') {
      const chosen =
        given === undefined
          ? ((element.initial_option as Json | undefined) ?? null)
          : typeof given === 'string'
            ? (find(given) ?? null)
            : null;
      state = { type, selected_option: chosen };
    } else if (type === 'checkboxes') {
      const chosen =
        given === undefined
          ? ((element.initial_options as Json[] | undefined) ?? [])
          : (Array.isArray(given) ? given : given ? [given] : [])
              .map(find)
              .filter((o): o is Json => o !== undefined);
      state = { type, selected_options: chosen };
    } else {
      const initial = typeof element.initial_value === 'string' ? element.initial_value : null;
      const text = Array.isArray(given) ? given.join('\n') : given;
      const value = text === undefined ? initial : text === null || text === '' ? null : text;
      state = { type, value };
    }
    values[blockId] = { [actionId]: state };
  }
  return values;
}

export interface SendOptions {
  secret: string;
  /** Seconds; default now. */
  timestamp?: number;
  retryNum?: number;
  retryReason?: string;
  /** Replaces the computed signature (to forge a bad one). */
  signature?: string;
  /** Gives up after this long, as Slack does after 3 seconds (the fetch rejects). */
  timeoutMs?: number;
}

export interface SlackResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else the text ('' for an empty ack). */
  body: unknown;
  text: string;
}

/** The headers Slack sends with `request`: its type, user agent, signature and retry. */
export function slackHeaders(
  request: SlackRequest,
  options: Omit<SendOptions, 'timeoutMs'>,
): Record<string, string> {
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
  return headers;
}

/** Signs and POSTs a request the way Slack does, with optional retry headers. */
export async function send(
  url: string,
  request: SlackRequest,
  options: SendOptions,
): Promise<SlackResponse> {
  const headers = slackHeaders(request, options);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: request.body,
    ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('application/json') && text !== '') {
    body = JSON.parse(text);
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body, text };
}
