import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../../lib/listen.ts';
import { type FaultSpan, type SlackFault, SlackFaults } from './faults.ts';
import type { Clock } from './ids.ts';
import { fail } from './methods/args.ts';
import { getPermalink, postEphemeral, postMessage, updateMessage } from './methods/chat.ts';
import {
  authTest,
  conversationsInfo,
  conversationsOpen,
  usergroupsUsersList,
  usersInfo,
} from './methods/directory.ts';
import {
  completeUploadExternal,
  getUploadURLExternal,
  UPLOAD_PATH,
  uploadedBytes,
} from './methods/files.ts';
import { conversationsHistory, conversationsReplies } from './methods/history.ts';
import { openView, publishView, pushView, updateView } from './methods/views.ts';
import { parseRequest, readBytes, recordedArgs, tokenOf } from './request.ts';
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
  StoredFile,
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
  'conversations.info': conversationsInfo,
  'conversations.open': conversationsOpen,
  'conversations.history': conversationsHistory,
  'conversations.replies': conversationsReplies,
  'views.open': openView,
  'views.update': updateView,
  'views.push': pushView,
  'views.publish': publishView,
  'usergroups.users.list': usergroupsUsersList,
  'users.info': usersInfo,
  'files.completeUploadExternal': completeUploadExternal,
};

/**
 * Methods the stand-in checks the token's scope for: the upload flow needs `files:write`
 * (the "Scopes" fact of each method's page), refused as `missing_scope` with `needed` and
 * `provided` (https://docs.slack.dev/reference/methods/files.getUploadURLExternal, Errors).
 */
