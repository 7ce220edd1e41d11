import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewStateValues } from '../../src/local/slack-api/payloads.ts';
import type { MessageWithReplies, StoredView } from '../../src/local/slack-api/types.ts';
import { send, viewSubmission } from '../helpers/slack-requests.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  GROUP_APPROVER,
  OTHER_PARTNER,
  PARTNER,
  PROJECTS,
  REVIEW_CHANNEL,
  SECRET,
  startBot,
} from './harness.ts';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.close();
});

/** A partner's submission, stored and posted to the review channel. */
async function submitted(form = VALID_FORM): Promise<MessageWithReplies> {
  await bot.command(PARTNER, 'submit');
  await bot.submit(PARTNER, form);
  return eventually(async () => {
    const [root] = bot.api.messages(REVIEW_CHANNEL);
    const stored = await bot.store.get('PG-0001');
    if (!root || !stored?.thread) throw new Error('not posted yet');
    return root;
  });
}

const ref = (root: MessageWithReplies) => ({
  ts: root.ts,
  channel: root.channel,
  blocks: root.blocks ?? [],
});

function buttonsOf(message: { blocks?: Record<string, unknown>[] } | undefined): string[] {
  return (message?.blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
}

function dmsTo(userId: string) {
  return bot.api.callsTo('chat.postMessage').filter((c) => c.args.channel === userId);
}

describe('review', () => {
  it('approve: modal with target projects, one transition, message updated in place, thread reply, partner told, pipeline started', async () => {
    const root = await submitted();
    await bot.click(APPROVER, 'approve', 'PG-0001', { message: ref(root) });
    const modal = await bot.modal(APPROVER);
    expect(modal.callback_id).toBe('approve');
    const select = modal.blocks.find((b) => b.block_id === 'project')?.element as {
      options: { value: string }[];
      initial_option: { value: string };
    };
    expect(select.options.map((o) => o.value)).toEqual(PROJECTS);
    expect(select.initial_option.value).toBe(PROJECTS[0]);

    const answer = await bot.submit(APPROVER, { project: 'pg-dev-1', version: 'v1' });
    expect(answer.text).toBe('');
    const stored = await bot.store.get('PG-0001');
    expect(stored?.status).toBe('approved');
    expect(stored?.approval).toMatchObject({
      project: 'pg-dev-1',
      versionLabel: 'v1',
      promote: true,
      by: { userId: APPROVER },
    });

    const [updated] = await eventually(() => {
      const messages = bot.api.messages(REVIEW_CHANNEL);
      if (!messages[0]?.edited || messages[0].replies.length === 0) throw new Error('not yet');
      return messages;
    });
    expect(buttonsOf(updated)).toEqual([]);
    expect(JSON.stringify(updated?.blocks)).toContain(`<@${APPROVER}>`);
    expect(updated?.replies[0]?.text).toMatch(/Approved by/);
    await eventually(() =>
      expect(dmsTo(PARTNER).some((c) => /approved/i.test(String(c.args.text)))).toBe(true),
    );
    await eventually(() => expect(bot.cloudBuild.createdBuilds()).toHaveLength(1));
    expect(JSON.stringify(bot.cloudBuild.createdBuilds()[0])).toContain('pg-0001');

    const audit = await bot.store.audit('PG-0001');
    expect(audit.slice(0, 2).map((e) => e.action)).toEqual(['submit', 'approve']);
    expect(audit[1]).toMatchObject({
      from: 'submitted',
      to: 'approved',
      actor: { userId: APPROVER },
    });
  });

  it('lets members of an approvers user group approve', async () => {
    const root = await submitted();
    await bot.click(GROUP_APPROVER, 'approve', 'PG-0001', { message: ref(root) });
    expect((await bot.modal(GROUP_APPROVER)).callback_id).toBe('approve');
    await bot.submit(GROUP_APPROVER);
    expect((await bot.store.get('PG-0001'))?.status).toBe('approved');
  });

  it('refuses a non-approver click in the modal it opened, audits it, changes nothing', async () => {
    const root = await submitted();
    await bot.click(OTHER_PARTNER, 'approve', 'PG-0001', { message: ref(root) });
    const refusal = await bot.modal(OTHER_PARTNER);
    expect(refusal.submit).toBeNull();
    expect(JSON.stringify(refusal.blocks)).toMatch(
      /You cannot approve PG-0001\.[^"]*Only Playground approvers/,
    );
    expect(bot.api.ephemerals(OTHER_PARTNER)).toEqual([]);
    expect((await bot.store.get('PG-0001'))?.status).toBe('submitted');
    const audit = await bot.store.audit('PG-0001');
    expect(audit.map((e) => e.action)).toEqual(['submit', 'refused']);
    expect(audit[1]?.actor.userId).toBe(OTHER_PARTNER);
    expect(bot.logs.some((l) => l.message === 'refused' && l.userId === OTHER_PARTNER)).toBe(true);
  });

  it('refuses a forged, correctly signed approve submission from a non-approver', async () => {
    await submitted();
    // The partner never got the approve modal; they craft its submission by hand.
    await bot.click(APPROVER, 'approve', 'PG-0001');
    const realModal = await bot.modal(APPROVER);
    const forged = await send(
      bot.url,
      viewSubmission({
        userId: PARTNER,
        triggerId: bot.api.issueTrigger(PARTNER),
        view: {
          id: 'VFORGED001',
          callback_id: 'approve',
          private_metadata: realModal.private_metadata,
          state: { values: viewStateValues(realModal.blocks) },
        },
      }),
      { secret: SECRET },
    );
    expect(forged.status).toBe(200);
    expect(JSON.stringify(forged.body)).toMatch(/Only Playground approvers/);
    expect((await bot.store.get('PG-0001'))?.status).toBe('submitted');
    expect((await bot.store.audit('PG-0001')).map((e) => e.action)).toEqual(['submit', 'refused']);
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);
  });

  it('20 concurrent approvals make exactly one transition and one set of messages', async () => {
    await submitted();
    const views: StoredView[] = [];
    for (let i = 0; i < 20; i++) {
      await bot.click(APPROVER, 'approve', 'PG-0001');
      views.push(await bot.modal(APPROVER, { besides: views }));
    }
    expect(new Set(views.map((v) => v.id)).size).toBe(20);
    const answers = await Promise.all(views.map((view) => bot.submit(APPROVER, {}, view)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.text === '')).toHaveLength(1);
    await eventually(() => expect(bot.cloudBuild.createdBuilds()).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.cloudBuild.createdBuilds()).toHaveLength(1);
    const root = bot.api.messages(REVIEW_CHANNEL)[0];
    expect(bot.api.callsTo('chat.update').filter((c) => c.args.ts === root?.ts)).toHaveLength(1);
    expect(root?.replies.filter((r) => /Approved by/.test(r.text))).toHaveLength(1);
    expect((await bot.store.audit('PG-0001')).filter((e) => e.action === 'approve')).toHaveLength(
      1,
    );
  });

  it('reject asks for a reason and passes it to the partner', async () => {
    const root = await submitted();
    await bot.click(APPROVER, 'reject', 'PG-0001', { message: ref(root) });
    expect((await bot.modal(APPROVER)).callback_id).toBe('reason');
    const empty = await bot.submit(APPROVER, { reason: '   ' });
    expect(JSON.stringify(empty.body)).toMatch(/Write a reason/);
    await bot.submit(APPROVER, { reason: 'The model answers in lat/lon, not pixels.' });
    expect(await bot.store.get('PG-0001')).toMatchObject({
      status: 'rejected',
      reason: 'The model answers in lat/lon, not pixels.',
    });
    await eventually(() =>
      expect(JSON.stringify(dmsTo(PARTNER).at(-1)?.args)).toContain('lat/lon, not pixels'),
    );
  });

  it('request changes, then the partner resubmits revision 2 in the same thread', async () => {
    const root = await submitted();
    await bot.click(APPROVER, 'request_changes', 'PG-0001', { message: ref(root) });
    await bot.submit(APPROVER, { reason: 'Please use padding 32.' });
    expect((await bot.store.get('PG-0001'))?.status).toBe('changes_requested');

    const dm = await eventually(() => {
      const call = dmsTo(PARTNER).find((c) =>
        JSON.stringify(c.args.blocks ?? '').includes('resubmit'),
      );
      if (!call) throw new Error('no resubmit button yet');
      return call;
    });
    expect(JSON.stringify(dm.args)).toContain('Please use padding 32.');

    await bot.click(PARTNER, 'resubmit', 'PG-0001');
    const modal = await bot.modal(PARTNER);
    const padding = modal.blocks.find((b) => b.block_id === 'PADDING')?.element as {
      initial_value: string;
    };
    expect(padding.initial_value).toBe('24');
    const image = modal.blocks.find((b) => b.block_id === 'image')?.element as {
      initial_value: string;
    };
    expect(image.initial_value).toBe(VALID_FORM.image);

    const answer = await bot.submit(PARTNER, { PADDING: '32' });
    expect(answer.text).toBe('');
    const stored = await bot.store.get('PG-0001');
    expect(stored).toMatchObject({ status: 'submitted', revision: 2 });
    expect(stored?.revisions.map((r) => r.spec.PADDING)).toEqual([24, 32]);
    expect(await bot.store.listAll({ limit: 10 })).toHaveLength(1);

    await eventually(() => {
      const [thread] = bot.api.messages(REVIEW_CHANNEL);
      expect(bot.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
      expect(thread?.replies.map((r) => r.text).join('\n')).toMatch(/Revision 2 submitted/);
      expect(buttonsOf(thread)).toEqual(['approve', 'request_changes', 'reject']);
    });
  });
});
