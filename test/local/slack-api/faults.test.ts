/**
 * The stand-in failing on cue, seen through the real WebClient, and what that client does
 * with each failure by itself. This is the record of which failures reach our code.
 *
 * Bolt's `app.client` is a WebClient (@slack/web-api 8.2, from @slack/bolt 5.1) made from
 * the App's `clientOptions`; src/slack/app.ts sets no `retryConfig`, `timeout` or
 * `rejectRateLimitedCalls`, so it has the client's defaults: the retry policy
 * `tenRetriesInAboutThirtyMinutes` (10 retries, back-off from 1 s by a factor of 1.96821,
 * randomized: about 30 minutes in all), no timeout, rate-limited calls waited for.
 * WebClient.makeRequest decides (dist/WebClient.js), and p-retry retries whatever it
 * throws except an AbortError:
 *
 * | Slack's answer                               | WebClient                                   |
 * |----------------------------------------------|---------------------------------------------|
 * | HTTP 200 `{ok:false, error}`: every error,   | never retried: rejects at once with         |
 * | `internal_error`, `fatal_error`,             | `slack_webapi_platform_error`, the answer   |
 * | `service_unavailable`, `request_timeout`     | in `error.data`. REACHES OUR CODE.          |
 * | included                                     |                                             |
 * | HTTP 429 with a numeric `Retry-After`        | waits that long (pausing all its calls),    |
 * |                                              | then retries; rejects after the 10 retries. |
 * |                                              | With `rejectRateLimitedCalls`: rejects at   |
 * |                                              | once, `slack_webapi_rate_limited_error`.    |
 * | HTTP 429 without a numeric `Retry-After`     | not retried (AbortError): plain Error.      |
 * | any other non-200 status (5xx, and 4xx too)  | retried with back-off; then rejects with    |
 * |                                              | `slack_webapi_http_error` (`statusCode`).   |
 * | no answer: connection reset, refused, or the | retried with back-off; then rejects with    |
 * | client's `timeout` passed                    | `slack_webapi_request_error` (`original`).  |
 * | a stall, with no `timeout` set               | waits for Node's fetch (undici's 300 s      |
 * |                                              | headers timeout), then as a network error.  |
 *
 * So with the defaults only platform errors reach our code quickly; a 5xx or a network
 * failure reaches it after about half an hour of retries, and a retry after a lost answer
 * can post the same message twice (tested below): WebClient's retries are not idempotent.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/eventually.ts';
import {
  client,
  manualClock,
  PARTNER,
  REVIEW_CHANNEL,
  sharedStandIn,
  slackError,
  standIn,
  type WebClient as Web,
} from './fixtures.ts';

const shared = sharedStandIn();

/** A client that retries at once, so retries show without the default back-off. */
const retrying = (retries: number, options: { timeout?: number } = {}) =>
  client(shared.api, { retryConfig: { retries, minTimeout: 0, maxTimeout: 0 }, ...options });

const post = (w: Web, text = 'hello') => w.chat.postMessage({ channel: REVIEW_CHANNEL, text });

describe('ok: false with a chosen error', () => {
  it.each([
    'internal_error',
    'fatal_error',
    'service_unavailable',
    'request_timeout',
    'channel_not_found',
    'not_in_channel',
    'is_archived',
    'invalid_blocks',
    'user_not_found',
  ])('%s answers HTTP 200 and is never retried by WebClient', async (error) => {
    shared.api.fail('chat.postMessage', { kind: 'error', error });
    await expect(post(retrying(3))).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: { ok: false, error },
    });
    expect(shared.api.callsTo('chat.postMessage')).toEqual([
      expect.objectContaining({ status: 200, ok: false, error, fault: { kind: 'error', error } }),
    ]);
    expect(shared.api.messages(REVIEW_CHANNEL)).toEqual([]);
  });

  it('fails the next call only by default, then the method works again', async () => {
    shared.api.fail('chat.postMessage', { kind: 'error', error: 'internal_error' });
    expect((await slackError(post(shared.web))).error).toBe('internal_error');
    expect((await post(shared.web)).ok).toBe(true);
    expect(shared.api.callsTo('chat.postMessage').map((c) => c.fault?.kind ?? 'none')).toEqual([
      'error',
      'none',
    ]);
  });

  it('fails n times', async () => {
    shared.api.fail('chat.update', { kind: 'error', error: 'fatal_error' }, { times: 2 });
    const { ts } = await post(shared.web);
    const update = () =>
      shared.web.chat.update({ channel: REVIEW_CHANNEL, ts: ts as string, text: 'b' });
    expect((await slackError(update())).error).toBe('fatal_error');
    expect((await slackError(update())).error).toBe('fatal_error');
    expect((await update()).ok).toBe(true);
    expect(shared.api.messages(REVIEW_CHANNEL)[0]?.text).toBe('b');
  });

  it('fails for a while, by the stand-in clock', async () => {
    const clock = manualClock();
    const timed = await standIn({ clock });
    try {
      timed.api.fail(
        'views.publish',
        { kind: 'error', error: 'service_unavailable' },
        { forMs: 30_000 },
      );
      const publish = () =>
        timed.web.views.publish({ user_id: PARTNER, view: { type: 'home', blocks: [] } });
      expect((await slackError(publish())).error).toBe('service_unavailable');
      clock.advance(29_999);
      expect((await slackError(publish())).error).toBe('service_unavailable');
      clock.advance(1);
      expect((await publish()).ok).toBe(true);
    } finally {
      await timed.api.close();
    }
  });

  it('fails only the method named, first scripted first', async () => {
    shared.api.fail('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    shared.api.fail('chat.postMessage', { kind: 'error', error: 'is_archived' });
    expect((await shared.web.auth.test()).ok).toBe(true);
    expect((await slackError(post(shared.web))).error).toBe('not_in_channel');
    expect((await slackError(post(shared.web))).error).toBe('is_archived');
    expect((await post(shared.web)).ok).toBe(true);
  });

  it('fails only the calls its match accepts, the others pass it by', async () => {
    shared.api.fail(
      'chat.postMessage',
      { kind: 'error', error: 'internal_error' },
      { match: (args) => args.channel === PARTNER },
    );
    expect((await post(shared.web)).ok).toBe(true);
    const dm = () => shared.web.chat.postMessage({ channel: PARTNER, text: 'hi' });
    expect((await slackError(dm())).error).toBe('internal_error');
    expect((await dm()).ok).toBe(true);
  });
});

