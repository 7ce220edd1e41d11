/**
 * Slack's request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the app's signing secret, sent
 * as `X-Slack-Signature` with `X-Slack-Request-Timestamp` (seconds). Pure: the caller passes
 * the timestamp, and the verifier takes "now", so tests control the clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v0';
/** Slack's advice: refuse requests whose timestamp is more than five minutes off. */
export const MAX_REQUEST_AGE_SEC = 5 * 60;

export function slackSignature(
  signingSecret: string,
  timestampSec: number | string,
  rawBody: string,
): string {
  const base = `${SIGNATURE_VERSION}:${timestampSec}:${rawBody}`;
  return `${SIGNATURE_VERSION}=${createHmac('sha256', signingSecret).update(base).digest('hex')}`;
}

export interface SignedHeaders {
  'X-Slack-Signature': string;
  'X-Slack-Request-Timestamp': string;
}

export function signedHeaders(
  signingSecret: string,
  timestampSec: number,
  rawBody: string,
): SignedHeaders {
  return {
    'X-Slack-Signature': slackSignature(signingSecret, timestampSec, rawBody),
    'X-Slack-Request-Timestamp': String(timestampSec),
  };
}

export type Verification =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/** Checks a request the way Slack's docs (and Bolt) do. */
export function verifySlackSignature(input: {
  signingSecret: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSec: number;
  maxAgeSec?: number;
}): Verification {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return { ok: false, reason: 'missing_headers' };
  const ts = Number(timestamp);
  if (
    !Number.isInteger(ts) ||
    Math.abs(input.nowSec - ts) > (input.maxAgeSec ?? MAX_REQUEST_AGE_SEC)
  ) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true };
}
