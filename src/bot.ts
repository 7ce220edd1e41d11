import { createUseCases } from './app/index.ts';
import type { Config } from './config.ts';
import { AppEngineAdapter } from './gcp/app-engine.ts';
import { CloudLoggingBuildLogs } from './gcp/build-logs.ts';
import { CloudBuildAdapter } from './gcp/cloud-build.ts';
import type { Logger } from './log.ts';
import { Tracker, type TrackerOptions } from './pipeline/tracker.ts';
import { SlackNotifier } from './slack/announce.ts';
import { createSlackApp, registerHandlers, type SlackBot } from './slack/app.ts';
import { Approvers } from './slack/approvers.ts';
import { ProgressReporter } from './slack/progress.ts';
import { createFirestore } from './store/firestore-client.ts';
import { FirestoreStore } from './store/firestore-store.ts';

export interface Bot {
  slack: SlackBot;
  tracker: Tracker;
  store: FirestoreStore;
  /** Starts the receiver and the tracker; resolves with the HTTP server (HTTP mode). */
  start(port: number): Promise<unknown>;
  /**
   * Stops taking requests, finishes work in flight, gives leases back (unless
   * `releaseLeases: false`, as after a crash), closes clients.
   */
  stop(options?: { releaseLeases?: boolean }): Promise<void>;
}

/** Tuning that tests and benchmarks change; production uses the defaults. */
export type TrackerTuning = Partial<
  Pick<TrackerOptions, 'owner' | 'leaseMs' | 'tickMs' | 'discoverMs' | 'callsPerMinute' | 'backoff'>
>;

/**
 * Wires the bot from its configuration, in the order the parts need each other: the
 * Firestore store, the Cloud Build, App Engine and Cloud Logging adapters (stand-ins when
 * their URLs are set), the Slack app and its client, the notifier and progress reporter
 * that talk through it, the pipeline tracker, the use cases, and last the handlers.
 * main.ts, the local workspace and the integration tests all build the bot here.
 */
export function createBot(config: Config, logger: Logger, tuning: TrackerTuning = {}): Bot {
  const firestore = createFirestore({ projectId: config.gcp.project });
  const store = new FirestoreStore(firestore);
  const builds = new CloudBuildAdapter({
    projectId: config.gcp.project,
    ...(config.gcp.cloudBuildApiUrl ? { apiUrl: config.gcp.cloudBuildApiUrl } : {}),
  });
  const deploys = new AppEngineAdapter({
    ...(config.gcp.appEngineApiUrl ? { apiUrl: config.gcp.appEngineApiUrl } : {}),
  });
  // A failed step's last lines, from where its build's logs are: the Cloud Logging stand-in
  // (LOGGING_API_URL), or Google's when Cloud Build is Google's too. A Cloud Build stand-in
  // without a Logging one has no logs anywhere: failures then show none.
  const buildLogs =
    config.gcp.loggingApiUrl || !config.gcp.cloudBuildApiUrl
      ? new CloudLoggingBuildLogs({
          projectId: config.gcp.project,
          ...(config.gcp.loggingApiUrl ? { apiUrl: config.gcp.loggingApiUrl } : {}),
        })
      : undefined;
  const slack = createSlackApp(config, logger);
  // Everything that talks to Slack shares the app's Web API client.
  const client = slack.app.client;
  const notifier = new SlackNotifier({
    client,
    reviewChannel: config.reviewChannel,
    logger: logger.child({ component: 'notifier' }),
  });
  const progress = new ProgressReporter({
    client,
    logger: logger.child({ component: 'progress' }),
  });
  const tracker = new Tracker({
    store,
    builds,
    deploys,
    ...(buildLogs ? { buildLogs } : {}),
    progress,
    registry: config.gcp.registry,
    logger: logger.child({ component: 'tracker' }),
    ...tuning,
  });
  const useCases = createUseCases({
    store,
    pipeline: tracker,
    notifier,
    approvers: new Approvers(client, config.approvers),
    logger,
  });
  registerHandlers(slack, { useCases, logger, targetProjects: config.gcp.targetProjects });
  return {
    slack,
    tracker,
    store,
    async start(port) {
      const server = await slack.start(port);
      tracker.run();
      return server;
    },
    async stop(options = {}) {
      await slack.stop();
      await tracker.stop({ release: options.releaseLeases !== false });
      await store.drain();
      await Promise.all([
        builds.close(),
        deploys.close(),
        buildLogs?.close(),
        firestore.terminate(),
      ]);
    },
  };
}
