// The Bolt app in Socket Mode (SLACK_APP_TOKEN set) against the Web API stand-in and its
// Socket Mode stand-in: `/healthz` is on the port start() is given (App Engine's PORT), not on
// Bolt's 3000, and an envelope sent over the socket is acked.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { type SlackApiStandIn, startSlackApi } from '../../src/local/slack-api/server.ts';
import { type SocketModeStandIn, startSocketMode } from '../../src/local/slack-api/socket-mode.ts';
import { createLogger } from '../../src/log.ts';
import { createSlackApp, type SlackBot } from '../../src/slack/app.ts';

const BOT_TOKEN = 'xoxb-socket-test';
const APP_TOKEN = 'xapp-1-socket-test';

let socket: SocketModeStandIn;
let api: SlackApiStandIn;
let slack: SlackBot;

beforeEach(async () => {
  socket = await startSocketMode();
  api = await startSlackApi({
    botToken: BOT_TOKEN,
    socketMode: { appToken: APP_TOKEN, url: socket.url },
  });
  const config = readConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'unused-in-socket-mode',
    SLACK_APP_TOKEN: APP_TOKEN,
    SLACK_API_URL: api.url,
    PORT: '8080',
    PLAYGROUND_REVIEW_CHANNEL: 'CREVIEW001',
    PLAYGROUND_APPROVERS: 'UAPPROVER1',
    GOOGLE_CLOUD_PROJECT: 'pg-bot-1',
    PLAYGROUND_TARGET_PROJECTS: 'pg-dev-1',
    PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bot-1/playground',
  });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  slack = createSlackApp(config, createLogger('debug', quiet));
});
afterEach(async () => {
  await slack?.stop();
  await api?.close();
  await socket?.close();
});

it('serves /healthz on the port start() is given once the socket is connected', async () => {
  const server = (await slack.start(0)) as Server;
  await socket.connected();
  // The socket was asked for with the app-level token.
  expect(api.callsTo('apps.connections.open').map((c) => c.ok)).toEqual([true]);
  const { port } = server.address() as AddressInfo;
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe('ok');
  expect((await fetch(`http://127.0.0.1:${port}/slack/events`)).status).toBe(404);
  await slack.stop();
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
});

it('acks a slash command envelope sent over the socket', async () => {
  const seen: string[] = [];
  slack.app.command('/playground', async ({ ack, command }) => {
    seen.push(command.text);
    await ack();
  });
  await slack.start(0);
  const ack = await socket.send('slash_commands', {
    command: '/playground',
    text: 'help',
    user_id: 'UPARTNER01',
    channel_id: 'CGENERAL01',
    team_id: 'T0LOCAL001',
    trigger_id: 'trigger-1',
    response_url: 'https://hooks.slack.example/commands/1',
    api_app_id: 'A0LOCAL001',
  });
  expect(ack.envelope_id).toMatch(/^env-/);
  expect(seen).toEqual(['help']);
});

it('apps.connections.open wants the app-level token, as Slack does', async () => {
  const open = async (token: string) => {
    const response = await fetch(`${api.url}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return (await response.json()) as { ok: boolean; error?: string; url?: string };
  };
  expect(await open(APP_TOKEN)).toEqual({ ok: true, url: socket.url });
  expect(await open(BOT_TOKEN)).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
  expect(await open('xapp-1-someone-else')).toMatchObject({ ok: false, error: 'invalid_auth' });
});
