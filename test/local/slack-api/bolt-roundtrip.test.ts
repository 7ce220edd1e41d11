/**
 * The request helpers and the stand-in together against a real Bolt app over HTTP: Bolt
 * accepts what the helpers sign, refuses forged or stale requests with 401, and its
 * WebClient and respond() land in the stand-in.
 */
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import {
  blockActions,
  send,
  slashCommand,
  viewClosed,
  viewSubmission,
} from '../../helpers/slack-requests.ts';
import {
  boltApp,
  button,
  modal,
  PARTNER,
  REVIEW_CHANNEL,
  section,
  standIn,
  startBolt,
} from './fixtures.ts';

const SECRET = 'local-signing-secret';
let api: SlackApiStandIn;
let app: App;
let events: string;
const seen: {
  retryNum?: number;
  retryReason?: string;
  command?: Record<string, unknown>;
  action?: Record<string, unknown>;
}[] = [];

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  ({ api } = await standIn());
  app = boltApp(api, SECRET);
  app.command('/playground', async ({ ack, body, client, respond, context }) => {
    await ack();
    seen.push({
      command: body,
      ...(context.retryNum !== undefined
        ? { retryNum: context.retryNum, retryReason: context.retryReason }
        : {}),
    });
    if (body.text === 'submit')
      await client.views.open({ trigger_id: body.trigger_id, view: modal() });
    else await respond({ text: 'Usage: /playground submit' });
  });
  app.action('approve', async ({ ack, body, respond }) => {
    await ack();
    seen.push({ action: body as unknown as Record<string, unknown> });
    await respond({ replace_original: true, text: 'Approved by <@UAPPROVER1>' });
  });
  app.view('submit_model', async ({ ack, view }) => {
    const image = view.state.values.image?.value?.value;
    if (!image) await ack({ response_action: 'errors', errors: { image: 'Give an image' } });
    else await ack();
  });
  app.view({ callback_id: 'submit_model', type: 'view_closed' }, async ({ ack }) => {
    await ack();
  });
  events = await startBolt(app);
});

afterAll(async () => {
  await app.stop();
  await api.close();
});

beforeEach(() => {
  api.reset();
  seen.length = 0;
});

