import { createServer, type RequestListener, type Server } from 'node:http';
import { App } from '@slack/bolt';
import type { UseCases } from '../app/index.ts';
import type { Config } from '../config.ts';
import { InFlight } from '../lib/in-flight.ts';
import { listen } from '../lib/listen.ts';
import { WorkQueue } from '../lib/work-queue.ts';
import type { Logger } from '../log.ts';
import { boltLogger } from './bolt-logger.ts';
import { register as registerCommands } from './commands/playground.ts';
import { register as registerHome } from './home/handlers.ts';
import { register as registerLogs } from './logs/handlers.ts';
import { register as registerOps } from './ops/handlers.ts';
import { guardedReceiver, pathOf } from './receiver.ts';
import { register as registerReview } from './review/handlers.ts';
import { register as registerSubmit } from './submit/handlers.ts';

/**
 * Every request but Slack's: `GET /healthz`, 200 once the process serves requests (App
 * Engine's and Cloud Run's probe), and 404 for the rest.
 */
const healthOr404: RequestListener = (req, res) => {
  if (req.method === 'GET' && pathOf(req) === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
};

export interface SlackBot {
  app: App;
  /** Work still running after Slack got its answers; shutdown waits for it. */
  inFlight: InFlight;
  /** Where handlers put what they do after answering; it yields to answers being made. */
  followUps: WorkQueue;
  /** Starts the receiver; resolves with the HTTP server (in Socket Mode: the health server). */
  start(port: number): Promise<unknown>;
  /** Stops taking requests, then waits for work still running after its answers. */
  stop(): Promise<void>;
}

/**
 * Follow-ups (after the answer to Slack) that run at once per instance. A few keep Firestore
 * and Slack busy; more only queue their steps on the event loop in front of the answers to
 * the next requests (bench/ack.ts: the Approve click at 50 clients).
 */
const FOLLOW_UPS_AT_ONCE = 4;

/**
 * How long a follow-up waits, at most, for the answers being made to go first. Work that
 * needs a trigger_id starts within 1 s whatever (respond.ts), inside the trigger's 3 s.
 */
const FOLLOW_UP_YIELD_MS = 500;

/**
 * How long follow-ups keep waiting once no request is being answered: under load the next
 * requests are a moment away (work-queue.ts). What a lone click's modal waits more, unseen.
 */
const FOLLOW_UP_QUIET_MS = 20;

/**
 * The Bolt app (HTTP receiver on /slack/events behind the request guard, receiver.ts; Socket
 * Mode with an app token) and its Web API client, which everything that talks to Slack uses.
 * Handlers come with `registerHandlers`.
 */
export function createSlackApp(config: Config, logger: Logger): SlackBot {
  const clientOptions = config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {};
  const followUps = new WorkQueue(FOLLOW_UPS_AT_ONCE, {
    yieldMs: FOLLOW_UP_YIELD_MS,
    quietMs: FOLLOW_UP_QUIET_MS,
  });
  // Bolt's SocketModeReceiver serves custom routes on `installerOptions.port` (3000 unless
  // set when the App is made) and ignores the port given to start(); the health route is
  // served on that port by a server of our own instead (healthServer below).
  const app = new App({
    token: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    logger: boltLogger(logger),
    ...(config.slack.appToken
      ? {
          socketMode: true,
          appToken: config.slack.appToken,
          // The Socket Mode client's own Web API client (apps.connections.open) reads these.
          installerOptions: { clientOptions },
        }
      : {
          receiver: guardedReceiver({
            signingSecret: config.slack.signingSecret,
            logger,
            otherRequests: healthOr404,
            followUps,
          }),
        }),
    clientOptions,
    // Bolt's default conversation store: unused here, and for each request its look-up of
    // a conversation nobody stored makes an Error (with its stack) that is thrown away.
    convoStore: false,
  });
  const inFlight = new InFlight();
  // Every handler, including what it does after acknowledging, counts as in flight.
  app.use(({ next }) => inFlight.track(next()));
  app.error(async (error) => {
    logger.error(
      { err: error, code: (error as { code?: string }).code },
      'unhandled error in a Slack handler',
    );
  });
  let health: Server | undefined;
  return {
    app,
    inFlight,
    followUps,
    async start(port) {
      if (!config.slack.appToken) return app.start(port);
      await app.start();
      health = await healthServer(port);
      return health;
    },
    async stop() {
      const closing = health && new Promise((resolve) => health?.close(resolve));
      health?.closeAllConnections();
      health = undefined;
      await app.stop();
      await closing;
      await inFlight.drain();
    },
  };
}

/** Socket Mode's HTTP server: `GET /healthz` on `port`, nothing else (404). */
async function healthServer(port: number): Promise<Server> {
  const server = createServer(healthOr404);
  await listen(server, port);
  return server;
}

/** Commands, the submit modal, the review buttons and modals, the Home tab. */
export function registerHandlers(
  slack: SlackBot,
  deps: { useCases: UseCases; logger: Logger; targetProjects: string[] },
): void {
  const ctx = {
    ...deps,
    client: slack.app.client,
    inFlight: slack.inFlight,
    followUps: slack.followUps,
  };
  registerCommands(slack.app, ctx);
  registerSubmit(slack.app, ctx);
  registerReview(slack.app, ctx);
  registerHome(slack.app, ctx);
  registerLogs(slack.app, ctx);
  registerOps(slack.app, ctx);
}
