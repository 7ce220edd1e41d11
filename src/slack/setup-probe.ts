// The doctor's Slack checks over the Web API with the bot token. auth.test names the bot;
// Slack answers every Web API call with an `x-oauth-scopes` header listing the token's
// scopes (https://api.slack.com/legacy/scopes, "Working with scopes"), which the Web API
// client hands back as `response_metadata.scopes`.
import type { webApi } from '@slack/bolt';
import type { Probed, SlackIdentity, SlackProbe, Unreached } from '../ports/setup-probes.ts';

type WebClient = webApi.WebClient;

const NOT_FOUND = new Set(['channel_not_found', 'user_not_found', 'no_such_subteam']);
const DENIED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
]);

/** What a failed Web API call says, as a probe's answer. */
function unreached(error: unknown): Unreached {
  const slackError = (error as { data?: { error?: string; needed?: string } }).data?.error;
  if (!slackError) return { reached: false, code: 'unavailable', message: String(error) };
  const needed = (error as { data?: { needed?: string } }).data?.needed;
  const message = needed ? `${slackError}, needs ${needed}` : slackError;
  const code = NOT_FOUND.has(slackError)
    ? 'not_found'
    : DENIED.has(slackError)
      ? 'denied'
      : 'unavailable';
  return { reached: false, code, message };
}

export class SlackSetupProbe implements SlackProbe {
  readonly #client: WebClient;

  constructor(client: WebClient) {
    this.#client = client;
  }

  async identity(): Promise<Probed<SlackIdentity>> {
    try {
      const answer = await this.#client.auth.test();
      return {
        reached: true,
        value: {
          botUserId: answer.user_id ?? '',
          team: answer.team ?? '',
          scopes: answer.response_metadata?.scopes ?? [],
        },
      };
    } catch (error) {
      return unreached(error);
    }
  }

  async channel(id: string): Promise<Probed<{ name: string; isMember: boolean }>> {
    try {
      const { channel } = await this.#client.conversations.info({ channel: id });
      return {
        reached: true,
        value: { name: channel?.name ?? id, isMember: channel?.is_member === true },
      };
    } catch (error) {
      return unreached(error);
    }
  }

  async approver(id: string): Promise<Probed<string>> {
    try {
      if (id.startsWith('S')) {
        const { users } = await this.#client.usergroups.users.list({ usergroup: id });
        return { reached: true, value: `user group ${id} (${users?.length ?? 0} members)` };
      }
      const { user } = await this.#client.users.info({ user: id });
      return { reached: true, value: user?.real_name ?? user?.name ?? id };
    } catch (error) {
      return unreached(error);
    }
  }
}