const NEEDS_SCOPE: Record<string, string> = {
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
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
  /** Socket Mode: apps.connections.open, called with `appToken`, answers `url`. */
  socketMode?: { appToken: string; url: string };
  /** The bot token's scopes (the `x-oauth-scopes` header); default: manifest.json's bot scopes. */
  scopes?: readonly string[];
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
  /**
   * Calls to `method` fail as `fault` says: the next one (default), the next `times`, or
   * all of them for `forMs` by the stand-in's clock. Faults scripted first are met first;
   * each failed call is recorded with its `fault`.
   */
  fail(method: string, fault: SlackFault, span?: FaultSpan): void;
  /** The bot token's scopes from now on, as after reinstalling the app with other scopes. */
  setScopes(scopes: readonly string[]): void;
  /** The bot joins or leaves a seeded channel (conversations.info's `is_member`). */
  setBotMember(channel: string, member: boolean): void;
  /** Shorthand for `fail(method, { kind: 'ratelimited', retryAfterSec }, { times })`. */
  rateLimit(method: string, limit: RateLimit): void;
  /** A trigger id for a user, valid for `triggerTtlMs` and one exchange. */
  issueTrigger(userId: string): string;
  /** A response_url served by the stand-in (see ResponseUrls). */
  issueResponseUrl(target: { userId: string; channelId: string; messageTs?: string }): string;
  messages(channel: string): MessageWithReplies[];
  ephemerals(userId: string): StoredEphemeral[];
  /** Files of the upload flow, in order, with what was uploaded and where it was shared. */
  files(): StoredFile[];
  /** The user's modal stack, root first. */
  openViews(userId: string): StoredView[];
  home(userId: string): StoredView | undefined;
  onChange(listener: (event: ChangeEvent) => void): () => void;
  /** Forgets messages, views, triggers, response URLs, calls and pending faults. */
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

/** A Web API answer: JSON, or (for an HTTP error fault) a plain-text page. */
interface ApiAnswer {
  status: number;
  response: SlackResult;
  args: Args;
  headers?: Record<string, string>;
  text?: string;
}

/** What a fault makes the stand-in answer instead of carrying out the call. */
function faultAnswer(fault: SlackFault, args: Args): ApiAnswer | undefined {
  switch (fault.kind) {
    case 'error':
      return { status: 200, response: fail(fault.error), args };
    case 'ratelimited':
      return {
        status: 429,
        response: fail('ratelimited'),
        args,
        headers: { 'retry-after': String(fault.retryAfterSec) },
      };
    case 'http':
      return { status: fault.status, response: { ok: false }, args, text: `HTTP ${fault.status}` };
    default:
      return undefined;
  }
}

/** The bot scopes the app asks for: what a token of a fresh install holds. */
function manifestScopes(): string[] {
  const manifest = JSON.parse(
    readFileSync(new URL('../../../manifest.json', import.meta.url), 'utf8'),
  ) as { oauth_config?: { scopes?: { bot?: string[] } } };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const faults = new SlackFaults(clock);
  let scopes = [...(options.scopes ?? manifestScopes())];
  // Upload URLs point at this server, whose address is known once it listens.
  let origin = '';
  const methods: Record<string, Method> = {
    ...METHODS,
    'files.getUploadURLExternal': (ws, args) =>
      getUploadURLExternal(ws, args, `${origin}${UPLOAD_PATH}`),
  };

  const record = (
    method: string,
    args: Args,
    status: number,
    response: SlackResult,
    fault?: SlackFault,
    receivedAt = clock(),
  ): void => {
    const call: RecordedCall = {
      method,
      args: recordedArgs(args),
      ok: response.ok,
      ...(typeof response.error === 'string' ? { error: response.error } : {}),
      status,
      response,
      ...(fault ? { fault } : {}),
      receivedAt,
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
    fault: SlackFault | undefined,
  ): ApiAnswer => {
    const parsed = parseRequest(url, req.headers, body);
    const faulty = fault && faultAnswer(fault, parsed.ok ? parsed.args : {});
    if (faulty) return faulty;
    if (!parsed.ok) return { status: 200, response: fail(parsed.error), args: {} };
    const { args } = parsed;
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!handler && method !== 'apps.connections.open')
      return { status: 200, response: fail('unknown_method', { req_method: method }), args };
    const token = tokenOf(parsed);
    if (!token) return { status: 200, response: fail('not_authed'), args };
    if (method === 'apps.connections.open') {
      // An app-level token's method: the bot token is not_allowed_token_type there.
      const socket = options.socketMode;
      if (token === options.botToken)
        return { status: 200, response: fail('not_allowed_token_type'), args };
      if (!socket || token !== socket.appToken)
        return { status: 200, response: fail('invalid_auth'), args };
      return { status: 200, response: { ok: true, url: socket.url }, args };
    }
    if (token !== options.botToken) return { status: 200, response: fail('invalid_auth'), args };
    const needed = NEEDS_SCOPE[method];
    if (needed && !scopes.includes(needed)) {
      const provided = scopes.join(',');
      return { status: 200, response: fail('missing_scope', { needed, provided }), args };
    }
    try {
      return { status: 200, response: (handler as Method)(ws, args), args };
    } catch (error) {
      return { status: 200, response: fail('internal_error', { detail: String(error) }), args };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const bytes = await readBytes(req);
    const body = bytes.toString('utf8');
    const receivedAt = clock();
    if (url.pathname.startsWith('/api/')) {
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      const parsed = parseRequest(url, req.headers, body);
      const fault = faults.take(method, parsed.ok ? parsed.args : {});
      if (fault?.kind === 'reset' || (fault?.kind === 'stall' && fault.ms === undefined)) {
        // Never answered: recorded now, with status 0. A stalled connection is dropped by close().
        record(method, parsed.ok ? parsed.args : {}, 0, { ok: false }, fault);
        if (fault.kind === 'reset') req.socket.destroy();
        return;
      }
      if (fault?.kind === 'stall') await sleep(fault.ms ?? 0);
      const answer = answerApi(method, req, url, body, fault);
      record(method, answer.args, answer.status, answer.response, fault, receivedAt);
      if (answer.text !== undefined) {
        res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(answer.text);
      } else {
        // Slack names the token's scopes on each answer to a call made with it
        // (https://api.slack.com/legacy/scopes, "Working with scopes"); the Web API client
        // reads them into response_metadata.scopes.
        const authed = parsed.ok && tokenOf(parsed) === options.botToken;
        send(res, answer.status, answer.response, {
          ...answer.headers,
          ...(authed ? { 'x-oauth-scopes': scopes.join(',') } : {}),
        });
      }
      return;
    }
    if (url.pathname.startsWith(UPLOAD_PATH) && req.method === 'POST') {
      const id = url.pathname.slice(UPLOAD_PATH.length);
      const content = await uploadedBytes(bytes, req.headers['content-type'] ?? '');
      const taken = ws.receiveUpload(id, content);
      record('upload_url', { file_id: id, bytes: content.length }, taken ? 200 : 404, {
        ok: taken,
      });
      res.writeHead(taken ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(taken ? `OK - ${content.length}` : 'upload not found');
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
  await listen(server, options.port ?? 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    fail: (method, fault, span) => faults.add(method, fault, span),
    setScopes: (granted) => {
      scopes = [...granted];
    },
    setBotMember: (channel, member) => ws.setBotMember(channel, member),
    rateLimit: (method, { times, retryAfterSec }) =>
      faults.add(method, { kind: 'ratelimited', retryAfterSec }, { times }),
    issueTrigger: (userId) => ws.issueTrigger(userId),
    issueResponseUrl: ({ userId, channelId, messageTs }) =>
      `${origin}/hooks/${hooks.issue({ user: userId, channel: channelId, ...(messageTs ? { messageTs } : {}) })}`,
    messages: (channel) => ws.messages(channel),
    ephemerals: (userId) => ws.ephemerals(userId),
    files: () => ws.files(),
    openViews: (userId) => ws.openViews(userId),
    home: (userId) => ws.home(userId),
    onChange: (listener) => ws.onChange(listener),
    reset: () => {
      calls.length = 0;
      faults.clear();
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
