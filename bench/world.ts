// The outside world of one benchmark phase: the Slack, Cloud Build, Cloud Logging and App
// Engine stand-ins on loopback, and the environment a bot needs to use them.
import { type AppEngineApiStandIn, startAppEngineApi } from '../src/local/app-engine/server.ts';
import { type CloudBuildStandIn, startCloudBuildApi } from '../src/local/cloud-build/server.ts';
import { cloudBuildLogSource } from '../src/local/cloud-logging/from-cloud-build.ts';
import {
  type CloudLoggingStandIn,
  startCloudLoggingApi,
} from '../src/local/cloud-logging/server.ts';
import { type SlackApiStandIn, startSlackApi } from '../src/local/slack-api/server.ts';

export const REVIEW_CHANNEL = 'CBENCHREV1';
export const PARTNER = 'UBENCHPAR1';
export const APPROVER = 'UBENCHAPP1';
export const TARGET_PROJECT = 'pg-bench-1';
const TOKEN = 'xoxb-bench-bot-token';

/**
 * Every build step lasts six hours (the build's own 30 min timeout comes first), so each
 * build stays WORKING through the window: the tracker keeps polling and nothing changes.
 */
const STEP_MS = 6 * 3600_000;

export interface World {
  slack: SlackApiStandIn;
  cloudBuild: CloudBuildStandIn;
  appEngine: AppEngineApiStandIn;
  logging: CloudLoggingStandIn;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const slack = await startSlackApi({
    botToken: TOKEN,
    users: [
      { id: PARTNER, name: 'pat', real_name: 'Pat Partner' },
      { id: APPROVER, name: 'alex', real_name: 'Alex Approver' },
    ],
  });
  const cloudBuild = await startCloudBuildApi({ defaultScenario: { stepMs: STEP_MS } });
  const appEngine = await startAppEngineApi({ apps: [TARGET_PROJECT] });
  const logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
  return {
    slack,
    cloudBuild,
    appEngine,
    logging,
    close: async () => {
      await Promise.all([slack.close(), cloudBuild.close(), appEngine.close(), logging.close()]);
    },
  };
}

/** The bot's environment (as readConfig reads it) for `world` and a Firestore project. */
export function botEnv(world: World, firestoreHost: string, projectId: string) {
  return {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_API_URL: world.slack.url,
    PLAYGROUND_REVIEW_CHANNEL: REVIEW_CHANNEL,
    PLAYGROUND_APPROVERS: APPROVER,
    GOOGLE_CLOUD_PROJECT: projectId,
    PLAYGROUND_TARGET_PROJECTS: TARGET_PROJECT,
    PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bench-1/playground',
    FIRESTORE_EMULATOR_HOST: firestoreHost,
    CLOUD_BUILD_API_URL: world.cloudBuild.url,
    APPENGINE_API_URL: world.appEngine.url,
    LOGGING_API_URL: world.logging.url,
    LOG_LEVEL: 'warn',
  };
}
