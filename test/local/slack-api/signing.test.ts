import { describe, expect, it } from 'vitest';
import {
  signedHeaders,
  slackSignature,
  verifySlackSignature,
} from '../../../src/local/slack-api/signing.ts';

// The worked example of https://docs.slack.dev/authentication/verifying-requests-from-slack
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = 1531420618;
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack request signing', () => {
  it("matches Slack's documented example", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
    expect(signedHeaders(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toEqual({
      'X-Slack-Signature': DOC_SIGNATURE,
      'X-Slack-Request-Timestamp': '1531420618',
    });
  });

  const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
    verifySlackSignature({
      signingSecret: DOC_SECRET,
      rawBody: DOC_BODY,
      signature: DOC_SIGNATURE,
      timestamp: String(DOC_TIMESTAMP),
      nowSec: DOC_TIMESTAMP + 10,
      ...overrides,
    });

  it('verifies the example within five minutes of its timestamp', () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ nowSec: DOC_TIMESTAMP + 300 })).toEqual({ ok: true });
  });

  it('refuses a timestamp more than five minutes away', () => {
    expect(verify({ nowSec: DOC_TIMESTAMP + 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verify({ nowSec: DOC_TIMESTAMP - 301 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('refuses a changed body, a wrong secret and missing headers', () => {
    expect(verify({ rawBody: `${DOC_BODY}&x=1` })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ signingSecret: 'another' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ signature: 'v0=00' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
  });
});
