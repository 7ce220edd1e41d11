// Who may approve, with the user groups' members from the Slack stand-in.
import { afterEach, describe, expect, it } from 'vitest';
import type { SlackApiStandIn } from '../../src/local/slack-api/server.ts';
import { Approvers } from '../../src/slack/approvers.ts';
import { APPROVER, PARTNER, standIn } from '../local/slack-api/fixtures.ts';

const GROUP = 'S0APPROVE1';
let api: SlackApiStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('Approvers', () => {
  it('a burst of clicks shares one look-up of the group; after the TTL it is asked again', async () => {
    const started = await standIn();
    api = started.api;
    let now = 0;
    const approvers = new Approvers(started.web, [GROUP], { ttlMs: 1000, now: () => now });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => approvers.includes(i % 2 ? APPROVER : PARTNER)),
    );
    expect(answers.filter(Boolean)).toHaveLength(10);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(1);
    now = 1000;
    expect(await approvers.includes(APPROVER)).toBe(true);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('a failed look-up is not kept: the next click asks again', async () => {
    const started = await standIn();
    api = started.api;
    const approvers = new Approvers(started.web, [GROUP]);
    api.fail('usergroups.users.list', { kind: 'error', error: 'internal_error' });
    await expect(approvers.includes(APPROVER)).rejects.toThrow();
    expect(await approvers.includes(APPROVER)).toBe(true);
    expect(api.callsTo('usergroups.users.list')).toHaveLength(2);
  });
});
