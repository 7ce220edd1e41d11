// `/playground doctor` through the real Bolt app (signed requests), the bot wired to the
// stand-ins of every service the doctor asks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appEngineServiceAgent } from '../../src/domain/setup-needs.ts';
import {
  type ArtifactRegistryStandIn,
  startArtifactRegistryApi,
} from '../../src/local/artifact-registry/server.ts';
import {
  type ResourceManagerStandIn,
  startResourceManagerApi,
} from '../../src/local/resource-manager/server.ts';
import { APPROVER, type Bot, eventually, PARTNER, PROJECTS, startBot } from './harness.ts';

const NUMBERS = ['222222222222', '333333333333'];

let bot: Bot;
let resourceManager: ResourceManagerStandIn;
let artifactRegistry: ArtifactRegistryStandIn;

beforeEach(async () => {
  resourceManager = await startResourceManagerApi({
    projects: PROJECTS.map((id, i) => ({ id, number: NUMBERS[i] ?? '' })),
  });
  // The harness's registry: europe-docker.pkg.dev/pg-bot-1/playground.
  artifactRegistry = await startArtifactRegistryApi({
    repositories: [
      {
        project: 'pg-bot-1',
        location: 'europe',
        repository: 'playground',
        bindings: [
          {
            role: 'roles/artifactregistry.reader',
            members: NUMBERS.map((n) => `serviceAccount:${appEngineServiceAgent(n)}`),
          },
        ],
      },
    ],
  });
  bot = await startBot({
    RESOURCE_MANAGER_API_URL: resourceManager.url,
    ARTIFACT_REGISTRY_API_URL: artifactRegistry.url,
  });
  resourceManager.addProject({ id: bot.env.GOOGLE_CLOUD_PROJECT ?? '' });
  for (const id of PROJECTS) bot.appEngine.addApp({ id, services: ['default'] });
});
afterEach(async () => {
  await bot.close();
  await Promise.all([resourceManager.close(), artifactRegistry.close()]);
});

/**
 * The doctor's answer to `userId` through the command's response_url, once it is there
 * (the first run also makes the Google clients, which takes seconds on a busy machine).
 */
function reportTo(userId: string) {
  return eventually(() => {
    const posted = bot.api.callsTo('response_url').at(-1);
    if (!posted) throw new Error(`no answer to ${userId} yet`);
    return posted.args as { text: string; blocks?: unknown[]; response_type: string };
  }, 30_000);
}

describe('/playground doctor', () => {
  it('answers an approver at once, then with every check ok, ephemerally', async () => {
    const ack = await bot.command(APPROVER, 'doctor');
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('Checking'),
    });
    const report = await reportTo(APPROVER);
    expect(report.response_type).toBe('ephemeral');
    expect(report.text).toMatch(/^:stethoscope: All \d+ checks of the set-up passed\.$/);
    const shown = JSON.stringify(report.blocks);
    expect(shown).toContain(
      'App Engine* `pg-prod-1`: application in europe-west (flexible environment available), serving',
    );
    expect(shown).toContain('not checked on the emulator');
    expect(shown).not.toContain(':x:');
    expect(bot.api.callsTo('chat.postMessage')).toEqual([]);
  });

  it('names what is wrong with its fix: a missing permission with its role, a missing scope', async () => {
    resourceManager.revoke('pg-dev-1', ['appengine.versions.update']);
    bot.api.setScopes(['commands', 'chat:write']);
    await bot.command(APPROVER, 'doctor');
    const report = await reportTo(APPROVER);
    expect(report.text).toMatch(/^:stethoscope: 2 problems in \d+ checks/);
    const shown = JSON.stringify(report.blocks);
    expect(shown).toContain(
      'appengine.versions.update (stop superseded versions): granted by App Engine Service Admin (roles/appengine.serviceAdmin)',
    );
    expect(shown).toContain(
      '`gcloud projects add-iam-policy-binding pg-dev-1 --member=serviceAccount:BOT_ACCOUNT_EMAIL --role=roles/appengine.serviceAdmin`',
    );
    expect(shown).toContain('the token lacks im:write, usergroups:read');
  });

  it('sends a long report to the approver in a DM and says so', async () => {
    // Projects with neither an application nor access: several lines each.
    await bot.close();
    bot = await startBot({
      RESOURCE_MANAGER_API_URL: resourceManager.url,
      ARTIFACT_REGISTRY_API_URL: artifactRegistry.url,
      PLAYGROUND_TARGET_PROJECTS: 'pg-new-1,pg-new-2,pg-new-3,pg-new-4',
    });
    await bot.command(APPROVER, 'doctor');
    const answer = await reportTo(APPROVER);
    expect(answer.text).toContain('The full report is in your DM with the app.');
    const [dm] = bot.api.callsTo('chat.postMessage');
    expect(dm?.args).toMatchObject({ channel: APPROVER });
    expect(JSON.stringify(dm?.args)).toContain('pg-new-4 has no App Engine application');
  });

  it('refuses anyone but an approver, and asks no service', async () => {
    await bot.command(PARTNER, 'doctor');
    const answer = await reportTo(PARTNER);
    expect(answer.text).toBe(':lock: Only Playground approvers can run the doctor.');
    expect(resourceManager.requests).toEqual([]);
    expect(bot.api.callsTo('conversations.info')).toEqual([]);
  });
});
