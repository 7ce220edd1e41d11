/**
 * The local page: a small web app on loopback that plays Slack's part for people. It shows
 * the Slack stand-in's state (the review channel with threads, the user's DM and Home tab
 * with the app, ephemerals, the user's modals) and turns clicks into what Slack sends the
 * bot: signed slash commands, block_actions, view_submission, view_closed and
 * app_home_opened, built by the same payload builders the tests use.
 *
 *   GET  /                 the page (static files from ./static/)
 *   GET  /state?user=U…    everything the page shows to that user
 *   GET  /events           Server-Sent Events: one `tick` per change, the page re-fetches
 *   POST /command          {user, text, channel?}  -> slash command
 *   POST /action           {user, actionId, blockId, value?, text?, style?, container, values?}
 *   POST /submit           {user, viewId, values}  -> view_submission
 *   POST /close            {user, all?}            -> closes the top modal (view_closed if asked)
 *   POST /home             {user}                  -> app_home_opened
 */
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  appHomeOpened,
  blockActions,
  type SlackRequest,
  type SlackResponse,
  send,
  slashCommand,
  viewClosed,
  viewStateValues,
  viewSubmission,
} from '../slack-api/payloads.ts';
import type { SlackApiStandIn } from '../slack-api/server.ts';
import type {
  JsonObject,
  MessageWithReplies,
  StoredEphemeral,
  StoredView,
} from '../slack-api/types.ts';

export type PageRole = 'partner' | 'approver';

export interface PageUser {
  id: string;
  name: string;
  role: PageRole;
}

export interface SlackPageOptions {
  api: SlackApiStandIn;
  /** The bot's Events API / interactivity URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  botUrl: string;
  signingSecret: string;
  /** Whose eyes the page can look through (the switch at the top), first one by default. */
  users: PageUser[];
  reviewChannel: string;
  /** Shown when the stand-in has no name for the review channel. */
  reviewChannelName?: string;
  /** The app's display name. */
  appName?: string;
  /** Slash commands the app has (Slack refuses others before they reach the app). */
  commands?: string[];
  /** Slack gives an app 3 seconds to answer a command or an interaction. */
  ackTimeoutMs?: number;
  /** 0 or absent: a free port. */
  port?: number;
}

export interface SlackPage {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  close(): Promise<void>;
}

/** A modal as the page gets it: the stored view plus the errors of its last submission. */
export type PageModal = StoredView & { errors?: Record<string, string> };

export interface PageChannel {
  id: string;
  name: string;
  /** `channel`: a conversation; `app`: the user's DM with the app (Messages tab). */
  kind: 'channel' | 'app';
  messages: MessageWithReplies[];
}

export interface PageState {
  me: PageUser;
  users: PageUser[];
  app: { id: string; name: string };
  reviewChannel: string;
  commands: string[];
  /** User id -> display name, for `<@U…>` mentions. */
  names: Record<string, string>;
  channels: PageChannel[];
  ephemerals: StoredEphemeral[];
  /** The user's modal stack, root first. */
  modals: PageModal[];
  home: StoredView | null;
}

/** What a page request answers when the bot could not be reached or failed, as Slack says it. */
type Failure = 'dispatch_failed' | 'operation_timeout' | 'http_service_error';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const extension = (file: string): string => file.split('.').pop() ?? '';

/**
 * URL path -> file name of what the page may load: index.html at `/`, and each file of the
 * static folder (the page, its styles and its ES modules) by its name. Listed once at start,
 * so a request can only ever name one of these files, never a path of its own.
 */
async function staticFiles(dir: URL): Promise<Map<string, string>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && Object.hasOwn(TYPES, extension(entry.name)))
    .map((entry): [string, string] => [`/${entry.name}`, entry.name]);
  return new Map([['/', 'index.html'], ...files]);
}

const BODY_MAX = 1_000_000;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, code: string) {
    super(code);
    this.status = status;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_MAX) throw new HttpError(413, 'too_large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not an object');
    return value as JsonObject;
  } catch {
    throw new HttpError(400, 'invalid_json');
  }
}

function str(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

function need(body: JsonObject, key: string): string {
  const value = str(body, key);
  if (value === undefined || value === '') throw new HttpError(400, `missing_${key}`);
  return value;
}

/** The app's answer as JSON, when it is JSON. */
function answerObject(answer: SlackResponse): JsonObject | undefined {
  if (typeof answer.body === 'object' && answer.body !== null) return answer.body as JsonObject;
  const text = answer.text.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as JsonObject;
  } catch {
    return undefined;
  }
}

