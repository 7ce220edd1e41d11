import { randomBytes } from 'node:crypto';
import { type Bot, createBot } from '../bot.ts';
import { readConfig } from '../config.ts';
import { appEngineServiceAgent } from '../domain/setup-needs.ts';
import type { Logger } from '../log.ts';
import { servicePanels } from './app-engine/panel.ts';
import { startAppEngineApi } from './app-engine/server.ts';
import { startLocalServing } from './app-engine/serving.ts';
import { startArtifactRegistryApi } from './artifact-registry/server.ts';
import { attachLocalBuilds } from './builds/attach.ts';
import { EXAMPLES_DIR, exampleNames } from './builds/examples.ts';
import { submissionOf } from './builds/read-build.ts';
import { startCloudBuildApi } from './cloud-build/server.ts';
import { cloudBuildLogSource } from './cloud-logging/from-cloud-build.ts';
import { startCloudLoggingApi } from './cloud-logging/server.ts';
import { startFirestoreEmulator } from './firestore-emulator.ts';
import { startSlackPage } from './page/server.ts';
import { startRegistry } from './registry/server.ts';
import { startResourceManagerApi } from './resource-manager/server.ts';
import { startSlackApi } from './slack-api/server.ts';
import { startVersionService } from './version-service.ts';

/** The two people of the local workspace, and where they meet. */
export const LOCAL_PARTNER = { id: 'U0LOCALPAT', name: 'pat', real_name: 'Pat Partner' };
/** A second partner, to try the ownership rules (someone else's service is refused). */
export const LOCAL_PARTNER_B = { id: 'U0LOCALBEA', name: 'bea', real_name: 'Bea Partner' };
export const LOCAL_APPROVER = { id: 'U0LOCALALX', name: 'alex', real_name: 'Alex Approver' };
export const LOCAL_REVIEW_CHANNEL = 'C0LOCALREV';
export const LOCAL_PROJECTS = ['playground-local-prod', 'playground-local-dev'];
const LOCAL_HOST_PROJECT = 'playground-local';
/** Project numbers, which name each project's App Engine service agent. */
const LOCAL_NUMBERS: Record<string, string> = {
  [LOCAL_HOST_PROJECT]: '100000000001',
  'playground-local-prod': '100000000002',
  'playground-local-dev': '100000000003',
};

export interface LocalWorkspace {
  /** The bot's Slack endpoint (signed requests only, as in production). */
  botUrl: string;
  /** The page that plays Slack's part. */
  pageUrl: string;
  /** The doctor against the local stand-ins: all is well set up there. */
  checkSetup: Bot['checkSetup'];
  stop(): Promise<void>;
}

/**
 * `npm start` without Slack credentials: the whole flow on this machine. The production
 * bot (Bolt over HTTP, signature checks, Firestore store, tracker) runs unchanged; only
 * the outside services are local: the Firestore emulator, stand-ins for Slack's Web API,
 * Cloud Build, Cloud Logging (the builds' logs), App Engine (with a serving side where its
 * services and versions answer) and the image registry, and a page where people play Slack
 * and see App Engine's side.
 */
