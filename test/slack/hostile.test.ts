/**
 * Requests no Slack would send, correctly signed or not, against the real bot: none may end
 * the process or reach a handler; each is refused (400 with a log line, 401 unsigned) and
 * the bot answers /healthz and a signed `/playground help` right after.
 */
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { type App, SocketModeReceiver } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot.ts';
import { readConfig } from '../../src/config.ts';
import { freePort } from '../../src/local/firestore-emulator.ts';
import { type SlackApiStandIn, startSlackApi } from '../../src/local/slack-api/server.ts';
import { createLogger } from '../../src/log.ts';
import { EVENTS_PATH, MAX_CLOCK_SKEW_SEC } from '../../src/slack/receiver.ts';
import {
  appHomeOpened,
  blockActions,
  type SlackRequest,
  send,
  slashCommand,
  viewClosed,
  viewSubmission,
} from '../helpers/slack-requests.ts';
import { emulatorHost } from '../setup/firestore-project.ts';
import {
  type Bot,
  type BotProcess,
  eventsUrl,
  guardedBoltApp,
  PARTNER,
  REVIEW_CHANNEL,
  SECRET,
  spawnBot,
  startBot,
  TOKEN,
} from './harness.ts';

const json = (body: string): SlackRequest => ({ body, contentType: 'application/json' });
const form = (body: string): SlackRequest => ({
  body,
  contentType: 'application/x-www-form-urlencoded',
});

/** A `payload=<json>` request with one field of its payload removed. */
function without(request: SlackRequest, field: string): SlackRequest {
  const payload = JSON.parse(new URLSearchParams(request.body).get('payload') ?? '{}');
  delete payload[field];
  return form(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

/** A form request (a slash command) with one field removed. */
function withoutField(request: SlackRequest, field: string): SlackRequest {
  const fields = new URLSearchParams(request.body);
  fields.delete(field);
  return form(fields.toString());
}

/** A JSON request (an event) with one top-level field removed. */
function withoutKey(request: SlackRequest, field: string): SlackRequest {
  const body = JSON.parse(request.body);
  delete body[field];
  return json(JSON.stringify(body));
}

const click = blockActions({
  userId: PARTNER,
  actionId: 'approve',
  blockId: 'actions',
  value: 'PG-0001',
  triggerId: 'trigger',
});
const view = { id: 'V0000000001', callback_id: 'submit_model', private_metadata: '', hash: 'h' };
const submission = viewSubmission({ userId: PARTNER, triggerId: 'trigger', view });
const closed = viewClosed({ userId: PARTNER, view });
const command = slashCommand({
  userId: PARTNER,
  text: 'help',
  channelId: 'CGENERAL01',
  triggerId: 'trigger',
});
const homeOpened = appHomeOpened({ userId: PARTNER, channelId: 'D0000000001' });

/** Signed bodies Bolt would crash on, answer 500 to, or hand to a handler half-empty. */
const HOSTILE: [name: string, request: SlackRequest, reason: string][] = [
  ['JSON null', json('null'), 'the body is not an object'],
  ['payload=null', form('payload=null'), 'the body is not an object'],
  ['JSON number', json('42'), 'the body is not an object'],
  ['JSON string', json('"text"'), 'the body is not an object'],
  ['JSON array', json('[{"type":"block_actions"}]'), 'the body is not an object'],
  ['payload=true', form('payload=true'), 'the body is not an object'],
  ['block_actions without user', without(click, 'user'), 'no valid user'],
  ['block_actions without team', without(click, 'team'), 'no valid team'],
  ['block_actions without actions', without(click, 'actions'), 'no valid actions'],
  ['view_submission without view', without(submission, 'view'), 'no valid view'],
  ['view_submission without user', without(submission, 'user'), 'no valid user'],
  ['view_submission without team', without(submission, 'team'), 'no valid team'],
  ['view_closed without view', without(closed, 'view'), 'no valid view'],
  ['a command without user_id', withoutField(command, 'user_id'), 'no valid user_id'],
  ['a command without team_id', withoutField(command, 'team_id'), 'no valid team_id'],
  ['an event without event', withoutKey(homeOpened, 'event'), 'no valid event'],
  ['an event without team_id', withoutKey(homeOpened, 'team_id'), 'no valid team_id'],
  ['JSON that does not parse', json('{"type":'), 'malformed body'],
  ['a payload that does not parse', form('payload=%7B'), 'malformed body'],
];

describe('hostile requests against the running bot', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await startBot();
  });
  afterAll(() => bot.close());

  async function stillAnswers(): Promise<void> {
    const health = await fetch(bot.url.replace(EVENTS_PATH, '/healthz'));
    expect(health.status).toBe(200);
    const help = await bot.command(PARTNER, 'help');
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.body)).toContain('/playground submit');
  }

  it.each(HOSTILE)(
    'refuses a signed %s with 400 and a log line',
    async (_name, request, reason) => {
      const before = bot.logs.length;
      const answer = await send(bot.url, request, { secret: SECRET });
      expect(answer.status).toBe(400);
      expect(bot.logs.slice(before)).toContainEqual(
        expect.objectContaining({
          component: 'receiver',
          severity: 'WARNING',
          reason,
          message: 'refused a signed Slack request',
        }),
      );
      await stillAnswers();
    },
  );

  it.each(HOSTILE)('refuses an unsigned %s with 401', async (_name, request) => {
    expect((await send(bot.url, request, { secret: 'not-the-secret' })).status).toBe(401);
    await stillAnswers();
  });

  it('refuses a request without signature headers with 401', async () => {
    const answer = await fetch(bot.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
    expect(answer.status).toBe(401);
    await stillAnswers();
  });

  it('keeps answering unknown paths and methods as Bolt does', async () => {
    expect((await fetch(bot.url.replace(EVENTS_PATH, '/nowhere'))).status).toBe(404);
    expect((await fetch(bot.url)).status).toBe(404);
    await stillAnswers();
  });

  it('refuses a timestamp more than five minutes away, in the future as in the past', async () => {
    const nowSec = () => Math.floor(Date.now() / 1000);
    const at = (offsetSec: number) =>
      send(bot.url, { ...command }, { secret: SECRET, timestamp: nowSec() + offsetSec });
    expect((await at(MAX_CLOCK_SKEW_SEC + 1)).status).toBe(401);
    expect((await at(-(MAX_CLOCK_SKEW_SEC + 1))).status).toBe(401);
    expect((await at(MAX_CLOCK_SKEW_SEC - 1)).status).toBe(200);
    expect((await at(-(MAX_CLOCK_SKEW_SEC - 1))).status).toBe(200);
    expect(bot.logs).toContainEqual(
      expect.objectContaining({ component: 'receiver', reason: 'timestamp out of window' }),
    );
  });
});

