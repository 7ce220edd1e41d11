import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { type DoctorReport, runDoctor } from './app/doctor.ts';
import { createUseCases } from './app/index.ts';
import { PendingImages, type PendingImagesOptions } from './app/pending-images.ts';
import type { Config } from './config.ts';
import { createDoctorSetup } from './doctor-setup.ts';
import { AppEngineAdapter } from './gcp/app-engine.ts';
import { CloudLoggingBuildLogs } from './gcp/build-logs.ts';
import { CloudBuildAdapter } from './gcp/cloud-build.ts';
import { HttpLiveCheck } from './gcp/live-check.ts';
import { DistributionRegistry, type GoogleIdentity } from './gcp/registry.ts';
import type { Logger } from './log.ts';
import { Tracker, type TrackerOptions } from './pipeline/tracker.ts';
import { SlackMessages } from './slack/announce.ts';
import { createSlackApp, registerHandlers, type SlackBot } from './slack/app.ts';
import { Approvers, SlackUserGroups } from './slack/approvers.ts';
import { Deliverer, type DelivererOptions } from './slack/deliverer.ts';
import { createFirestore } from './store/firestore-client.ts';
import { FirestoreStore } from './store/firestore-store.ts';

export interface Bot {
  slack: SlackBot;
  tracker: Tracker;
  deliverer: Deliverer;
  store: FirestoreStore;
  /** The doctor's checks of the set-up (src/app/doctor.ts), as `/playground doctor` runs them. */
  checkSetup(): Promise<DoctorReport>;
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
  Pick<
    TrackerOptions,
    | 'owner'
    | 'leaseMs'
    | 'tickMs'
    | 'discoverMs'
    | 'callsPerMinute'
    | 'backoff'
    | 'deadlines'
    | 'sweepMs'
    | 'keepRunningVersions'
    | 'keepVersions'
    | 'lifecycleGraceMs'
    | 'rollbackDeadlineMs'
  >
> & {
  /** The deliverer's (its owner is the tracker's). */
  delivery?: Partial<Omit<DelivererOptions, 'store' | 'messages' | 'owner' | 'logger'>>;
  /** How often to look for submissions left without their image resolution, and after how long. */
  pendingImages?: Partial<Pick<PendingImagesOptions, 'everyMs' | 'graceMs'>>;
  /**
   * Who the bot is to Google's registries. Default: Application Default Credentials, or
   * none with REGISTRY_API_URL; tests give one to see the account named in a refusal.
   */
  registryIdentity?: GoogleIdentity;
};

/**
 * Wires the bot from its configuration, in the order the parts need each other: the
 * Firestore store, the Cloud Build, App Engine, Cloud Logging and image registry adapters
 * (stand-ins when their URLs are set), the Slack app and its client, the deliverer that says in Slack what
 * the outbox holds, the pipeline tracker, the use cases, and last the handlers.
 * main.ts, the local workspace and the integration tests all build the bot here.
 */
export function createBot(config: Config, logger: Logger, tuning: TrackerTuning = {}): Bot {
  const firestore = createFirestore({ projectId: config.gcp.project });
  const store = new FirestoreStore(firestore);
  const builds = new CloudBuildAdapter({
    projectId: config.gcp.project,
    ...(config.gcp.cloudBuildApiUrl ? { apiUrl: config.gcp.cloudBuildApiUrl } : {}),
    ...(config.gcp.buildServiceAccount ? { serviceAccount: config.gcp.buildServiceAccount } : {}),
    ...(config.gcp.pullSecret ? { pullSecret: config.gcp.pullSecret } : {}),
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
  // Partner images' digests: each image's own registry, or the stand-in at REGISTRY_API_URL.
  const registry = new DistributionRegistry({
    ...(config.gcp.registryApiUrl ? { apiUrl: config.gcp.registryApiUrl } : {}),
    ...(tuning.registryIdentity ? { google: tuning.registryIdentity } : {}),
  });
  const slack = createSlackApp(config, logger);
  // Requests' own answers use the app's Web API client.
  const client = slack.app.client;
  // The outbox's messages go through a client that never retries by itself: a retry the
  // deliverer does not know of could post a message twice (the deliverer retries, after
  // looking for the message by its key).
  const outboxClient = new webApi.WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: slack.app.logger,
  });
  const messages = new SlackMessages({
    client: outboxClient,
    reviewChannel: config.reviewChannel,
    logger: logger.child({ component: 'messages' }),
    approversOf: (project) => config.projectApprovers[project] ?? config.approvers,
  });
  const { delivery, registryIdentity: _, pendingImages: pendingTuning, ...trackerTuning } = tuning;
  const owner = tuning.owner ?? `bot-${randomUUID().slice(0, 8)}`;
  const deliverer = new Deliverer({
    store,
    messages,
    owner,
    logger: logger.child({ component: 'deliverer' }),
    // The same lease discipline as pipelines unless told otherwise.
    ...(tuning.leaseMs !== undefined ? { leaseMs: tuning.leaseMs } : {}),
    ...(tuning.discoverMs !== undefined ? { discoverMs: tuning.discoverMs } : {}),
    ...delivery,
  });
  const tracker = new Tracker({
    store,
    builds,
    deploys,
    ...(buildLogs ? { buildLogs } : {}),
    // The deployed version's own URL, called before "is live" (locally: the kept wrapper).
    liveCheck: new HttpLiveCheck(),
    registry: config.gcp.registry,
    logger: logger.child({ component: 'tracker' }),
    keepRunningVersions: config.lifecycle.keepRunningVersions,
    keepVersions: config.lifecycle.keepVersions,
    lifecycleGraceMs: config.lifecycle.graceMs,
    ...(config.rollbackDeadlineMs ? { rollbackDeadlineMs: config.rollbackDeadlineMs } : {}),
    ...trackerTuning,
    deadlines: { ...config.watchdog, ...tuning.deadlines },
    owner,
  });
  // A submission's image is resolved after its answer; one whose instance stopped first is
  // finished by any instance once it has waited well past a registry call.
  const pendingImages = new PendingImages({
    store,
    registry,
    logger: logger.child({ component: 'pending-images' }),
    everyMs: 15_000,
    graceMs: 30_000,
    ...pendingTuning,
  });
  const doctor = createDoctorSetup(config, firestore);
  const useCases = createUseCases({
    store,
    pipeline: tracker,
    notifier: messages,
    registry,
    approvers: new Approvers(client, config.approvers),
    services: store,
    ownership: {
      targetProjects: config.gcp.targetProjects,
      reservedServices: config.reservedServices,
      teams: new SlackUserGroups(client),
    },
    rules: {
      allowSelfApproval: config.allowSelfApproval,
      projectApprovers: Object.fromEntries(
        Object.entries(config.projectApprovers).map(([project, ids]) => [
          project,
          new Approvers(client, ids),
        ]),
      ),
    },
    logger,
    setup: doctor,
    ...(buildLogs ? { logs: { builds: buildLogs, versions: buildLogs } } : {}),
    ops: { deploys, store },
  });
  registerHandlers(slack, { useCases, logger, targetProjects: config.gcp.targetProjects });
  return {
    slack,
    tracker,
    deliverer,
    store,
    checkSetup: () => runDoctor(doctor.probes, doctor.under),
    async start(port) {
      const server = await slack.start(port);
      // Before the tracker's first discovery, which relies on what the upgrade writes.
      await store
        .upgrade()
        .catch((error: unknown) =>
          logger.error(
            { err: error },
            'could not upgrade stored documents; will try at the next start',
          ),
        );
      tracker.run();
      deliverer.run();
      pendingImages.run();
      return server;
    },
    async stop(options = {}) {
      const release = options.releaseLeases !== false;
      await slack.stop();
      await pendingImages.stop();
      await tracker.stop({ release });
      await deliverer.stop({ release });
      await store.drain();
      await Promise.all([
        builds.close(),
        deploys.close(),
        buildLogs?.close(),
        doctor.close(),
        firestore.terminate(),
      ]);
    },
  };
}
