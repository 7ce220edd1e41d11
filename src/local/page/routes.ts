// The page's POST routes: each turns a click into what Slack sends the bot (signed slash
// commands, block_actions, view_submission, view_closed, app_home_opened, built by the
// same payload builders the tests use) and applies the bot's ack as Slack would.
//
//   POST /command  {user, text, channel?}  -> slash command
//   POST /action   {user, actionId, blockId, value?, text?, style?, container, values?}
//   POST /submit   {user, viewId, values}  -> view_submission
//   POST /close    {user, all?}            -> closes the top modal (view_closed if asked)
//   POST /home     {user}                  -> app_home_opened
import {
  appHomeOpened,
  blockActions,
  type SlackRequest,
  slashCommand,
  viewClosed,
  viewStateValues,
  viewSubmission,
} from '../slack-api/payloads.ts';
import type { JsonObject, StoredView } from '../slack-api/types.ts';
import { answerObject } from './bot-requests.ts';
import type { PageContext, PageUser } from './context.ts';
import { HttpError, need, str } from './http.ts';
import { channelName } from './state.ts';

type Route = (page: PageContext, body: JsonObject) => Promise<JsonObject>;

/** The page user a request names; an unknown one is refused. */
export function pageUser(page: PageContext, id: string): PageUser {
  const user = page.users.find((u) => u.id === id);
  if (!user) throw new HttpError(400, 'unknown_user');
  return user;
}

const userOf = (page: PageContext, body: JsonObject): PageUser =>
  pageUser(page, need(body, 'user'));

/**
 * `@bea` as Slack sends it to a command that escapes mentions: `<@U0LOCALBEA|bea>` (a name
 * no user has stays as typed).
 */
function escapeMentions(text: string, users: readonly { id: string; name: string }[]): string {
  return text.replace(/(^|\s)@([\w.-]+)/g, (whole, space: string, name: string) => {
    const user = users.find((u) => u.name === name);
    return user ? `${space}<@${user.id}|${user.name}>` : whole;
  });
}

const command: Route = async (page, body) => {
  const { api, commands, reviewChannel } = page;
  const ws = api.workspace;
  const user = userOf(page, body);
  const line = (str(body, 'text') ?? '').trim();
  const parsed = /^(\/\S+)\s*([\s\S]*)$/.exec(line);
  const name = parsed?.[1] ?? commands[0] ?? '/playground';
  const text = parsed ? (parsed[2] ?? '') : line;
  if (!commands.includes(name)) {
    return {
      ok: false,
      error: 'invalid_command',
      message: `${name} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands.`,
    };
  }
  const channel = str(body, 'channel') ?? reviewChannel;
  if (channel !== reviewChannel && channel !== ws.openDm(user.id) && !ws.resolveChannel(channel))
    throw new HttpError(400, 'channel_not_found');
  const result = await page.bot.deliver(
    slashCommand({
      command: name,
      text: escapeMentions(text, ws.options.users ?? []),
      userId: user.id,
      userName: user.name,
      channelId: channel,
      channelName: channelName(page, channel),
      triggerId: api.issueTrigger(user.id),
      responseUrl: api.issueResponseUrl({ userId: user.id, channelId: channel }),
    }),
  );
  if (!result.ok) {
    return {
      ok: false,
      error: result.error,
      message: `${name} failed with the error "${result.error}"`,
    };
  }
  // Slack shows an answer in the ack itself like a response_url post: only to the user
  // unless `response_type: in_channel`.
  const answer = answerObject(result.answer);
  const plainText = answer ? undefined : result.answer.text.trim();
  const content = answer
    ? {
        text: typeof answer.text === 'string' ? answer.text : '',
        ...(Array.isArray(answer.blocks) ? { blocks: answer.blocks as JsonObject[] } : {}),
      }
    : plainText
      ? { text: plainText }
      : undefined;
  if (content && (content.text !== '' || content.blocks)) {
    if (answer?.response_type === 'in_channel') ws.postMessage(channel, content);
    else ws.addEphemeral({ channel, user: user.id, ...content, via: 'response_url' });
  }
  return { ok: true, status: result.answer.status };
};