/** Starts the page's HTTP server on loopback. */
export async function startSlackPage(options: SlackPageOptions): Promise<SlackPage> {
  const { api, botUrl, signingSecret, reviewChannel } = options;
  const ws = api.workspace;
  if (options.users.length === 0) throw new Error('startSlackPage needs at least one user');
  const appName = options.appName ?? 'Playground';
  const commands = options.commands ?? ['/playground'];
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const staticDir = new URL('./static/', import.meta.url);
  const served = await staticFiles(staticDir);

  /** Field errors of each modal's last submission, with the hash they were given for. */
  const viewErrors = new Map<string, { hash: string; errors: Record<string, string> }>();
  const streams = new Set<ServerResponse>();

  const tick = (kind: string): void => {
    for (const stream of streams) stream.write(`data: ${JSON.stringify({ kind })}\n\n`);
  };
  const unsubscribe = api.onChange((event) => {
    if (event.kind === 'call') return;
    if (event.kind === 'view' && event.action === 'closed') viewErrors.delete(event.view_id);
    if (event.kind === 'reset') viewErrors.clear();
    tick(event.kind);
  });

  const userOf = (body: JsonObject): PageUser => {
    const id = need(body, 'user');
    const user = options.users.find((u) => u.id === id);
    if (!user) throw new HttpError(400, 'unknown_user');
    return user;
  };

  const channelName = (id: string): string => {
    if (id.startsWith('D')) return 'directmessage';
    const seeded = ws.channels().find((c) => c.id === id);
    if (seeded && seeded.name !== id.toLowerCase()) return seeded.name;
    return id === reviewChannel
      ? (options.reviewChannelName ?? 'playground-review')
      : id.toLowerCase();
  };

  const names = (): Record<string, string> => {
    const all: Record<string, string> = {};
    for (const u of ws.options.users ?? []) all[u.id] = u.real_name ?? u.name;
    for (const u of options.users) all[u.id] = u.name;
    all[ws.options.botUserId] = appName;
    return all;
  };

  const state = (user: PageUser): PageState => {
    const dm = ws.openDm(user.id);
    const others = ws
      .channels()
      .filter((c) => !c.id.startsWith('D') && c.id !== reviewChannel)
      .map((c) => c.id);
    const channels: PageChannel[] = [reviewChannel, ...others].map((id) => ({
      id,
      name: channelName(id),
      kind: 'channel',
      messages: ws.messages(id),
    }));
    channels.push({ id: dm, name: appName, kind: 'app', messages: ws.messages(dm) });
    const modals: PageModal[] = ws.openViews(user.id).map((view) => {
      const errors = viewErrors.get(view.id);
      return errors && errors.hash === view.hash ? { ...view, errors: errors.errors } : view;
    });
    return {
      me: user,
      users: options.users,
      app: { id: ws.options.botUserId, name: appName },
      reviewChannel,
      commands,
      names: names(),
      channels,
      ephemerals: ws.ephemerals(user.id),
      modals,
      home: ws.home(user.id) ?? null,
    };
  };

  /** Signs and sends a request to the bot; a failure comes back as Slack names it. */
  const deliver = async (
    request: SlackRequest,
  ): Promise<{ ok: true; answer: SlackResponse } | { ok: false; error: Failure }> => {
    try {
      const answer = await send(botUrl, request, {
        secret: signingSecret,
        timeoutMs: ackTimeoutMs,
      });
      if (answer.status < 200 || answer.status > 299)
        return { ok: false, error: 'http_service_error' };
      return { ok: true, answer };
    } catch (error) {
      const name = (error as { name?: string }).name;
      return {
        ok: false,
        error: name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed',
      };
    }
  };

  const command = async (body: JsonObject): Promise<JsonObject> => {
    const user = userOf(body);
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
    const result = await deliver(
      slashCommand({
        command: name,
        text,
        userId: user.id,
        userName: user.name,
        channelId: channel,
        channelName: channelName(channel),
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

  const action = async (body: JsonObject): Promise<JsonObject> => {
    const user = userOf(body);
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
        channelName: channelName(channel),
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
    const result = await deliver(request);
    return result.ok
      ? { ok: true, status: result.answer.status }
      : { ok: false, error: result.error };
  };

  const submit = async (body: JsonObject): Promise<JsonObject> => {
    const user = userOf(body);
    const viewId = need(body, 'viewId');
    const top = ws.openViews(user.id).at(-1);
    if (!top || top.id !== viewId) throw new HttpError(409, 'not_top_view');
    const typed = (body.values ?? {}) as Record<string, string | string[] | null>;
    ws.setViewState(viewId, viewStateValues(top.blocks, typed));
    const view = ws.openViews(user.id).at(-1) as StoredView;
    viewErrors.delete(viewId);
    const result = await deliver(
      viewSubmission({
        userId: user.id,
        userName: user.name,
        triggerId: api.issueTrigger(user.id),
        view,
      }),
    );
    if (!result.ok) return { ok: false, error: result.error };
    const answer = answerObject(result.answer);
    const still = () => ws.openViews(user.id).some((v) => v.id === viewId);
    switch (answer?.response_action) {
      case 'errors': {
        const errors = (answer.errors ?? {}) as Record<string, string>;
        const current = ws.openViews(user.id).find((v) => v.id === viewId);
        if (current) viewErrors.set(viewId, { hash: current.hash, errors });
        tick('errors');
        return { ok: true, errors };
      }
      case 'update':
        if (still()) ws.updateView(viewId, answer.view as JsonObject);
        return { ok: true, updated: true };
      case 'push':
        ws.pushView(user.id, answer.view as JsonObject);
        return { ok: true, pushed: true };
      case 'clear':
        ws.closeView(user.id, { all: true });
        return { ok: true, closed: true };
      default:
        // An empty ack closes the view that was submitted.
        if (ws.openViews(user.id).at(-1)?.id === viewId) ws.closeView(user.id);
        return { ok: true, closed: true };
    }
  };

  const close = async (body: JsonObject): Promise<JsonObject> => {
    const user = userOf(body);
    const all = body.all === true;
    const stack = ws.openViews(user.id);
    const top = stack.at(-1);
    if (!top) throw new HttpError(409, 'no_view');
    const notify = (all ? stack : [top]).find((v) => v.notify_on_close);
    ws.closeView(user.id, { all });
    if (!notify) return { ok: true, notified: false };
    const result = await deliver(
      viewClosed({ userId: user.id, userName: user.name, view: notify, isCleared: all }),
    );
    return result.ok ? { ok: true, notified: true } : { ok: false, error: result.error };
  };

  const home = async (body: JsonObject): Promise<JsonObject> => {
    const user = userOf(body);
    const view = ws.home(user.id);
    const result = await deliver(
      appHomeOpened({
        userId: user.id,
        channelId: ws.openDm(user.id),
        botUserId: ws.options.botUserId,
        ...(view ? { view } : {}),
      }),
    );
    return result.ok ? { ok: true } : { ok: false, error: result.error };
  };

  const events = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    streams.add(res);
    const ping = setInterval(() => res.write(': ping\n\n'), 20_000);
    ping.unref();
    req.on('close', () => {
      clearInterval(ping);
      streams.delete(res);
    });
  };

  const routes: Record<string, (body: JsonObject) => Promise<JsonObject>> = {
    '/command': command,
    '/action': action,
    '/submit': submit,
    '/close': close,
    '/home': home,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const file = req.method === 'GET' ? served.get(path) : undefined;
    if (file !== undefined) {
      const content = await readFile(new URL(file, staticDir));
      res.writeHead(200, {
        'content-type': TYPES[extension(file)] as string,
        'cache-control': 'no-store',
      });
      res.end(content);
      return;
    }
    if (req.method === 'GET' && path === '/state') {
      // No user named (a bare page URL): the first one, the partner in the local workspace.
      const id = url.searchParams.get('user') || options.users[0]?.id || '';
      const user = options.users.find((u) => u.id === id);
      if (!user) throw new HttpError(400, 'unknown_user');
      sendJson(res, 200, state(user));
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      events(req, res);
      return;
    }
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (req.method === 'POST' && route) {
      sendJson(res, 200, await route(await readJson(req)));
      return;
    }
    throw new HttpError(404, 'not_found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof HttpError)
        sendJson(res, error.status, { ok: false, error: error.message });
      else sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        unsubscribe();
        for (const stream of streams) stream.end();
        streams.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