describe('HTTP 429 ratelimited', () => {
  it('answers Retry-After, which WebClient waits for before its retry', async () => {
    shared.api.fail('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 1 });
    const started = Date.now();
    expect((await post(retrying(1))).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(shared.api.callsTo('chat.postMessage')).toMatchObject([
      { status: 429, error: 'ratelimited', fault: { kind: 'ratelimited', retryAfterSec: 1 } },
      { status: 200, ok: true },
    ]);
    expect(shared.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('reaches the caller once WebClient has no retries left', async () => {
    shared.api.fail('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 0 }, { times: 2 });
    await expect(post(retrying(1))).rejects.toThrow(/rate limit was exceeded/);
    expect(shared.api.callsTo('chat.postMessage').map((c) => c.status)).toEqual([429, 429]);
  });
});

describe('HTTP 5xx', () => {
  it.each([500, 502, 503, 504])('%i is retried by WebClient until it passes', async (status) => {
    shared.api.fail('chat.postMessage', { kind: 'http', status }, { times: 2 });
    expect((await post(retrying(2))).ok).toBe(true);
    expect(shared.api.callsTo('chat.postMessage').map((c) => c.status)).toEqual([
      status,
      status,
      200,
    ]);
    expect(shared.api.callsTo('chat.postMessage')[0]?.fault).toEqual({ kind: 'http', status });
    expect(shared.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('reaches the caller as slack_webapi_http_error after the retries', async () => {
    shared.api.fail('chat.postMessage', { kind: 'http', status: 503 }, { times: 2 });
    await expect(post(retrying(1))).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 503,
    });
    expect(shared.api.messages(REVIEW_CHANNEL)).toEqual([]);
  });
});

describe('connection reset', () => {
  it('drops the call unanswered and undone; WebClient retries it', async () => {
    shared.api.fail('chat.postMessage', { kind: 'reset' });
    expect((await post(retrying(1))).ok).toBe(true);
    expect(shared.api.callsTo('chat.postMessage')).toMatchObject([
      { status: 0, ok: false, fault: { kind: 'reset' } },
      { status: 200, ok: true },
    ]);
    expect(shared.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  });

  it('reaches the caller as slack_webapi_request_error without retries', async () => {
    shared.api.fail('chat.postMessage', { kind: 'reset' });
    await expect(post(retrying(0))).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(shared.api.messages(REVIEW_CHANNEL)).toEqual([]);
  });
});

describe('stall', () => {
  it('answers late and still carries the call out: a caller that timed out lost the ts', async () => {
    shared.api.fail('chat.postMessage', { kind: 'stall', ms: 400 });
    await expect(post(retrying(0, { timeout: 100 }), 'late')).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    const [message] = await eventually(() => {
      const list = shared.api.messages(REVIEW_CHANNEL);
      if (list.length === 0) throw new Error('not posted yet');
      return list;
    });
    expect(message?.text).toBe('late');
    expect(shared.api.callsTo('chat.postMessage')).toMatchObject([
      { status: 200, ok: true, fault: { kind: 'stall', ms: 400 } },
    ]);
  });

  it("makes WebClient's own retry post the message twice", async () => {
    shared.api.fail('chat.postMessage', { kind: 'stall', ms: 300 });
    expect((await post(retrying(1, { timeout: 100 }), 'twice')).ok).toBe(true);
    await eventually(() => {
      if (shared.api.messages(REVIEW_CHANNEL).length < 2)
        throw new Error('the stalled post is not done');
    });
    expect(shared.api.messages(REVIEW_CHANNEL).map((m) => m.text)).toEqual(['twice', 'twice']);
  });

  it('without a duration never answers, and the method serves the next call', async () => {
    shared.api.fail('users.info', { kind: 'stall' });
    await expect(retrying(0, { timeout: 200 }).users.info({ user: PARTNER })).rejects.toMatchObject(
      { code: 'slack_webapi_request_error' },
    );
    expect(shared.api.callsTo('users.info')).toMatchObject([
      { status: 0, fault: { kind: 'stall' } },
    ]);
    expect((await shared.web.users.info({ user: PARTNER })).ok).toBe(true);
  });
});

describe('reset', () => {
  it('forgets pending faults', async () => {
    shared.api.fail('auth.test', { kind: 'http', status: 500 }, { forMs: 60_000 });
    shared.api.reset();
    expect((await shared.web.auth.test()).ok).toBe(true);
  });
});
