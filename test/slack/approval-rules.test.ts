// Who may approve which submission, through the real Bolt app: not one's own (unless
// configured), and into a project with its own approvers only as one of them.
import { afterEach, describe, expect, it } from 'vitest';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  APPROVER_GROUP,
  type Bot,
  eventually,
  GROUP_APPROVER,
  PARTNER,
  REVIEW_CHANNEL,
  startBot,
} from './harness.ts';

let bot: Bot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function start(env: Record<string, string> = {}): Promise<Bot> {
  bot = await startBot(env);
  return bot;
}

/** `userId`'s submission, stored and posted for review: where its buttons are. */
async function submittedBy(b: Bot, userId: string) {
  await b.command(userId, 'submit');
  await b.submit(userId, VALID_FORM);
  const root = await eventually(async () => {
    const [message] = b.api.messages(REVIEW_CHANNEL);
    if (!message || !(await b.store.get('PG-0001'))?.thread) throw new Error('not posted yet');
    return message;
  });
  return { message: { ts: root.ts, channel: root.channel, blocks: root.blocks ?? [] } };
}

const refusals = async (b: Bot) =>
  (await b.store.audit('PG-0001'))
    .filter((e) => e.action === 'refused')
    .map((e) => [e.actor.userId, e.detail]);

describe('no self-approval', () => {
  it('refuses an approver their own submission at the button and at a stale modal, audited', async () => {
    const b = await start();
    const review = await submittedBy(b, GROUP_APPROVER);

    // The click's modal opens at once and says why not (no approve form).
    await b.click(GROUP_APPROVER, 'approve', 'PG-0001', review);
    const refusal = await b.modal(GROUP_APPROVER);
    expect(refusal.callback_id).not.toBe('approve');
    expect(JSON.stringify(refusal.blocks)).toContain(
      ':lock: You submitted PG-0001; another approver must approve it.',
    );

    // A modal another approver opened, submitted by the submitter (stale or forged).
    await b.click(APPROVER, 'approve', 'PG-0001');
    const modal = await b.modal(APPROVER);
    const answer = await b.submit(GROUP_APPROVER, {}, modal);
    expect(answer.body).toEqual({
      response_action: 'errors',
      errors: { project: ':lock: You submitted PG-0001; another approver must approve it.' },
    });
    expect((await b.store.get('PG-0001'))?.status).toBe('submitted');
    expect(await refusals(b)).toEqual([
      [GROUP_APPROVER, 'approve: self-approval'],
      [GROUP_APPROVER, 'approve: self-approval'],
    ]);
    expect(b.cloudBuild.createdBuilds()).toEqual([]);

    // The form stays open: another approver approves it as usual.
    expect((await b.submit(APPROVER, {}, modal)).text).toBe('');
    expect((await b.store.get('PG-0001'))?.approval?.by.userId).toBe(APPROVER);
  });

  it('lets an approver approve their own when PLAYGROUND_ALLOW_SELF_APPROVAL=true', async () => {
    const b = await start({ PLAYGROUND_ALLOW_SELF_APPROVAL: 'true' });
    await submittedBy(b, GROUP_APPROVER);
    await b.click(GROUP_APPROVER, 'approve', 'PG-0001');
    expect((await b.submit(GROUP_APPROVER)).text).toBe('');
    expect((await b.store.get('PG-0001'))?.status).toBe('approved');
    await eventually(() => expect(b.cloudBuild.createdBuilds()).toHaveLength(1));
  });
});

describe('per-project approvers', () => {
  it("lets only a project's own approvers (a user group here) approve into it, naming them", async () => {
    const b = await start({ PLAYGROUND_PROJECT_APPROVERS: `pg-prod-1=${APPROVER_GROUP}` });
    await submittedBy(b, PARTNER);

    await b.click(APPROVER, 'approve', 'PG-0001');
    const modal = await b.modal(APPROVER);
    const refused = await b.submit(APPROVER, { project: 'pg-prod-1' }, modal);
    expect(refused.body).toEqual({
      response_action: 'errors',
      errors: {
        project: `:lock: Only <!subteam^${APPROVER_GROUP}> can approve into \`pg-prod-1\`. Choose another project, or ask one of them. Nothing was changed.`,
      },
    });
    expect((await b.store.get('PG-0001'))?.status).toBe('submitted');
    expect(await refusals(b)).toEqual([[APPROVER, 'approve into pg-prod-1: not its approver']]);

    await b.click(GROUP_APPROVER, 'approve', 'PG-0001');
    expect((await b.submit(GROUP_APPROVER, { project: 'pg-prod-1' })).text).toBe('');
    expect((await b.store.get('PG-0001'))?.approval).toMatchObject({
      project: 'pg-prod-1',
      by: { userId: GROUP_APPROVER },
    });
  });

  it('lets the refused approver send the same form again into a project they may approve', async () => {
    const b = await start({ PLAYGROUND_PROJECT_APPROVERS: `pg-prod-1=${APPROVER_GROUP}` });
    await submittedBy(b, PARTNER);
    await b.click(APPROVER, 'approve', 'PG-0001');
    const modal = await b.modal(APPROVER);
    expect((await b.submit(APPROVER, { project: 'pg-prod-1' }, modal)).text).not.toBe('');
    expect((await b.submit(APPROVER, { project: 'pg-dev-1' }, modal)).text).toBe('');
    expect((await b.store.get('PG-0001'))?.approval?.project).toBe('pg-dev-1');
  });
});
