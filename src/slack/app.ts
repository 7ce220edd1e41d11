import { App, type CustomRoute } from '@slack/bolt';
import type { UseCases } from '../app/index.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { boltLogger } from './bolt-logger.ts';
import { register as registerCommands } from './commands/playground.ts';
import { register as registerHome } from './home/handlers.ts';
import { InFlight } from './in-flight.ts';
import { guardedReceiver } from './receiver.ts';
import { register as registerReview } from './review/handlers.ts';
import { register as registerSubmit } from './submit/handlers.ts';

/** `GET /healthz`: 200 once the process serves requests (App Engine's and Cloud Run's probe). */
const HEALTH_ROUTE: CustomRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  },
};

export interface SlackBot {
  app: App;
  /** Work still running after Slack got its answers; shutdown waits for it. */
  inFlight: InFlight;
  /** Starts the receiver; resolves with the HTTP server (undefined in Socket Mode). */
  start(port: number): Promise<unknown>;
  /** Stops taking requests, then waits for work still running after its answers. */
  stop(): Promise<void>;
}

/**
 * The Bolt app (HTTP receiver on /slack/events, Socket Mode with an app token) and its Web
 * API client, which everything that talks to Slack uses. Handlers come with `registerHandlers`.
 */
export function createSlackApp(config: Config, logger: Logger): SlackBot {
  const app = new App({
    token: config.slack.botToken,
    signingSecret: config.slack.signingSecret,
    logger: boltLogger(logger),
    customRoutes: [HEALTH_ROUTE],
    ...(config.slack.appToken
      ? { socketMode: true, appToken: config.slack.appToken }
      : {
          receiver: guardedReceiver({
            signingSecret: config.slack.signingSecret,
            logger,
            customRoutes: [HEALTH_ROUTE],
          }),
        }),
    clientOptions: {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    },
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
  return {
    app,
    inFlight,
    start: (port) => app.start(port),
    async stop() {
      await app.stop();
      await inFlight.drain();
    },
  };
}

/** Commands, the submit modal, the review buttons and modals, the Home tab. */
export function registerHandlers(
  slack: SlackBot,
  deps: { useCases: UseCases; logger: Logger; targetProjects: string[] },
): void {
  const ctx = { ...deps, client: slack.app.client, inFlight: slack.inFlight };
  registerCommands(slack.app, ctx);
  registerSubmit(slack.app, ctx);
  registerReview(slack.app, ctx);
  registerHome(slack.app, ctx);
}