describe('slash commands', () => {
  it('Bolt accepts a signed command and opens the modal with the stand-in trigger', async () => {
    const triggerId = api.issueTrigger(PARTNER);
    const res = await send(
      events,
      slashCommand({ text: 'submit', userId: PARTNER, channelId: REVIEW_CHANNEL, triggerId }),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
    await until(() => api.openViews(PARTNER).length === 1);
    expect(api.callsTo('views.open')[0]).toMatchObject({
      ok: true,
      args: { trigger_id: triggerId },
    });
    expect(seen[0]?.command).toMatchObject({
      command: '/playground',
      text: 'submit',
      user_id: PARTNER,
      channel_id: REVIEW_CHANNEL,
      team_id: 'T0LOCAL001',
      api_app_id: 'A0LOCAL001',
    });
  });

  it('respond() posts to a response_url served by the stand-in: an ephemeral for the user', async () => {
    const responseUrl = api.issueResponseUrl({ userId: PARTNER, channelId: REVIEW_CHANNEL });
    const request = slashCommand({
      text: 'help',
      userId: PARTNER,
      channelId: REVIEW_CHANNEL,
      triggerId: 't',
      responseUrl,
    });
    expect((await send(events, request, { secret: SECRET })).status).toBe(200);
    await until(() => api.ephemerals(PARTNER).length === 1);
    expect(api.ephemerals(PARTNER)[0]).toMatchObject({
      text: 'Usage: /playground submit',
      via: 'response_url',
    });
    expect(api.callsTo('response_url')[0]).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses a bad signature with 401 and runs nothing', async () => {
    const request = slashCommand({
      text: 'submit',
      userId: PARTNER,
      channelId: REVIEW_CHANNEL,
      triggerId: api.issueTrigger(PARTNER),
    });
    const res = await send(events, request, { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    const forged = await send(events, request, {
      secret: SECRET,
      signature: `v0=${'0'.repeat(64)}`,
    });
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    expect(api.calls).toEqual([]);
  });

  it('refuses a timestamp older than five minutes with 401', async () => {
    const request = slashCommand({
      text: 'submit',
      userId: PARTNER,
      channelId: REVIEW_CHANNEL,
      triggerId: 't',
    });
    const res = await send(events, request, {
      secret: SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(res.status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('passes Slack retry headers to the app', async () => {
    const responseUrl = api.issueResponseUrl({ userId: PARTNER, channelId: REVIEW_CHANNEL });
    const request = slashCommand({
      text: 'help',
      userId: PARTNER,
      channelId: REVIEW_CHANNEL,
      triggerId: 't',
      responseUrl,
    });
    await send(events, request, { secret: SECRET, retryNum: 1, retryReason: 'http_timeout' });
    await until(() => api.ephemerals(PARTNER).length === 1);
    expect(seen[0]).toMatchObject({ retryNum: 1, retryReason: 'http_timeout' });
  });
});

describe('interactivity', () => {
  it('a button click on a review message reaches the action, and respond() replaces the message', async () => {
    const posted = await app.client.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'PG-0001',
      blocks: [
        section('PG-0001'),
        {
          type: 'actions',
          block_id: 'review',
          elements: [button('approve', 'Approve', { value: 'PG-0001' })],
        },
      ],
    });
    const ts = posted.ts as string;
    const responseUrl = api.issueResponseUrl({
      userId: 'UAPPROVER1',
      channelId: REVIEW_CHANNEL,
      messageTs: ts,
    });
    const request = blockActions({
      userId: 'UAPPROVER1',
      actionId: 'approve',
      blockId: 'review',
      value: 'PG-0001',
      triggerId: api.issueTrigger('UAPPROVER1'),
      message: { ...api.messages(REVIEW_CHANNEL)[0], ts, channel: REVIEW_CHANNEL } as never,
      responseUrl,
    });
    expect((await send(events, request, { secret: SECRET })).status).toBe(200);
    await until(() => api.messages(REVIEW_CHANNEL)[0]?.text === 'Approved by <@UAPPROVER1>');
    expect(api.messages(REVIEW_CHANNEL)[0]?.ts).toBe(ts);
    expect(seen[0]?.action).toMatchObject({
      type: 'block_actions',
      user: { id: 'UAPPROVER1' },
      container: { type: 'message', message_ts: ts, channel_id: REVIEW_CHANNEL },
      channel: { id: REVIEW_CHANNEL },
      actions: [{ type: 'button', action_id: 'approve', block_id: 'review', value: 'PG-0001' }],
    });
  });

  it('a view submission with an empty field gets response_action errors back in the HTTP answer', async () => {
    const opened = await app.client.views.open({
      trigger_id: api.issueTrigger(PARTNER),
      view: modal(),
    });
    const [view] = api.openViews(PARTNER);
    expect(view?.id).toBe(opened.view?.id);
    const empty = viewSubmission({
      userId: PARTNER,
      triggerId: api.issueTrigger(PARTNER),
      view: {
        ...(view as NonNullable<typeof view>),
        state: { values: { image: { value: { type: 'plain_text_input', value: null } } } },
      },
    });
    const res = await send(events, empty, { secret: SECRET });
    expect(res).toMatchObject({
      status: 200,
      body: { response_action: 'errors', errors: { image: 'Give an image' } },
    });
    const filled = viewSubmission({
      userId: PARTNER,
      triggerId: api.issueTrigger(PARTNER),
      view: {
        id: view?.id as string,
        callback_id: 'submit_model',
        state: {
          values: { image: { value: { type: 'plain_text_input', value: 'eu.gcr.io/x:1' } } },
        },
      },
    });
    const ok = await send(events, filled, { secret: SECRET });
    expect(ok).toMatchObject({ status: 200, text: '' });
  });

  it('a view_closed payload is accepted', async () => {
    const res = await send(
      events,
      viewClosed({ userId: PARTNER, view: { id: 'V0000000001', callback_id: 'submit_model' } }),
      { secret: SECRET },
    );
    expect(res.status).toBe(200);
  });
});