describe('the guard in a plain Bolt app, on an injected clock', () => {
  const NOW_MS = 1_700_000_000_000;
  let app: App;
  let url: string;
  const clicks: string[] = [];

  const retries: { retryNum?: number; retryReason?: string }[] = [];

  beforeAll(async () => {
    app = guardedBoltApp({ now: () => NOW_MS });
    app.command('/playground', async ({ ack, context }) => {
      retries.push({ retryNum: context.retryNum, retryReason: context.retryReason });
      await ack('ok');
    });
    app.action('approve', async ({ ack, body }) => {
      clicks.push(body.user.id);
      await ack();
    });
    app.action('broken', async () => {
      throw new Error('a handler that fails before it acks');
    });
    url = await eventsUrl(app);
  });
  afterAll(() => app.stop());

  const at = (timestamp: number) => send(url, command, { secret: SECRET, timestamp });
  const nowSec = NOW_MS / 1000;

  it('takes the bounds themselves and refuses one second past them, either side', async () => {
    expect((await at(nowSec)).status).toBe(200);
    expect((await at(nowSec + MAX_CLOCK_SKEW_SEC)).status).toBe(200);
    expect((await at(nowSec - MAX_CLOCK_SKEW_SEC)).status).toBe(200);
    expect((await at(nowSec + MAX_CLOCK_SKEW_SEC + 1)).status).toBe(401);
    expect((await at(nowSec - MAX_CLOCK_SKEW_SEC - 1)).status).toBe(401);
  });

  it('goes by the injected clock, not the machine clock', async () => {
    expect((await at(Math.floor(Date.now() / 1000))).status).toBe(401);
  });

  it("hands Slack's retry headers to the handler's context, as Bolt's own receiver does", async () => {
    retries.length = 0;
    const retried = { secret: SECRET, timestamp: nowSec, retryNum: 2, retryReason: 'http_timeout' };
    expect((await send(url, command, retried)).status).toBe(200);
    expect((await send(url, command, { secret: SECRET, timestamp: nowSec })).status).toBe(200);
    expect(retries).toEqual([
      { retryNum: 2, retryReason: 'http_timeout' },
      { retryNum: undefined, retryReason: undefined },
    ]);
  });

  it("answers a signed url_verification with its challenge (Slack's Events API set-up)", async () => {
    // docs.slack.dev/reference/events/url_verification: answer with the challenge's value.
    const challenge = json(
      JSON.stringify({
        token: 'legacy',
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
        type: 'url_verification',
      }),
    );
    const answer = await send(url, challenge, { secret: SECRET, timestamp: nowSec });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  it('answers 500 when a handler fails before it acks, and goes on answering', async () => {
    const broken = blockActions({
      userId: PARTNER,
      actionId: 'broken',
      blockId: 'actions',
      value: 'PG-0001',
      triggerId: 'trigger',
    });
    expect((await send(url, broken, { secret: SECRET, timestamp: nowSec })).status).toBe(500);
    expect((await at(nowSec)).status).toBe(200);
  });

  it('answers an unsigned ssl_check itself: the payload it smuggles reaches no handler', async () => {
    expect((await send(url, click, { secret: SECRET, timestamp: nowSec })).status).toBe(200);
    expect(clicks).toEqual([PARTNER]);
    const smuggled = new URLSearchParams({
      ssl_check: '1',
      payload: new URLSearchParams(click.body).get('payload') ?? '',
    }).toString();
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: smuggled,
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(clicks).toEqual([PARTNER]);
  });
});

describe('the bot process (node src/main.ts)', () => {
  let api: SlackApiStandIn;
  let child: ChildProcess;
  let bot: BotProcess;
  let port: number;

  beforeAll(async () => {
    api = await startSlackApi({ botToken: TOKEN, users: [{ id: PARTNER, name: 'pat' }] });
    port = await freePort();
    bot = await spawnBot({
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: api.url,
      PORT: String(port),
      PLAYGROUND_REVIEW_CHANNEL: REVIEW_CHANNEL,
      PLAYGROUND_APPROVERS: 'UAPPROVER1',
      GOOGLE_CLOUD_PROJECT: `test-${Math.random().toString(36).slice(2, 10)}`,
      PLAYGROUND_TARGET_PROJECTS: 'pg-prod-1',
      PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bot-1/playground',
      FIRESTORE_EMULATOR_HOST: emulatorHost(),
      // Nothing is submitted, so nothing calls them: addresses that refuse are enough.
      CLOUD_BUILD_API_URL: 'http://127.0.0.1:9',
      APPENGINE_API_URL: 'http://127.0.0.1:9',
      LOG_LEVEL: 'info',
    });
    child = bot.process;
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await api.close();
  });

  it('lives on after the signed JSON null and payload=null that end a plain Bolt app', async () => {
    const events = `http://127.0.0.1:${port}${EVENTS_PATH}`;
    for (const request of [json('null'), form('payload=null')]) {
      expect((await send(events, request, { secret: SECRET })).status).toBe(400);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const help = await send(
      events,
      slashCommand({ userId: PARTNER, text: 'help', channelId: 'CGENERAL01', triggerId: 't' }),
      { secret: SECRET },
    );
    expect(help.status).toBe(200);
    expect(bot.output()).not.toContain('TypeError');
  });
});

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it("keeps Bolt's own Socket Mode receiver: only HTTP requests are guarded", async () => {
    const config = readConfig({
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_APP_TOKEN: 'xapp-1-local',
      PLAYGROUND_REVIEW_CHANNEL: REVIEW_CHANNEL,
      PLAYGROUND_APPROVERS: 'UAPPROVER1',
      GOOGLE_CLOUD_PROJECT: 'pg-socket-mode',
      PLAYGROUND_TARGET_PROJECTS: 'pg-prod-1',
      PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bot-1/playground',
      CLOUD_BUILD_API_URL: 'http://127.0.0.1:9',
      APPENGINE_API_URL: 'http://127.0.0.1:9',
    });
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const bot = createBot(config, createLogger('warn', sink));
    try {
      const { receiver } = bot.slack.app as unknown as { receiver: unknown };
      expect(receiver).toBeInstanceOf(SocketModeReceiver);
    } finally {
      await bot.stop();
    }
  });
});
