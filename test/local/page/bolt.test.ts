/**
 * The page's requests against a tiny real Bolt app (HTTP receiver, signing secret and all):
 * Bolt accepts every kind the page sends and routes it to the right listener, and what the
 * app does through the stand-in comes back to the page.
 */
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackPage, startSlackPage } from '../../../src/local/page/server.ts';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import {
  APPROVER,
  boltApp,
  modal,
  PARTNER,
  REVIEW_CHANNEL,
  standIn,
  startBolt,
} from '../slack-api/fixtures.ts';
import { call, eventually } from './helpers.ts';

const SECRET = 'bolt-page-secret';
let api: SlackApiStandIn;
let app: App;
let page: SlackPage;
const heard: string[] = [];

beforeAll(async () => {
  ({ api } = await standIn());
  app = boltApp(api, SECRET);
  app.command('/playground', async ({ ack, command, client }) => {
    heard.push(`command:${command.text}`);
    if (command.text === 'submit') {
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: modal({ notify_on_close: true }),
      });
    } else {
      await ack({ text: `Hello <@${command.user_id}>` });
    }
  });
  app.action('approve', async ({ ack, body, client }) => {
    await ack();
    heard.push(`action:${body.user.id}`);
    if (body.type === 'block_actions' && body.message && body.channel)
      await client.chat.update({ channel: body.channel.id, ts: body.message.ts, text: 'Approved' });
  });
  app.view('submit_model', async ({ ack, view }) => {
    const image = view.state.values.image?.value?.value;
    heard.push(`submit:${image ?? ''}`);
    if (!image) await ack({ response_action: 'errors', errors: { image: 'Give an image' } });
    else await ack();
  });
  app.view({ callback_id: 'submit_model', type: 'view_closed' }, async ({ ack }) => {
    heard.push('closed');
    await ack();
  });
  app.event('app_home_opened', async ({ event, client }) => {
    heard.push(`home:${event.user}`);
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
  });
  page = await startSlackPage({
    api,
    botUrl: await startBolt(app),
    signingSecret: SECRET,
    users: [
      { id: PARTNER, name: 'Pat', role: 'partner' },
      { id: APPROVER, name: 'Alex', role: 'approver' },
    ],
    reviewChannel: REVIEW_CHANNEL,
  });
});

afterAll(async () => {
  await page.close();
  await app.stop();
  await api.close();
});

describe('the page and a Bolt app', () => {
  it('command, modal with field errors, submission, close and home all reach their listeners', async () => {
    expect(
      (await call(page.url, 'command', { user: PARTNER, text: '/playground hi' })).body,
    ).toEqual({ ok: true, status: 200 });
    expect(api.ephemerals(PARTNER)).toMatchObject([{ text: `Hello <@${PARTNER}>` }]);

    await call(page.url, 'command', { user: PARTNER, text: '/playground submit' });
    const view = await eventually(() => {
      const top = api.openViews(PARTNER).at(-1);
      if (!top) throw new Error('no modal yet');
      return top;
    });
    const refused = await call(page.url, 'submit', {
      user: PARTNER,
      viewId: view.id,
      values: { image: '' },
    });
    expect(refused.body).toEqual({ ok: true, errors: { image: 'Give an image' } });
    const accepted = await call(page.url, 'submit', {
      user: PARTNER,
      viewId: view.id,
      values: { image: 'eu.gcr.io/p/img:1' },
    });
    expect(accepted.body).toEqual({ ok: true, closed: true });
    expect(api.openViews(PARTNER)).toEqual([]);

    await call(page.url, 'command', { user: PARTNER, text: '/playground submit' });
    await eventually(() => expect(api.openViews(PARTNER)).toHaveLength(1));
    expect((await call(page.url, 'close', { user: PARTNER })).body).toEqual({
      ok: true,
      notified: true,
    });

    expect((await call(page.url, 'home', { user: APPROVER })).body).toEqual({ ok: true });
    await eventually(() => expect(api.home(APPROVER)).toBeDefined());

    const root = api.workspace.postMessage(REVIEW_CHANNEL, {
      text: 'review',
      blocks: [
        {
          type: 'actions',
          block_id: 'review',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              text: { type: 'plain_text', text: 'Approve' },
            },
          ],
        },
      ],
    });
    await call(page.url, 'action', {
      user: APPROVER,
      actionId: 'approve',
      blockId: 'review',
      container: { type: 'message', channel: REVIEW_CHANNEL, ts: root.ts },
    });
    await eventually(() =>
      expect(api.messages(REVIEW_CHANNEL)[0]).toMatchObject({ ts: root.ts, text: 'Approved' }),
    );
    expect(heard).toEqual([
      'command:hi',
      'command:submit',
      'submit:',
      'submit:eu.gcr.io/p/img:1',
      'command:submit',
      'closed',
      `home:${APPROVER}`,
      `action:${APPROVER}`,
    ]);
  });
});
