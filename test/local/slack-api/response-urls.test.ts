import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import { blockActions, slashCommand, viewSubmission } from '../../helpers/slack-requests.ts';
import { manualClock, PARTNER, REVIEW_CHANNEL, standIn, type WebClient } from './fixtures.ts';

const clock = manualClock();
let api: SlackApiStandIn;
let web: WebClient;

beforeAll(async () => {
  ({ api, web } = await standIn({ clock }));
});
afterAll(() => api.close());
beforeEach(() => api.reset());

async function respond(url: string, body: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('response URLs', () => {
  it('posts in_channel messages and deletes the original', async () => {
    const posted = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'original' });
    const url = api.issueResponseUrl({
      userId: PARTNER,
      channelId: REVIEW_CHANNEL,
      messageTs: posted.ts as string,
    });
    expect(await respond(url, { response_type: 'in_channel', text: 'for everyone' })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(api.messages(REVIEW_CHANNEL).map((m) => m.text)).toEqual(['original', 'for everyone']);
    await respond(url, { delete_original: true });
    expect(api.messages(REVIEW_CHANNEL).map((m) => m.text)).toEqual(['for everyone']);
  });

  it('checks blocks like chat.postMessage', async () => {
    const url = api.issueResponseUrl({ userId: PARTNER, channelId: REVIEW_CHANNEL });
    const res = await respond(url, {
      text: 't',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
    });
    expect(res.body).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(api.ephemerals(PARTNER)).toEqual([]);
  });

  it('takes five posts within 30 minutes, then answers 404 expired_url', async () => {
    const url = api.issueResponseUrl({ userId: PARTNER, channelId: REVIEW_CHANNEL });
    for (let i = 0; i < 5; i += 1) expect((await respond(url, { text: `${i}` })).status).toBe(200);
    expect(await respond(url, { text: 'sixth' })).toEqual({
      status: 404,
      body: { ok: false, error: 'expired_url' },
    });
    const late = api.issueResponseUrl({ userId: PARTNER, channelId: REVIEW_CHANNEL });
    clock.advance(30 * 60 * 1000 + 1);
    expect((await respond(late, { text: 'late' })).status).toBe(404);
  });
});

describe('request helpers: payload shapes', () => {
  it("slash commands carry Slack's form fields", () => {
    const fields = new URLSearchParams(
      slashCommand({
        text: 'status PG-0001',
        userId: PARTNER,
        channelId: REVIEW_CHANNEL,
        triggerId: '1.2.abc',
      }).body,
    );
    expect([...fields.keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(fields.get('command')).toBe('/playground');
    expect(fields.get('response_url')).toMatch(
      /^https:\/\/hooks\.slack\.com\/commands\/T0LOCAL001\//,
    );
  });

  it('interactions are a form field `payload` holding JSON; a home tab click has a view container', () => {
    const request = blockActions({
      userId: PARTNER,
      actionId: 'open_submission',
      blockId: 'queue',
      value: 'PG-0001',
      triggerId: '1.2.abc',
      view: { id: 'VHOME00001', type: 'home' },
    });
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    const payload = JSON.parse(new URLSearchParams(request.body).get('payload') as string);
    expect(payload).toMatchObject({
      type: 'block_actions',
      container: { type: 'view', view_id: 'VHOME00001' },
      view: { id: 'VHOME00001', type: 'home', state: { values: {} } },
      actions: [
        { type: 'button', action_id: 'open_submission', block_id: 'queue', value: 'PG-0001' },
      ],
    });
    expect(payload.response_url).toBeUndefined();
    expect(payload.message).toBeUndefined();
  });

  it('view submissions fill the view with Slack defaults around what the test gives', () => {
    const request = viewSubmission({
      userId: PARTNER,
      triggerId: '1.2.abc',
      view: {
        id: 'V0000000001',
        callback_id: 'submit_model',
        private_metadata: '{"rev":2}',
        state: { values: { b: { a: { type: 'plain_text_input', value: 'x' } } } },
      },
    });
    const payload = JSON.parse(new URLSearchParams(request.body).get('payload') as string);
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: PARTNER },
      trigger_id: '1.2.abc',
      view: {
        id: 'V0000000001',
        type: 'modal',
        callback_id: 'submit_model',
        private_metadata: '{"rev":2}',
        root_view_id: 'V0000000001',
      },
      response_urls: [],
    });
    expect(payload.view.state.values.b.a.value).toBe('x');
  });
});