export async function startLocalWorkspace(options: {
  logger: Logger;
  port: number;
  env?: NodeJS.ProcessEnv;
}): Promise<LocalWorkspace> {
  const { logger, port, env = process.env } = options;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => logger.warn({ err: error }, 'stopping failed'));
    }
  };
  try {
    let firestoreHost = env.FIRESTORE_EMULATOR_HOST;
    if (firestoreHost) {
      logger.info(
        { host: firestoreHost },
        'using the Firestore emulator at FIRESTORE_EMULATOR_HOST',
      );
    } else {
      const emulator = await startFirestoreEmulator({
        // The emulator is chatty; its lines matter only when something goes wrong.
        log: logger.child({ component: 'emulator' }, { level: 'warn' }),
      });
      stops.push(() => emulator.stop());
      firestoreHost = emulator.host;
      // The Firestore client reads the standard variable.
      process.env.FIRESTORE_EMULATOR_HOST = firestoreHost;
      logger.info({ host: firestoreHost }, 'started the Firestore emulator');
    }

    const botToken = 'xoxb-local-workspace';
    const signingSecret = randomBytes(16).toString('hex');
    const slackApi = await startSlackApi({
      botToken,
      users: [LOCAL_PARTNER, LOCAL_PARTNER_B, LOCAL_APPROVER],
      channels: [{ id: LOCAL_REVIEW_CHANNEL, name: 'playground-review' }],
    });
    stops.push(() => slackApi.close());
    const cloudBuild = await startCloudBuildApi({});
    stops.push(() => cloudBuild.close());
    // The builds' logs, as Cloud Build would have written them to Cloud Logging: what
    // local builds print (a real check's FAIL lines, the service's log) reaches the
    // failure reply through the bot's real Logging adapter.
    const logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
    stops.push(() => logging.close());
    // Each application has its `default` service, as App Engine wants before any other.
    const appEngine = await startAppEngineApi({
      apps: LOCAL_PROJECTS.map((id) => ({ id, services: ['default'] })),
    });
    stops.push(() => appEngine.close());
    // What the doctor asks: every permission granted, the registry readable by each
    // target's App Engine.
    const resourceManager = await startResourceManagerApi({
      projects: Object.entries(LOCAL_NUMBERS).map(([id, number]) => ({ id, number })),
    });
    stops.push(() => resourceManager.close());
    const artifactRegistry = await startArtifactRegistryApi({
      repositories: [
        {
          project: LOCAL_HOST_PROJECT,
          location: 'europe',
          repository: 'playground',
          bindings: [
            {
              role: 'roles/artifactregistry.reader',
              members: LOCAL_PROJECTS.map(
                (id) => `serviceAccount:${appEngineServiceAgent(LOCAL_NUMBERS[id] ?? '')}`,
              ),
            },
          ],
        },
      ],
    });
    stops.push(() => artifactRegistry.close());
    // Versions of simulated builds answer the bot's live check from a stand-in.
    const simulated = await startVersionService();
    stops.push(() => simulated.close());
    // Where versions and services answer, as on appspot.com: each version of an example
    // runs under its own gunicorn (localBuilds), reached through the split.
    const serving = await startLocalServing({
      appEngine,
      // Asked per request, so only once localBuilds (below) exists.
      instancesOf: ({ image }) =>
        image === undefined ? undefined : localBuilds.instancesOf(image),
    });
    stops.push(() => serving.close());
    logger.info(
      { url: `${serving.url}/apps/PROJECT/services/SERVICE` },
      'App Engine serving side: services by traffic split, versions under /versions/VERSION',
    );
    // Example predictors are built and served for real; other images are simulated.
    const localBuilds = attachLocalBuilds({
      cloudBuild,
      appEngine,
      simulatedServiceUrl: simulated.url,
      log: logger,
      versionUrl: (version) => serving.versionUrl(version),
    });
    stops.push(() => localBuilds.close());
    // The partner images' registry: the examples, with the same digests on every run, so a
    // submission shows the digest it is built from; any other image is unknown to it.
    const registry = await startRegistry({
      images: exampleNames(EXAMPLES_DIR).flatMap((name) =>
        ['1.0', 'latest'].map((tag) => ({ repository: `examples/${name}`, tag })),
      ),
    });
    stops.push(() => registry.close());

    const config = readConfig({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slackApi.url,
      PORT: String(port),
      PLAYGROUND_REVIEW_CHANNEL: LOCAL_REVIEW_CHANNEL,
      PLAYGROUND_APPROVERS: LOCAL_APPROVER.id,
      GOOGLE_CLOUD_PROJECT: LOCAL_HOST_PROJECT,
      PLAYGROUND_TARGET_PROJECTS: LOCAL_PROJECTS.join(','),
      PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/playground-local/playground',
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      CLOUD_BUILD_API_URL: cloudBuild.url,
      APPENGINE_API_URL: appEngine.url,
      LOGGING_API_URL: logging.url,
      RESOURCE_MANAGER_API_URL: resourceManager.url,
      ARTIFACT_REGISTRY_API_URL: artifactRegistry.url,
      REGISTRY_API_URL: registry.url,
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    });
    const bot = createBot(config, logger, {
      // People watch this: poll briskly rather than economically.
      backoff: { initialMs: 500, factor: 1.5, maxMs: 3_000 },
      discoverMs: 2_000,
    });
    await bot.start(port);
    stops.push(() => bot.stop());
    const botUrl = `http://127.0.0.1:${port}/slack/events`;
    const page = await startSlackPage({
      api: slackApi,
      botUrl,
      signingSecret,
      users: [
        { id: LOCAL_PARTNER.id, name: LOCAL_PARTNER.real_name, role: 'partner' },
        { id: LOCAL_PARTNER_B.id, name: LOCAL_PARTNER_B.real_name, role: 'partner' },
        { id: LOCAL_APPROVER.id, name: LOCAL_APPROVER.real_name, role: 'approver' },
      ],
      reviewChannel: LOCAL_REVIEW_CHANNEL,
      port: Number(env.PLAYGROUND_PAGE_PORT ?? 0),
      appEngine: {
        services: () =>
          servicePanels({
            appEngine,
            projects: LOCAL_PROJECTS,
            serviceUrl: serving.serviceUrl,
            submissionOf: (image) => submissionOf(cloudBuild.createdBuilds(), image),
          }),
        onChange: appEngine.onChange,
      },
    });
    stops.push(() => page.close());
    return { botUrl, pageUrl: page.url, checkSetup: bot.checkSetup, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
