import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import type { ChangeEvent } from '../../../src/local/slack-api/types.ts';
import {
  APPROVER,
  button,
  PARTNER,
  REVIEW_CHANNEL,
  section,
  slackError,
  standIn,
  type WebClient,
} from './fixtures.ts';

let api: SlackApiStandIn;
let web: WebClient;

beforeAll(async () => {
  ({ api, web } = await standIn());
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const TS = /^\d{10}\.\d{6}$/;

describe('chat.postMessage', () => {
  it('posts text and blocks, answers channel and a Slack-shaped ts, records the call', async () => {
    const blocks = [
      section('*PG-0001* submitted'),
      { type: 'actions', elements: [button('approve', 'Approve')] },
    ];
    const res = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'PG-0001 submitted',
      blocks,
    });
    expect(res.ok).toBe(true);
    expect(res.channel).toBe(REVIEW_CHANNEL);
    expect(res.ts).toMatch(TS);
    expect(res.message?.blocks).toEqual(blocks);

    const [message] = api.messages(REVIEW_CHANNEL);
    expect(message).toMatchObject({ ts: res.ts, text: 'PG-0001 submitted', blocks, replies: [] });

    const [call] = api.calls;
    expect(call).toMatchObject({ method: 'chat.postMessage', ok: true, status: 200 });
    // WebClient sends a form body with blocks JSON-encoded; the record holds them decoded.
    expect(call?.args.blocks).toEqual(blocks);
    expect(call?.args.token).toBeUndefined();
    expect(typeof call?.time).toBe('number');
  });

  it('hands out unique, increasing ts even within one millisecond', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        web.chat.postMessage({ channel: REVIEW_CHANNEL, text: `m${i}` }),
      ),
    );
    const ts = results.map((r) => r.ts as string);
    expect(new Set(ts).size).toBe(20);
    const sorted = [...ts].sort((a, b) => Number(a) - Number(b));
    expect(api.messages(REVIEW_CHANNEL).map((m) => m.ts)).toEqual(sorted);
  });

  it('groups thread replies under their root; a reply to a reply joins the root', async () => {
    const root = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'root' });
    const first = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'r1',
      thread_ts: root.ts as string,
    });
    await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'r2',
      thread_ts: first.ts as string,
    });
    const [message, ...others] = api.messages(REVIEW_CHANNEL);
    expect(others).toEqual([]);
    expect(message?.thread_ts).toBe(root.ts);
    expect(message?.replies.map((r) => [r.text, r.thread_ts])).toEqual([
      ['r1', root.ts],
      ['r2', root.ts],
    ]);
  });

  it('posts to a user id in the app DM, the same channel conversations.open gives', async () => {
    const res = await web.chat.postMessage({
      channel: PARTNER,
      text: 'Your submission PG-0001 is in',
    });
    const dm = await web.conversations.open({ users: PARTNER });
    expect(res.channel).toMatch(/^D/);
    expect(dm.channel?.id).toBe(res.channel);
    expect(api.messages(res.channel as string)).toHaveLength(1);
  });

  it('refuses a message with neither text nor blocks (no_text)', async () => {
    expect(
      (await slackError(web.chat.postMessage({ channel: REVIEW_CHANNEL, text: '' }))).error,
    ).toBe('no_text');
    expect(
      (await slackError(web.chat.postMessage({ channel: REVIEW_CHANNEL, blocks: [] }))).error,
    ).toBe('no_text');
  });

  it('refuses text over 40,000 characters (msg_too_long)', async () => {
    await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'x'.repeat(40_000) });
    const error = await slackError(
      web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'x'.repeat(40_001) }),
    );
    expect(error.error).toBe('msg_too_long');
  });

  it('answers invalid_blocks with errors pointing at the block, and stores nothing', async () => {
    const error = await slackError(
      web.chat.postMessage({
        channel: REVIEW_CHANNEL,
        text: 't',
        blocks: [section('ok'), section('x'.repeat(3001))],
      }),
    );
    expect(error).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/1/text/text]'],
      response_metadata: {
        messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]'],
      },
    });
    expect(api.messages(REVIEW_CHANNEL)).toEqual([]);
    expect(api.calls[0]).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it.each([
    ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' }))],
    [
      'a 151-character header',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
    ],
    [
      '11 context elements',
      [
        {
          type: 'context',
          elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })),
        },
      ],
    ],
    [
      '26 buttons',
      [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }],
    ],
    ['a 76-character button', [{ type: 'actions', elements: [button('b', 'x'.repeat(76))] }]],
    [
      'two buttons with one action_id',
      [{ type: 'actions', elements: [button('approve'), button('approve')] }],
    ],
    [
      'two blocks with one block_id',
      [section('a', { block_id: 'r' }), section('b', { block_id: 'r' })],
    ],
  ])('refuses %s through WebClient', async (_name, blocks) => {
    const error = await slackError(
      web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 't', blocks }),
    );
    expect(error.error).toBe('invalid_blocks');
    expect((error.errors as string[])[0]).toMatch(/\[json-pointer:\/blocks/);
  });

  it('answers invalid_blocks_format for blocks that are not a JSON array', async () => {
    const res = await fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'Bearer xoxb-local-test-token',
      },
      body: new URLSearchParams({ channel: REVIEW_CHANNEL, blocks: '[{oops' }).toString(),
    });
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('answers channel_not_found and thread_not_found', async () => {
    expect((await slackError(web.chat.postMessage({ channel: '#nope', text: 't' }))).error).toBe(
      'channel_not_found',
    );
    const error = await slackError(
      web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 't', thread_ts: '1.000001' }),
    );
    expect(error.error).toBe('thread_not_found');
  });

  it('only knows the seeded channels when channels are given', async () => {
    const strict = await standIn({ channels: [{ id: REVIEW_CHANNEL, name: 'playground-review' }] });
    try {
      await strict.web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'ok' });
      expect(
        (await slackError(strict.web.chat.postMessage({ channel: 'COTHER0001', text: 't' }))).error,
      ).toBe('channel_not_found');
    } finally {
      await strict.api.close();
    }
  });
});

