// Wires the doctor (src/app/doctor.ts) from the configuration: its probes, each the real
// adapter of its service (a stand-in's when that service's URL is set), and what the
// configuration, manifest.json and firestore.indexes.json say should be there. The CLI,
// the bot's start-up and `/playground doctor` build it here.
import { readFileSync } from 'node:fs';
import type { Firestore } from '@google-cloud/firestore';
import { webApi } from '@slack/bolt';
import type { DoctorSetup, SetupUnderTest } from './app/doctor.ts';
import type { Config } from './config.ts';
import { AppEngineSetupProbe } from './gcp/app-engine-setup.ts';
import { ArtifactRegistryProbe } from './gcp/artifact-registry.ts';
import { FirestoreSetupProbe } from './gcp/firestore-setup.ts';
import { ResourceManagerProbe } from './gcp/resource-manager.ts';
import type { IndexShape } from './ports/setup-probes.ts';
import { SlackSetupProbe } from './slack/setup-probe.ts';
import { COLLECTIONS } from './store/firestore-store.ts';

const MANIFEST = new URL('../manifest.json', import.meta.url);
const INDEXES = new URL('../firestore.indexes.json', import.meta.url);

/** The bot scopes the Slack app asks for (manifest.json). */
function manifestScopes(): string[] {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as {
    oauth_config?: { scopes?: { bot?: string[] } };
  };
  return manifest.oauth_config?.scopes?.bot ?? [];
}

/** The composite indexes the store's queries need (firestore.indexes.json). */
export function requiredIndexes(): IndexShape[] {
  const file = JSON.parse(readFileSync(INDEXES, 'utf8')) as { indexes?: IndexShape[] };
  return file.indexes ?? [];
}

/** What the doctor checks for this configuration. */
function setupUnderTest(config: Config): SetupUnderTest {
  return {
    project: config.gcp.project,
    targetProjects: config.gcp.targetProjects,
    registry: config.gcp.registry,
    ...(config.gcp.buildServiceAccount
      ? { buildServiceAccount: config.gcp.buildServiceAccount }
      : {}),
    ...(config.gcp.pullSecret ? { pullSecret: config.gcp.pullSecret } : {}),
    reviewChannel: config.reviewChannel,
    approvers: [
      ...new Set([...config.approvers, ...Object.values(config.projectApprovers).flat()]),
    ],
    scopes: manifestScopes(),
    indexes: requiredIndexes(),
  };
}

/** The doctor for `config`, asking Firestore through `db`; close() closes its clients. */
export function createDoctorSetup(
  config: Config,
  db: Firestore,
  env: NodeJS.ProcessEnv = process.env,
): DoctorSetup & { close(): Promise<void> } {
  const permissions = new ResourceManagerProbe(
    config.gcp.resourceManagerApiUrl ? { apiUrl: config.gcp.resourceManagerApiUrl } : {},
  );
  const applications = new AppEngineSetupProbe(
    config.gcp.appEngineApiUrl ? { apiUrl: config.gcp.appEngineApiUrl } : {},
  );
  const repository = new ArtifactRegistryProbe(
    config.gcp.artifactRegistryApiUrl ? { apiUrl: config.gcp.artifactRegistryApiUrl } : {},
  );
  // Its own client: one look at each thing, none retried behind the doctor's back.
  const slackClient = new webApi.WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return {
    probes: {
      permissions,
      applications,
      repository,
      database: new FirestoreSetupProbe({
        db,
        project: config.gcp.project,
        emulator: Boolean(env.FIRESTORE_EMULATOR_HOST?.trim()),
        collection: COLLECTIONS.submissions,
      }),
      slack: new SlackSetupProbe(slackClient),
    },
    under: setupUnderTest(config),
    async close() {
      await Promise.all([permissions.close(), applications.close(), repository.close()]);
    },
  };
}
