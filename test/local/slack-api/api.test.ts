import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import {
  APPROVER,
  client,
  PARTNER,
  REVIEW_CHANNEL,
  slackError,
  standIn,
  TOKEN,
  type WebClient as Web,
  WebClient,
  WebClientEvent,
} from './fixtures.ts';

let api: SlackApiStandIn;
let web: Web;

beforeAll(async () => {
  ({ api, web } = await standIn());
});
afterAll(() => api.close());
beforeEach(() => api.reset());

async function post(method: string, init: { headers?: Record<string, string>; body?: string }) {
  const res = await fetch(`${api.url}${method}`, { method: 'POST', ...init });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('authentication', () => {
  it('answers invalid_auth for a wrong bearer token', async () => {
    const other = new WebClient('xoxb-wrong', {
      slackApiUrl: api.url,
      retryConfig: { retries: 0 },
    });
    const error = await slackError(other.auth.test());
    expect(error).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(api.calls[0]).toMatchObject({
      method: 'auth.test',
      ok: false,
      error: 'invalid_auth',
      status: 200,
    });
  });

  it('answers not_authed without a token', async () => {
    const res = await post('auth.test', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res).toEqual({ status: 200, body: { ok: false, error: 'not_authed' } });
  });

  it('takes the token as a form argument too', async () => {
    const res = await post('auth.test', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
    });
    expect(res.body).toMatchObject({ ok: true, user_id: 'UBOT000001', team_id: 'T0LOCAL001' });
  });

  it('takes JSON bodies with the bearer header, not with a token inside', async () => {
    const json = { channel: REVIEW_CHANNEL, text: 'json', blocks: [{ type: 'divider' }] };
    const withHeader = await post('chat.postMessage', {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: `Bearer ${TOKEN}`,
      },
      body: JSON.stringify(json),
    });
    expect(withHeader.body).toMatchObject({ ok: true, channel: REVIEW_CHANNEL });
    expect(api.messages(REVIEW_CHANNEL)[0]?.blocks).toEqual([{ type: 'divider' }]);
    const tokenInBody = await post('chat.postMessage', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...json, token: TOKEN }),
    });
    expect(tokenInBody.body).toEqual({ ok: false, error: 'not_authed' });
  });

  it('answers auth.test like Slack', async () => {
    expect(await web.auth.test()).toMatchObject({
      ok: true,
      url: 'https://slack.example/',
      user_id: 'UBOT000001',
      bot_id: 'BBOT000001',
      team_id: 'T0LOCAL001',
    });
  });
});

describe('methods', () => {
  it('answers unknown_method for methods it does not serve', async () => {
    const error = await slackError(
      web.apiCall('chat.meMessage', { channel: REVIEW_CHANNEL, text: 'x' }),
    );
    expect(error).toMatchObject({
      ok: false,
      error: 'unknown_method',
      req_method: 'chat.meMessage',
    });
  });

  it('users.info gives name and real name, user_not_found otherwise', async () => {
    const res = await web.users.info({ user: PARTNER });
    expect(res.user).toMatchObject({
      id: PARTNER,
      name: 'partner',
      real_name: 'Pat Partner',
      profile: { real_name: 'Pat Partner' },
    });
    expect((await slackError(web.users.info({ user: 'UNOBODY001' }))).error).toBe('user_not_found');
  });

  it('usergroups.users.list gives the members, no_such_subteam otherwise', async () => {
    expect((await web.usergroups.users.list({ usergroup: 'S0APPROVE1' })).users).toEqual([
      APPROVER,
    ]);
    expect((await slackError(web.usergroups.users.list({ usergroup: 'S0NOPE0001' }))).error).toBe(
      'no_such_subteam',
    );
  });

  it('conversations.open gives a stable D channel per user', async () => {
    const a = await web.conversations.open({ users: PARTNER });
    const b = await web.conversations.open({ users: PARTNER, return_im: true });
    const c = await web.conversations.open({ users: APPROVER });
    expect(a.channel?.id).toMatch(/^D[0-9A-Z]{10}$/);
    expect(b.channel).toMatchObject({ id: a.channel?.id, is_im: true, user: PARTNER });
    expect(b).toMatchObject({ already_open: true });
    expect(c.channel?.id).not.toBe(a.channel?.id);
    expect((await slackError(web.conversations.open({ users: 'UNOBODY001' }))).error).toBe(
      'user_not_found',
    );
  });
});

describe('rate limiting', () => {
  it('answers HTTP 429 with Retry-After and ratelimited, then serves again', async () => {
    api.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 7 });
    const limited = await fetch(`${api.url}chat.postMessage`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${TOKEN}`,
      },
      body: `channel=${REVIEW_CHANNEL}&text=hi`,
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ ok: false, error: 'ratelimited' });
    expect(api.calls[0]).toMatchObject({
      method: 'chat.postMessage',
      status: 429,
      error: 'ratelimited',
    });
    expect((await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'hi' })).ok).toBe(true);
    expect(api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('WebClient emits rate_limited with the Retry-After seconds and retries after waiting', async () => {
    api.rateLimit('chat.postMessage', { times: 1, retryAfterSec: 1 });
    const retrying = client(api, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    const seen: number[] = [];
    retrying.on(WebClientEvent.RATE_LIMITED, (retryAfterSec: number) => seen.push(retryAfterSec));
    const started = Date.now();
    const res = await retrying.chat.postMessage({
      channel: REVIEW_CHANNEL,
      text: 'after the wait',
    });
    expect(res.ok).toBe(true);
    expect(seen).toEqual([1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(api.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('WebClient with rejectRateLimitedCalls fails with its rate-limited error code', async () => {
    api.rateLimit('views.publish', { times: 1, retryAfterSec: 30 });
    const rejecting = client(api, { rejectRateLimitedCalls: true });
    await expect(
      rejecting.views.publish({ user_id: PARTNER, view: { type: 'home', blocks: [] } }),
    ).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 });
  });
});

describe('reset', () => {
  it('forgets messages, calls, triggers and pending rate limits', async () => {
    await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'x' });
    const trigger = api.issueTrigger(PARTNER);
    api.rateLimit('auth.test', { times: 5, retryAfterSec: 1 });
    api.reset();
    expect(api.messages(REVIEW_CHANNEL)).toEqual([]);
    expect(api.calls).toEqual([]);
    expect((await web.auth.test()).ok).toBe(true);
    const error = await slackError(
      web.views.open({
        trigger_id: trigger,
        view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [] },
      }),
    );
    expect(error.error).toBe('invalid_trigger_id');
  });
});