const action: Route = async (page, body) => {
  const { api } = page;
  const ws = api.workspace;
  const user = userOf(page, body);
  const container = (body.container ?? {}) as JsonObject;
  const values = (body.values ?? {}) as Record<string, string | string[] | null>;
  const common = {
    userId: user.id,
    userName: user.name,
    actionId: need(body, 'actionId'),
    blockId: need(body, 'blockId'),
    ...(str(body, 'value') !== undefined ? { value: str(body, 'value') } : {}),
    ...(str(body, 'text') !== undefined ? { actionText: str(body, 'text') } : {}),
    ...(str(body, 'style') !== undefined ? { actionStyle: str(body, 'style') } : {}),
    triggerId: api.issueTrigger(user.id),
  };
  let request: SlackRequest;
  const type = str(container, 'type');
  if (type === 'message' || type === 'ephemeral') {
    const channel = need(container, 'channel');
    const ts = need(container, 'ts');
    const ephemeral = type === 'ephemeral';
    const found = ephemeral
      ? ws.ephemerals(user.id).find((e) => e.channel === channel && e.message_ts === ts)
      : ws.findMessage(channel, ts);
    if (!found) throw new HttpError(404, 'message_not_found');
    const message = ephemeral
      ? { ts, channel, text: found.text, ...(found.blocks ? { blocks: found.blocks } : {}) }
      : {
          ts,
          channel,
          text: found.text,
          ...(found.blocks ? { blocks: found.blocks } : {}),
          ...(found.thread_ts ? { thread_ts: found.thread_ts } : {}),
          user: ws.options.botUserId,
          bot_id: ws.options.botId,
        };
    request = blockActions({
      ...common,
      message,
      ephemeral,
      channelName: channelName(page, channel),
      responseUrl: api.issueResponseUrl({
        userId: user.id,
        channelId: channel,
        ...(ephemeral ? {} : { messageTs: ts }),
      }),
    });
  } else if (type === 'view') {
    const viewId = need(container, 'viewId');
    const home = ws.home(user.id);
    const view =
      ws.openViews(user.id).find((v) => v.id === viewId) ??
      (home?.id === viewId ? home : undefined);
    if (!view) throw new HttpError(404, 'view_not_found');
    request = blockActions({
      ...common,
      view: { ...view, state: { values: viewStateValues(view.blocks, values) } },
    });
  } else {
    throw new HttpError(400, 'invalid_container');
  }
  const result = await page.bot.deliver(request);
  return result.ok
    ? { ok: true, status: result.answer.status }
    : { ok: false, error: result.error };
};

const submit: Route = async (page, body) => {
  const { api, viewErrors } = page;
  const ws = api.workspace;
  const user = userOf(page, body);
  const viewId = need(body, 'viewId');
  const top = ws.openViews(user.id).at(-1);
  if (!top || top.id !== viewId) throw new HttpError(409, 'not_top_view');
  const typed = (body.values ?? {}) as Record<string, string | string[] | null>;
  ws.setViewState(viewId, viewStateValues(top.blocks, typed));
  const view = ws.openViews(user.id).at(-1) as StoredView;
  viewErrors.delete(viewId);
  const result = await page.bot.deliver(
    viewSubmission({
      userId: user.id,
      userName: user.name,
      triggerId: api.issueTrigger(user.id),
      view,
    }),
  );
  if (!result.ok) return { ok: false, error: result.error };
  const answer = answerObject(result.answer);
  if (answer?.response_action === 'errors') {
    const errors = (answer.errors ?? {}) as Record<string, string>;
    const current = ws.openViews(user.id).find((v) => v.id === viewId);
    if (current) viewErrors.set(viewId, { hash: current.hash, errors });
    page.tick('errors');
    return { ok: true, errors };
  }
  const done = ws.answerSubmission(user.id, view, answer);
  return { ok: true, [done]: true };
};

const close: Route = async (page, body) => {
  const ws = page.api.workspace;
  const user = userOf(page, body);
  const all = body.all === true;
  const stack = ws.openViews(user.id);
  const top = stack.at(-1);
  if (!top) throw new HttpError(409, 'no_view');
  const notify = (all ? stack : [top]).find((v) => v.notify_on_close);
  ws.closeView(user.id, { all });
  if (!notify) return { ok: true, notified: false };
  const result = await page.bot.deliver(
    viewClosed({ userId: user.id, userName: user.name, view: notify, isCleared: all }),
  );
  return result.ok ? { ok: true, notified: true } : { ok: false, error: result.error };
};

const home: Route = async (page, body) => {
  const ws = page.api.workspace;
  const user = userOf(page, body);
  const view = ws.home(user.id);
  const result = await page.bot.deliver(
    appHomeOpened({
      userId: user.id,
      channelId: ws.openDm(user.id),
      botUserId: ws.options.botUserId,
      ...(view ? { view } : {}),
    }),
  );
  return result.ok ? { ok: true } : { ok: false, error: result.error };
};

/** The POST routes by path. */
export const ROUTES: Record<string, Route> = {
  '/command': command,
  '/action': action,
  '/submit': submit,
  '/close': close,
  '/home': home,
};
