/**
 * The page's App Engine side, as the local workspace wires it: GET /state carries a panel
 * per service from the App Engine stand-in (versions, serving status, traffic, the
 * submission from the Cloud Build requests, the service URL of the serving side), and each
 * change there reaches open pages as a tick. Buttons the page has never heard of (the
 * bot's newer ones) click through like any other.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { servicePanels } from '../../../src/local/app-engine/panel.ts';
import {
  type AppEngineApiStandIn,
  type JsonObject,
  startAppEngineApi,
} from '../../../src/local/app-engine/server.ts';
import { type LocalServing, startLocalServing } from '../../../src/local/app-engine/serving.ts';
import { submissionOf } from '../../../src/local/builds/read-build.ts';
import { digestOf } from '../../../src/local/cloud-build/builds.ts';
import { type SlackPage, startSlackPage } from '../../../src/local/page/server.ts';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import { APPROVER, PARTNER, REVIEW_CHANNEL, standIn } from '../slack-api/fixtures.ts';
import { call, eventsUntil, startRecorder } from './helpers.ts';

const SECRET = 'panel-test-secret';
const REGISTRY = 'europe-docker.pkg.dev/pg-bot/playground';
/** The wrapped images two revisions of PG-0007 pushed, as the bot names them. */
const IMAGES = [1, 2].map((r) => `${REGISTRY}/boats:pg-0007-r${r}`);
/** Their Cloud Build requests, as far as the panel reads them. */
const BUILDS: JsonObject[] = IMAGES.map((image, i) => ({
  images: [image],
  tags: ['playground-deploy', 'pg-0007', `pg-0007-r${i + 1}`, `pg-0007-r${i + 1}-a1`],
}));
const byDigest = (image: string) => `${REGISTRY}/boats@${digestOf(image)}`;

let slack: SlackApiStandIn;
let appEngine: AppEngineApiStandIn;
let serving: LocalServing;
let bot: Awaited<ReturnType<typeof startRecorder>>;
let page: SlackPage;

beforeAll(async () => {
  ({ api: slack } = await standIn({
    channels: [{ id: REVIEW_CHANNEL, name: 'playground-review' }],
  }));
  appEngine = await startAppEngineApi({ apps: [{ id: 'pg-prod', services: ['default'] }] });
  serving = await startLocalServing({ appEngine, instancesOf: () => undefined });
  bot = await startRecorder(SECRET);
  page = await startSlackPage({
    api: slack,
    botUrl: bot.url,
    signingSecret: SECRET,
    users: [
      { id: PARTNER, name: 'Pat', role: 'partner' },
      { id: APPROVER, name: 'Alex', role: 'approver' },
    ],
    reviewChannel: REVIEW_CHANNEL,
    appEngine: {
      services: () =>
        servicePanels({
          appEngine,
          projects: ['pg-prod'],
          serviceUrl: serving.serviceUrl,
          submissionOf: (image) => submissionOf(BUILDS, image),
        }),
      onChange: appEngine.onChange,
    },
  });
});
afterAll(async () => {
  await page?.close();
  await bot?.close();
  await serving?.close();
  await appEngine?.close();
  await slack?.close();
});
beforeEach(() => {
  appEngine.reset();
  bot.reset();
});

async function admin(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${appEngine.url}/v1/apps/pg-prod/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const operation = (await response.json()) as JsonObject;
  expect(response.status, JSON.stringify(operation)).toBe(200);
  await fetch(`${appEngine.url}/v1/${operation.name}`); // ends on its first poll
}

const deploy = (id: string, image: string) =>
  admin('POST', 'services/boats/versions', {
    id,
    runtime: 'custom',
    env: 'flex',
    deployment: { container: { image } },
  });

async function services() {
  const response = await fetch(new URL(`state?user=${APPROVER}`, page.url));
  return ((await response.json()) as { services: unknown }).services;
}

describe('the App Engine panel in GET /state', () => {
  it('shows each service with versions: status, traffic, submission, URLs', async () => {
    expect(await services()).toEqual([]); // `default` has no versions: no panel
    await deploy('pg-0007-r1', byDigest(IMAGES[0] as string));
    await deploy('pg-0007-r2', byDigest(IMAGES[1] as string));
    await admin('PATCH', 'services/boats?updateMask=split', {
      split: { allocations: { 'pg-0007-r2': 1 } },
    });
    await admin('PATCH', 'services/boats/versions/pg-0007-r1?updateMask=servingStatus', {
      servingStatus: 'STOPPED',
    });
    expect(await services()).toEqual([
      {
        project: 'pg-prod',
        service: 'boats',
        url: `${serving.url}/apps/pg-prod/services/boats`,
        shardBy: 'UNSPECIFIED',
        versions: [
          {
            id: 'pg-0007-r1',
            servingStatus: 'STOPPED',
            traffic: 0,
            submission: 'PG-0007 r1',
            url: 'https://pg-0007-r1-dot-boats-dot-pg-prod.ew.r.appspot.com',
          },
          {
            id: 'pg-0007-r2',
            servingStatus: 'SERVING',
            traffic: 1,
            submission: 'PG-0007 r2',
            url: 'https://pg-0007-r2-dot-boats-dot-pg-prod.ew.r.appspot.com',
          },
        ],
      },
    ]);
  });

  it('leaves the submission out for an image no build pushed', async () => {
    await deploy('v1', `${REGISTRY}/boats@sha256:${'0'.repeat(64)}`);
    const [panel] = (await services()) as Array<{ versions: JsonObject[] }>;
    expect(panel?.versions[0]).not.toHaveProperty('submission');
  });

  it('pushes a tick to open pages when App Engine changes', async () => {
    const { seen } = await eventsUntil(page.url, 'app-engine', () =>
      deploy('v1', byDigest(IMAGES[0] as string)),
    );
    expect(seen).toContain('data: {"kind":"app-engine"}');
  });
});

describe('buttons the page has no list of', () => {
  it.each(['promote', 'rollback', 'show_log'])(
    'a click on %s reaches the app as block_actions',
    async (actionId) => {
      const root = slack.workspace.postMessage(REVIEW_CHANNEL, {
        text: 'live',
        blocks: [
          {
            type: 'actions',
            block_id: 'live',
            elements: [
              { type: 'button', action_id: actionId, text: { type: 'plain_text', text: actionId } },
            ],
          },
        ],
      });
      const answer = await call(page.url, 'action', {
        user: APPROVER,
        actionId,
        blockId: 'live',
        text: actionId,
        container: { type: 'message', channel: REVIEW_CHANNEL, ts: root.ts },
      });
      expect(answer.body).toEqual({ ok: true, status: 200 });
      expect(bot.received[0]?.body).toMatchObject({
        type: 'block_actions',
        actions: [{ action_id: actionId, block_id: 'live' }],
      });
    },
  );
});