describe('chat.update', () => {
  it('replaces the content in place: same ts, same thread position, marked edited', async () => {
    const root = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'v1',
      blocks: [section('v1')],
    });
    const reply = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'reply',
      thread_ts: root.ts as string,
    });
    const res = await web.chat.update({
      channel: REVIEW_CHANNEL,
      ts: root.ts as string,
      text: 'v2',
      blocks: [section('v2')],
    });
    expect(res).toMatchObject({ ok: true, channel: REVIEW_CHANNEL, ts: root.ts, text: 'v2' });
    const [message] = api.messages(REVIEW_CHANNEL);
    expect(message).toMatchObject({ ts: root.ts, text: 'v2', blocks: [section('v2')] });
    expect(message?.edited?.user).toBe('UBOT000001');
    expect(message?.replies.map((r) => r.ts)).toEqual([reply.ts]);
  });

  it('keeps the blocks when only text is given (Slack keeps blocks left out)', async () => {
    const root = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'v1',
      blocks: [section('v1')],
    });
    await web.chat.update({ channel: REVIEW_CHANNEL, ts: root.ts as string, text: 'v2' });
    expect(api.messages(REVIEW_CHANNEL)[0]).toMatchObject({ text: 'v2', blocks: [section('v1')] });
  });

  it('answers message_not_found for an unknown ts, and invalid_blocks like postMessage', async () => {
    const error = await slackError(
      web.chat.update({ channel: REVIEW_CHANNEL, ts: '1700000000.000100', text: 'x' }),
    );
    expect(error.error).toBe('message_not_found');
    const root = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'v1' });
    const invalid = await slackError(
      web.chat.update({
        channel: REVIEW_CHANNEL,
        ts: root.ts as string,
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    );
    expect(invalid.error).toBe('invalid_blocks');
    expect(api.messages(REVIEW_CHANNEL)[0]?.text).toBe('v1');
  });
});

describe('chat.postEphemeral', () => {
  it('stores the message for that user only and answers message_ts', async () => {
    const res = await web.chat.postEphemeral({
      channel: REVIEW_CHANNEL,
      user: PARTNER,
      text: 'Only approvers can approve',
    });
    expect(res.message_ts).toMatch(TS);
    expect(api.ephemerals(PARTNER)).toEqual([
      expect.objectContaining({
        channel: REVIEW_CHANNEL,
        user: PARTNER,
        text: 'Only approvers can approve',
        message_ts: res.message_ts,
      }),
    ]);
    expect(api.ephemerals(APPROVER)).toEqual([]);
    expect(api.messages(REVIEW_CHANNEL)).toEqual([]);
  });

  it('answers user_not_found for an unknown user', async () => {
    const error = await slackError(
      web.chat.postEphemeral({ channel: REVIEW_CHANNEL, user: 'UNOBODY001', text: 'x' }),
    );
    expect(error.error).toBe('user_not_found');
  });
});

describe('chat.getPermalink', () => {
  it('links a message and a thread reply like Slack does', async () => {
    const root = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'root' });
    const reply = await web.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'r',
      thread_ts: root.ts as string,
    });
    const link = await web.chat.getPermalink({
      channel: REVIEW_CHANNEL,
      message_ts: root.ts as string,
    });
    expect(link.permalink).toBe(
      `https://slack.example/archives/${REVIEW_CHANNEL}/p${(root.ts as string).replace('.', '')}`,
    );
    const replyLink = await web.chat.getPermalink({
      channel: REVIEW_CHANNEL,
      message_ts: reply.ts as string,
    });
    expect(replyLink.permalink).toBe(
      `https://slack.example/archives/${REVIEW_CHANNEL}/p${(reply.ts as string).replace('.', '')}?thread_ts=${root.ts}&cid=${REVIEW_CHANNEL}`,
    );
  });

  it('answers message_not_found', async () => {
    const error = await slackError(
      web.chat.getPermalink({ channel: REVIEW_CHANNEL, message_ts: '1700000000.000100' }),
    );
    expect(error.error).toBe('message_not_found');
  });
});

describe('change notifications', () => {
  it('tells listeners about messages, ephemerals and calls', async () => {
    const events: ChangeEvent[] = [];
    const stop = api.onChange((e) => events.push(e));
    const res = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'hello' });
    await web.chat.postEphemeral({ channel: REVIEW_CHANNEL, user: PARTNER, text: 'psst' });
    stop();
    await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'unheard' });
    expect(events.map((e) => e.kind)).toEqual(['message', 'call', 'ephemeral', 'call']);
    expect(events[0]).toEqual({
      kind: 'message',
      channel: REVIEW_CHANNEL,
      ts: res.ts,
      action: 'posted',
    });
  });
});
