import type { webApi } from '@slack/bolt';
import type { ApproverDirectory } from '../ports/approvers.ts';
import type { UserGroups } from '../ports/services.ts';

type WebClient = webApi.WebClient;

/**
 * Who may approve, from PLAYGROUND_APPROVERS: user ids count directly, user groups are
 * expanded through the Web API and cached briefly so membership changes apply within a
 * minute without asking Slack on every click (nor once per click of a burst).
 */
export class Approvers implements ApproverDirectory {
  readonly ids: readonly string[];
  readonly #client: WebClient;
  readonly #users: Set<string>;
  readonly #groups: string[];
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** The look-up (done or under way) and when it was asked: clicks at once share one. */
  #cache: { members: Promise<Set<string>>; at: number } | undefined;

  constructor(
    client: WebClient,
    ids: string[],
    options: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.ids = ids;
    this.#client = client;
    this.#users = new Set(ids.filter((id) => !id.startsWith('S')));
    this.#groups = ids.filter((id) => id.startsWith('S'));
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async includes(userId: string): Promise<boolean> {
    if (this.#users.has(userId)) return true;
    if (this.#groups.length === 0) return false;
    return (await this.#groupMembers()).has(userId);
  }

  #groupMembers(): Promise<Set<string>> {
    if (this.#cache && this.#now() - this.#cache.at < this.#ttlMs) return this.#cache.members;
    const entry = { members: this.#lookUp(), at: this.#now() };
    this.#cache = entry;
    // A failed look-up is not kept: the next click asks again.
    entry.members.catch(() => {
      if (this.#cache === entry) this.#cache = undefined;
    });
    return entry.members;
  }

  async #lookUp(): Promise<Set<string>> {
    const lists = await Promise.all(
      this.#groups.map(async (usergroup) => {
        const result = await this.#client.usergroups.users.list({ usergroup });
        return result.users ?? [];
      }),
    );
    return new Set(lists.flat());
  }
}

/**
 * Members of any user group (an owning team), through the same cached look-up: one
 * directory per group, made when the group is first asked about.
 */
export class SlackUserGroups implements UserGroups {
  readonly #client: WebClient;
  readonly #groups = new Map<string, Approvers>();

  constructor(client: WebClient) {
    this.#client = client;
  }

  includes(groupId: string, userId: string): Promise<boolean> {
    let group = this.#groups.get(groupId);
    if (!group) {
      group = new Approvers(this.#client, [groupId]);
      this.#groups.set(groupId, group);
    }
    return group.includes(userId);
  }
}
