/**
 * The local page: a small web app on loopback that plays Slack's part for people. It shows
 * the Slack stand-in's state (the review channel with threads, the user's DM and Home tab
 * with the app, ephemerals, the user's modals) and turns clicks into what Slack sends the
 * bot.
 *
 *   GET  /                 the page (static files from ./static/: static-files.ts)
 *   GET  /state?user=U…    everything the page shows to that user (state.ts)
 *   GET  /events           Server-Sent Events: one `tick` per change, the page re-fetches (events.ts)
 *
 * Given `appEngine`, it also shows App Engine's side: a panel per service (versions,
 * serving status, traffic, the service URL), updated as the stand-in changes.
 *   POST /command, /action, /submit, /close, /home   what Slack sends the bot (routes.ts)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../../lib/listen.ts';
import type { ServicePanel } from '../app-engine/panel.ts';
import type { SlackApiStandIn } from '../slack-api/server.ts';
import { botRequests } from './bot-requests.ts';
import type { PageContext, PageUser } from './context.ts';
import { eventStreams } from './events.ts';
import { HttpError, readJson, sendJson } from './http.ts';
import { pageUser, ROUTES } from './routes.ts';
import { pageState } from './state.ts';
import { staticFiles } from './static-files.ts';

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
  /** App Engine's services for the page's panel, and a way to hear that they changed. */
  appEngine?: { services(): ServicePanel[]; onChange(listener: () => void): () => void };
}

export interface SlackPage {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  close(): Promise<void>;
}

/** Starts the page's HTTP server on loopback. */
export async function startSlackPage(options: SlackPageOptions): Promise<SlackPage> {
  const { api } = options;
  if (options.users.length === 0) throw new Error('startSlackPage needs at least one user');
  const serveStatic = await staticFiles();
  const streams = eventStreams();
  const page: PageContext = {
    api,
    users: options.users,
    reviewChannel: options.reviewChannel,
    reviewChannelName: options.reviewChannelName,
    appName: options.appName ?? 'Playground',
    commands: options.commands ?? ['/playground'],
    viewErrors: new Map(),
    tick: streams.tick,
    bot: botRequests(options.botUrl, options.signingSecret, options.ackTimeoutMs ?? 3000),
    ...(options.appEngine ? { services: options.appEngine.services } : {}),
  };
  const unwatch = options.appEngine?.onChange(() => streams.tick('app-engine'));

  const unsubscribe = api.onChange((event) => {
    if (event.kind === 'call') return;
    if (event.kind === 'view' && event.action === 'closed') page.viewErrors.delete(event.view_id);
    if (event.kind === 'reset') page.viewErrors.clear();
    streams.tick(event.kind);
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && (await serveStatic(path, res))) return;
    if (req.method === 'GET' && path === '/state') {
      // No user named (a bare page URL): the first one, the partner in the local workspace.
      const id = url.searchParams.get('user') || options.users[0]?.id || '';
      sendJson(res, 200, pageState(page, pageUser(page, id)));
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      streams.open(req, res);
      return;
    }
    const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    if (req.method === 'POST' && route) {
      sendJson(res, 200, await route(page, await readJson(req)));
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
  await listen(server, options.port ?? 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        unsubscribe();
        unwatch?.();
        streams.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
