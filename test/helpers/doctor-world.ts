// The outside services the doctor asks, as stand-ins set up well: every permission
// granted, applications with their `default` service, the registry readable by each
// target's App Engine, the review channel with the bot in it, the manifest's scopes.
// Tests then break one thing at a time.
import { appEngineServiceAgent } from '../../src/domain/setup-needs.ts';
import { type AppEngineApiStandIn, startAppEngineApi } from '../../src/local/app-engine/server.ts';
import {
  type ArtifactRegistryStandIn,
  startArtifactRegistryApi,
} from '../../src/local/artifact-registry/server.ts';
import {
  type ResourceManagerStandIn,
  startResourceManagerApi,
} from '../../src/local/resource-manager/server.ts';
import { type SlackApiStandIn, startSlackApi } from '../../src/local/slack-api/server.ts';

export const HOST_PROJECT = 'pg-host-1';
export const TARGETS = ['pg-prod-1', 'pg-dev-1'];
export const NUMBERS: Record<string, string> = {
  [HOST_PROJECT]: '111111111111',
  'pg-prod-1': '222222222222',
  'pg-dev-1': '333333333333',
};
export const REGISTRY = `europe-docker.pkg.dev/${HOST_PROJECT}/playground`;
export const REVIEW_CHANNEL = 'CREVIEW001';
export const APPROVER = 'UAPPROVER1';
export const TOKEN = 'xoxb-doctor-test';

export interface DoctorWorld {
  slack: SlackApiStandIn;
  appEngine: AppEngineApiStandIn;
  resourceManager: ResourceManagerStandIn;
  artifactRegistry: ArtifactRegistryStandIn;
  /** The registry's bindings with every target's App Engine service agent as reader. */
  readableRegistry(): void;
  /** The bot's environment for these stand-ins (Firestore: the given emulator host). */
  env(firestoreHost: string): Record<string, string>;
  close(): Promise<void>;
}

export const serviceAgentOf = (project: string) =>
  `serviceAccount:${appEngineServiceAgent(NUMBERS[project] ?? '')}`;

export async function startDoctorWorld(): Promise<DoctorWorld> {
  const slack = await startSlackApi({
    botToken: TOKEN,
    users: [{ id: APPROVER, name: 'alex', real_name: 'Alex Approver' }],
    channels: [{ id: REVIEW_CHANNEL, name: 'playground-review' }],
  });
  const appEngine = await startAppEngineApi({
    apps: TARGETS.map((id) => ({ id, services: ['default'] })),
  });
  const resourceManager = await startResourceManagerApi({
    projects: Object.entries(NUMBERS).map(([id, number]) => ({ id, number })),
  });
  const artifactRegistry = await startArtifactRegistryApi();
  const readableRegistry = () =>
    artifactRegistry.setRepository({
      project: HOST_PROJECT,
      location: 'europe',
      repository: 'playground',
      bindings: [{ role: 'roles/artifactregistry.reader', members: TARGETS.map(serviceAgentOf) }],
    });
  readableRegistry();
  return {
    slack,
    appEngine,
    resourceManager,
    artifactRegistry,
    readableRegistry,
    env: (firestoreHost) => ({
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: 'doctor-test-secret',
      SLACK_API_URL: slack.url,
      PLAYGROUND_REVIEW_CHANNEL: REVIEW_CHANNEL,
      PLAYGROUND_APPROVERS: APPROVER,
      GOOGLE_CLOUD_PROJECT: HOST_PROJECT,
      PLAYGROUND_TARGET_PROJECTS: TARGETS.join(','),
      PLAYGROUND_REGISTRY: REGISTRY,
      FIRESTORE_EMULATOR_HOST: firestoreHost,
      APPENGINE_API_URL: appEngine.url,
      RESOURCE_MANAGER_API_URL: resourceManager.url,
      ARTIFACT_REGISTRY_API_URL: artifactRegistry.url,
    }),
    close: async () => {
      await Promise.all([
        slack.close(),
        appEngine.close(),
        resourceManager.close(),
        artifactRegistry.close(),
      ]);
    },
  };
}
