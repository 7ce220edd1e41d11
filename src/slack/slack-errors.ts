// What a failed Slack call means for the one who retries it: may it pass (and after how
// long, when Slack said), or will the same call fail the same way until someone acts.

/** Slack answers that say "try again later" rather than "this can never work". */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

/** What a person has to do about an error that no retry fixes. */
const ADVICE: Record<string, string> = {
  channel_not_found:
    'check PLAYGROUND_REVIEW_CHANNEL (a channel id, C…) and that the bot can see the channel',
  not_in_channel: 'invite the bot to the review channel (/invite @playground-deploy)',
  is_archived: 'unarchive the review channel, or point PLAYGROUND_REVIEW_CHANNEL at a new one',
  invalid_blocks: 'a bug in the message layout: report it with the log line',
  user_not_found: 'the partner is no longer in the workspace',
  cannot_dm_bot: 'the partner is a bot: there is nobody to tell',
  msg_too_long: 'a bug in the message layout: report it with the log line',
  message_not_found: 'the message was deleted in Slack; nothing will replace it',
  thread_not_found: 'the review thread was deleted in Slack; nothing will replace it',
  invalid_auth: 'check SLACK_BOT_TOKEN (reinstall the app if it was revoked)',
  not_authed: 'check SLACK_BOT_TOKEN',
  account_inactive: 'the bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN',
  missing_scope: 'add the missing scope in the app settings (manifest.json) and reinstall',
  no_thread: 'the review message was never posted (see its own failure): fix that first',
};

export interface ErrorInfo {
  transient: boolean;
  /** Seconds Slack asked to wait, when it said. */
  retryAfterSec?: number;
  /** Slack's error string or the client's error code, for the log. */
  reason: string;
}

export function classify(error: unknown): ErrorInfo {
  const e = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string; response_metadata?: { retryAfter?: number } };
    message?: string;
  };
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error':
      return {
        transient: true,
        reason: 'ratelimited',
        ...(typeof e.retryAfter === 'number' ? { retryAfterSec: e.retryAfter } : {}),
      };
    case 'slack_webapi_platform_error': {
      const reason = e.data?.error ?? 'unknown_error';
      const retryAfter = e.data?.response_metadata?.retryAfter;
      return {
        transient: TRANSIENT_PLATFORM_ERRORS.has(reason),
        reason,
        ...(typeof retryAfter === 'number' ? { retryAfterSec: retryAfter } : {}),
      };
    }
    default:
      // Network errors, HTTP 5xx, a 429 that outlived the client's own retries, timeouts.
      return { transient: true, reason: e?.code ?? e?.message ?? String(error) };
  }
}

/** What to do about an error no retry fixes. */
export function adviceFor(reason: string): string {
  return ADVICE[reason] ?? `Slack answered ${reason}: see its reference page for the method`;
}
