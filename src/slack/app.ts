import { App, type CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { SubmissionStore } from '../ports/store.ts';
import { Approvers } from './approvers.ts';
import { boltLogger } from './bolt-logger.ts';
import { register as registerCommands } from './commands/playground.ts';
import type { HandlerContext } from './context.ts';
import { register as registerHome } from './home/handlers.ts';
import { InFlight } from './in-flight.ts';
import { guardedReceiver } from './receiver.ts';
import { register as registerReview } from './review/handlers.ts';
import { register as registerSubmit } from './submit/handlers.ts';

export interface SlackAppDeps {
  config: Config;
  store: SubmissionStore;
  /** Made with the app's Web API client, which the pipeline reports progress through. */
  pipeline: (client: HandlerContext['client']) => Pipeline;
  logger: Logger;
}

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
  /** Starts the receiver; resolves with the HTTP server (undefined in Socket Mode). */
  start(port: number): Promise<unknown>;
  /** Stops taking requests, then waits for work still running after its answers. */
  stop(): Promise<void>;
}

/**
 * The Bolt app: HTTP receiver on /slack/events behind the request guard (receiver.ts), or
 * Socket Mode with an app token; all handlers.
 */
export function createSlackApp(deps: SlackAppDeps): SlackBot {
  const { config, logger } = deps;
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
  const ctx: HandlerContext = {
    ...deps,
    pipeline: deps.pipeline(app.client),
    inFlight,
    client: app.client,
    approvers: new Approvers(app.client, config.approvers),
  };
  registerCommands(app, ctx);
  registerSubmit(app, ctx);
  registerReview(app, ctx);
  registerHome(app, ctx);

  app.error(async (error) => {
    logger.error(
      { err: error, code: (error as { code?: string }).code },
      'unhandled error in a Slack handler',
    );
  });
  return {
    app,
    start: (port) => app.start(port),
    async stop() {
      await app.stop();
      await inFlight.drain();
    },
  };
}
