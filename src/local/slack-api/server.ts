import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from './ids.ts';
import { fail } from './methods/args.ts';
import { getPermalink, postEphemeral, postMessage, updateMessage } from './methods/chat.ts';
import {
  authTest,
  conversationsOpen,
  usergroupsUsersList,
  usersInfo,
} from './methods/directory.ts';
import { openView, publishView, pushView, updateView } from './methods/views.ts';
import { parseRequest, readBody, recordedArgs, tokenOf } from './request.ts';
import { ResponseUrls } from './response-urls.ts';
import type {
  Args,
  ChangeEvent,
  JsonObject,
  MessageWithReplies,
  RecordedCall,
  SlackChannelSeed,
  SlackResult,
  SlackUsergroupSeed,
  SlackUserSeed,
  StoredEphemeral,
  StoredView,
} from './types.ts';
import { Workspace } from './workspace.ts';

/** Slack's documented life of a trigger id. */
export const TRIGGER_TTL_MS = 3000;

type Method = (ws: Workspace, args: Args) => SlackResult;

const METHODS: Record<string, Method> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': updateMessage,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'conversations.open': conversationsOpen,
  'views.open': openView,
  'views.update': updateView,
  'views.push': pushView,
  'views.publish': publishView,
  'usergroups.users.list': usergroupsUsersList,
  'users.info': usersInfo,
};

export interface SlackApiOptions {
  /** 0 or absent: a free port. */
  port?: number;
  botToken: string;
  users?: SlackUserSeed[];
  usergroups?: SlackUsergroupSeed[];
  /** When given, posting elsewhere is `channel_not_found`; otherwise any `C.../G...` id exists. */
  channels?: SlackChannelSeed[];
  triggerTtlMs?: number;
  clock?: Clock;
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** Base of permalinks, with a trailing slash. */
  workspaceUrl?: string;
}

export interface RateLimit {
  /** How many of the next calls to the method get HTTP 429. */
  times: number;
  /** Value of the `Retry-After` header, in seconds. */
  retryAfterSec: number;
}

export interface SlackApiStandIn {
  /** Web API base for WebClient's `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  url: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every request, in order (live array). */
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** The next `times` calls to `method` answer HTTP 429 with `Retry-After`. */
  rateLimit(method: string, limit: RateLimit): void;
  /** A trigger id for a user, valid for `triggerTtlMs` and one exchange. */
  issueTrigger(userId: string): string;
  /** A response_url served by the stand-in (see ResponseUrls). */
  issueResponseUrl(target: { userId: string; channelId: string; messageTs?: string }): string;
  messages(channel: string): MessageWithReplies[];
  ephemerals(userId: string): StoredEphemeral[];
  /** The user's modal stack, root first. */
  openViews(userId: string): StoredView[];
  home(userId: string): StoredView | undefined;
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /** Forgets messages, views, triggers, response URLs, calls and pending rate limits. */
  reset(): void;
  /** The state itself, for the local page (close views, set view state, list channels). */
  workspace: Workspace;
  close(): Promise<void>;
}

function send(
  res: ServerResponse,
  status: number,
  body: JsonObject,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Starts the Slack Web API stand-in on loopback. */
export async function startSlackApi(options: SlackApiOptions): Promise<SlackApiStandIn> {
  const clock = options.clock ?? Date.now;
  const ws = new Workspace({
    clock,
    triggerTtlMs: options.triggerTtlMs ?? TRIGGER_TTL_MS,
    teamId: options.teamId ?? 'T0LOCAL001',
    teamDomain: options.teamDomain ?? 'playground-local',
    workspaceUrl: options.workspaceUrl ?? 'https://slack.example/',
    botUserId: options.botUserId ?? 'UBOT000001',
    botId: options.botId ?? 'BBOT000001',
    appId: options.appId ?? 'A0LOCAL001',
    ...(options.users ? { users: options.users } : {}),
    ...(options.usergroups ? { usergroups: options.usergroups } : {}),
    ...(options.channels ? { channels: options.channels } : {}),
  });
  const hooks = new ResponseUrls(ws);
  const calls: RecordedCall[] = [];
  const rateLimits = new Map<string, RateLimit>();

  const record = (method: string, args: Args, status: number, response: SlackResult): void => {
    const call: RecordedCall = {
      method,
      args: recordedArgs(args),
      ok: response.ok,
      ...(typeof response.error === 'string' ? { error: response.error } : {}),
      status,
      response,
      time: clock(),
    };
    calls.push(call);
    ws.emit({ kind: 'call', call });
  };

  const answerApi = (
    method: string,
    req: IncomingMessage,
    url: URL,
    body: string,
  ): { status: number; response: SlackResult; args: Args; headers?: Record<string, string> } => {
    const parsed = parseRequest(url, req.headers, body);
    if (!parsed.ok) return { status: 200, response: fail(parsed.error), args: {} };
    const { args } = parsed;
    const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
    if (!handler)
      return { status: 200, response: fail('unknown_method', { req_method: method }), args };
    const limit = rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      return {
        status: 429,
        response: fail('ratelimited'),
        args,
        headers: { 'retry-after': String(limit.retryAfterSec) },
      };
    }
    const token = tokenOf(parsed);
    if (!token) return { status: 200, response: fail('not_authed'), args };
    if (token !== options.botToken) return { status: 200, response: fail('invalid_auth'), args };
    try {
      return { status: 200, response: handler(ws, args), args };
    } catch (error) {
      return { status: 200, response: fail('internal_error', { detail: String(error) }), args };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const answer = answerApi(method, req, url, body);
      record(method, answer.args, answer.status, answer.response);
      send(res, answer.status, answer.response, answer.headers);
      return;
    }
    if (url.pathname.startsWith('/hooks/') && req.method === 'POST') {
      let payload: JsonObject = {};
      try {
        payload = JSON.parse(body || '{}') as JsonObject;
      } catch {
        payload = Object.fromEntries(new URLSearchParams(body));
      }
      const answer = hooks.post(url.pathname.slice('/hooks/'.length), payload);
      record('response_url', payload, answer.status, answer.response);
      send(res, answer.status, answer.response);
      return;
    }
    send(res, 404, { ok: false, error: 'not_found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    rateLimit: (method, limit) => {
      rateLimits.set(method, { ...limit });
    },
    issueTrigger: (userId) => ws.issueTrigger(userId),
    issueResponseUrl: ({ userId, channelId, messageTs }) =>
      `${origin}/hooks/${hooks.issue({ user: userId, channel: channelId, ...(messageTs ? { messageTs } : {}) })}`,
    messages: (channel) => ws.messages(channel),
    ephemerals: (userId) => ws.ephemerals(userId),
    openViews: (userId) => ws.openViews(userId),
    home: (userId) => ws.home(userId),
    onChange: (listener) => ws.onChange(listener),
    reset: () => {
      calls.length = 0;
      rateLimits.clear();
      hooks.reset();
      ws.reset();
    },
    workspace: ws,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
