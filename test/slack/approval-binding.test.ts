// What an approver decides on is what is built: decision forms bound to the revision they
// were opened on (and its hash), a new revision voiding an approval that has not started,
// and every modal opened within the click's trigger life, however slow the work behind it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstRun } from '../../src/domain/run-transitions.ts';
import type { MessageWithReplies, StoredView } from '../../src/local/slack-api/types.ts';
import { hold } from '../store/fixtures.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  GROUP_APPROVER,
  OTHER_PARTNER,
  PARTNER,
  REVIEW_CHANNEL,
  startBot,
} from './harness.ts';

const ID = 'PG-0001';
const OTHER_IMAGE = 'docker.io/other/thing:2.0';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
  bot.registry.push({ repository: 'other/thing', tag: '2.0' }); // OTHER_IMAGE, so it has a digest
});
afterEach(async () => {
  await bot.close();
});

async function submitted(): Promise<MessageWithReplies> {
  await bot.command(PARTNER, 'submit');
  await bot.submit(PARTNER, VALID_FORM);
  return eventually(async () => {
    const [root] = bot.api.messages(REVIEW_CHANNEL);
    if (!root || !(await bot.store.get(ID))?.thread) throw new Error('not posted yet');
    return root;
  });
}

/** A decision form `userId` opens from the review message, as it is once filled. */
async function opened(userId: string, action: string): Promise<StoredView> {
  const before = bot.api.openViews(userId);
  await bot.click(userId, action, ID);
  return bot.modal(userId, { besides: before });
}

/** Another approver sends it back; the partner resubmits revision 2 with another image. */
async function revisedWithAnotherImage(): Promise<void> {
  await opened(GROUP_APPROVER, 'request_changes');
  await bot.submit(GROUP_APPROVER, { reason: 'Pin the image.' });
  expect((await bot.store.get(ID))?.status).toBe('changes_requested');
  await resubmitted();
}

async function resubmitted(): Promise<void> {
  const form = await opened(PARTNER, 'resubmit');
  expect(form.callback_id).toBe('submit');
  expect((await bot.submit(PARTNER, { image: OTHER_IMAGE }, form)).text).toBe('');
  const stored = await bot.store.get(ID);
  expect(stored?.revisions.at(-1)?.spec.image).toBe(OTHER_IMAGE);
  // Its digest is asked for after the answer, and a form opened before it came is bound
  // to the revision without it (refused once it comes): forms opened next wait for it.
  await eventually(async () =>
    expect((await bot.store.get(ID))?.revisions.at(-1)?.image?.kind).toBe('resolved'),
  );
}

/** The modal that replaced a sent form (`response_action: update`), as text. */
function replacement(answer: { body: unknown }): string {
  const body = answer.body as { response_action?: string; view?: { blocks: unknown[] } };
  expect(body.response_action).toBe('update');
  return JSON.stringify(body.view?.blocks);
}

function dmsTo(userId: string): string[] {
  return bot.api
    .callsTo('chat.postMessage')
    .filter((c) => c.args.channel === userId)
    .map((c) => JSON.stringify(c.args));
}

async function lastAudit() {
  return (await bot.store.audit(ID)).at(-1);
}

describe('decision forms are bound to the revision they were opened on', () => {
  it('refuses a stale Approve (and Reject) form after revision 2 with another image: says what changed, audits it, approves nothing', async () => {
    await submitted();
    const approveForm = await opened(APPROVER, 'approve');
    const rejectForm = await opened(APPROVER, 'reject');
    expect(JSON.parse(approveForm.private_metadata)).toMatchObject({
      id: ID,
      revision: 1,
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    await revisedWithAnotherImage();

    const approved = await bot.submit(APPROVER, { project: 'pg-dev-1' }, approveForm);
    const said = replacement(approved);
    expect(said).toContain('You cannot approve PG-0001.');
    expect(said).toContain(
      'PG-0001 changed since you opened this: it is now at revision 2 (you opened revision 1)',
    );
    expect(await lastAudit()).toMatchObject({
      action: 'refused',
      actor: { userId: APPROVER },
      detail:
        'approve: changed since the form was opened: it is now at revision 2 (you opened revision 1)',
    });
    expect(bot.logs.some((l) => l.message === 'refused' && l.userId === APPROVER)).toBe(true);

    const rejected = await bot.submit(APPROVER, { reason: 'No.' }, rejectForm);
    expect(replacement(rejected)).toContain('You cannot reject PG-0001.');
    expect((await lastAudit())?.detail).toMatch(
      /^reject: changed since the form was opened: it is now at revision 2/,
    );

    const stored = await bot.store.get(ID);
    expect(stored).toMatchObject({ status: 'submitted', revision: 2 });
    expect(stored?.approval).toBeUndefined();
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);

    // A form opened on revision 2 approves it.
    await opened(APPROVER, 'approve');
    expect((await bot.submit(APPROVER, { project: 'pg-dev-1' })).text).toBe('');
    expect((await bot.store.get(ID))?.status).toBe('approved');
  });

  it('refuses an Approve form for a submission cancelled since it was opened', async () => {
    await submitted();
    const form = await opened(APPROVER, 'approve');
    await bot.command(PARTNER, `cancel ${ID}`);
    await eventually(async () => expect((await bot.store.get(ID))?.status).toBe('cancelled'));

    const answer = await bot.submit(APPROVER, { project: 'pg-dev-1' }, form);
    expect(replacement(answer)).toContain(
      'PG-0001 changed since you opened this: it was cancelled',
    );
    expect(await lastAudit()).toMatchObject({
      action: 'refused',
      actor: { userId: APPROVER },
      detail: 'approve: changed since the form was opened: it was cancelled',
    });
    expect((await bot.store.get(ID))?.approval).toBeUndefined();
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);
  });
});

describe('a new revision voids an approval that has not started', () => {
  it('puts it back for review: approval cleared and audited, approver and thread told, nothing built', async () => {
    const root = await submitted();
    // Another instance holds the pipeline (as one that approved it and died would): the
    // approval is taken, its build not started.
    expect(await hold(bot.store, ID, 'bot-elsewhere', 60_000)).toBe(true);
    await opened(APPROVER, 'approve');
    expect((await bot.submit(APPROVER, { project: 'pg-dev-1' })).text).toBe('');
    expect((await bot.store.get(ID))?.status).toBe('approved');
    // The partner's approval DM offers Edit and resubmit.
    await eventually(() =>
      expect(
        dmsTo(PARTNER).filter((dm) => /approved/.test(dm) && /"resubmit"/.test(dm)),
      ).toHaveLength(1),
    );

    await resubmitted();
    const stored = await bot.store.get(ID);
    expect(stored).toMatchObject({ status: 'submitted', revision: 2 });
    expect(stored?.approval).toBeUndefined();
    expect(stored?.pipeline).toBeUndefined();
    expect(await lastAudit()).toMatchObject({
      action: 'resubmit',
      actor: { userId: PARTNER },
      from: 'approved',
      to: 'submitted',
      detail: expect.stringMatching(/^approval by \S+ voided by revision 2$/),
    });
    await eventually(() => {
      expect(dmsTo(APPROVER).some((dm) => dm.includes('Your approval of *PG-0001*'))).toBe(true);
      const [thread] = bot.api.messages(REVIEW_CHANNEL);
      expect(thread?.ts).toBe(root.ts);
      expect(thread?.replies.map((r) => r.text).join('\n')).toContain(
        `It voids the approval by <@${APPROVER}>`,
      );
    });

    // The instance that held it cannot start the voided run, even with its lease back.
    expect(await hold(bot.store, ID, 'bot-elsewhere', 60_000)).toBe(true);
    const run = { ...(await runOf()), buildRequested: true };
    await expect(bot.store.saveRun(ID, 'bot-elsewhere', run)).rejects.toMatchObject({
      code: 'conflict',
    });
    await bot.store.release(ID, 'bot-elsewhere');
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);

    // Revision 2 is reviewed like any other, and its approval builds it.
    await opened(APPROVER, 'approve');
    await bot.submit(APPROVER, { project: 'pg-dev-1' });
    await eventually(() => expect(bot.cloudBuild.createdBuilds()).toHaveLength(1));
    expect(JSON.stringify(bot.cloudBuild.createdBuilds()[0])).toContain(
      'docker.io/other/thing@sha256:',
    );
  });

  it('leaves an approval whose build started alone: Edit and resubmit says why not', async () => {
    await submitted();
    await opened(APPROVER, 'approve');
    await bot.submit(APPROVER, { project: 'pg-dev-1' });
    await eventually(() => expect(bot.cloudBuild.createdBuilds()).toHaveLength(1));
    const notice = await opened(PARTNER, 'resubmit');
    expect(notice.submit).toBeNull();
    expect(JSON.stringify(notice.blocks)).toMatch(/can't be resubmitted now/);
    const stored = await bot.store.get(ID);
    expect(stored?.revision).toBe(1);
    expect(stored?.approval?.by.userId).toBe(APPROVER);
  });
});

/** The run a tracker would write first, had the voided approval stood. */
async function runOf() {
  const submission = await bot.store.get(ID);
  if (!submission) throw new Error('no submission');
  const approval = { project: 'pg-dev-1', promote: true, by: { userId: APPROVER }, at: new Date() };
  return firstRun({ ...submission, approval }, 'europe-docker.pkg.dev/p/r');
}

describe('modals open within the trigger life, however slow the work behind them', () => {
  // Slack answers the look-up of the approvers' user group after the click's trigger_id
  // has expired (3 s): only a modal opened before it can open at all.
  const SLOW_LOOKUP_MS = 3_500;

  it('opens the form itself, in one views.open, when the look-up is quick', async () => {
    await submitted();
    const before = bot.api.callsTo('views.open').length;
    await bot.click(APPROVER, 'approve', ID);
    const form = await bot.modal(APPROVER);
    expect(form.callback_id).toBe('approve');
    const opens = bot.api.callsTo('views.open').slice(before);
    expect(opens).toMatchObject([{ ok: true, args: { view: { callback_id: 'approve' } } }]);
    expect(bot.api.callsTo('views.update')).toEqual([]);
  });

  it('opens a loading modal while a slow approver look-up runs, then fills it with the form', async () => {
    await submitted();
    bot.api.fail('usergroups.users.list', { kind: 'stall', ms: SLOW_LOOKUP_MS });
    await bot.click(GROUP_APPROVER, 'approve', ID);
    const form = await eventually(() => bot.modal(GROUP_APPROVER), 10_000);
    expect(form.callback_id).toBe('approve');

    // The partner's submit modal was opened first; the approver's is the last.
    const open = bot.api.callsTo('views.open').at(-1);
    const [lookup] = bot.api.callsTo('usergroups.users.list');
    const [update] = bot.api.callsTo('views.update');
    if (!open || !lookup || !update) throw new Error('a call is missing');
    // The loading modal opens while the look-up is still unanswered, long before the trigger expires.
    expect(open.args.view).toMatchObject({ callback_id: 'loading' });
    expect(open.receivedAt - lookup.receivedAt).toBeLessThan(1_000);
    expect(lookup.time - open.receivedAt).toBeGreaterThanOrEqual(SLOW_LOOKUP_MS - 1_100);
    const view = open.response.view as { id: string; hash: string };
    expect(update).toMatchObject({ ok: true, args: { view_id: view.id, hash: view.hash } });
    expect(update.receivedAt).toBeGreaterThanOrEqual(lookup.time);
    expect(bot.api.callsTo('views.open').every((c) => c.ok)).toBe(true);
  });

  it('replaces the loading modal with the refusal when the look-up says no', async () => {
    await submitted();
    bot.api.fail('usergroups.users.list', { kind: 'stall', ms: SLOW_LOOKUP_MS });
    await bot.click(OTHER_PARTNER, 'approve', ID);
    const refusal = await eventually(() => bot.modal(OTHER_PARTNER), 10_000);
    expect(refusal.submit).toBeNull();
    expect(JSON.stringify(refusal.blocks)).toMatch(
      /You cannot approve PG-0001\.[^"]*Only Playground approvers can approve/,
    );
    expect(bot.api.callsTo('views.update')).toMatchObject([
      { ok: true, args: { view_id: refusal.id } },
    ]);
    expect(await lastAudit()).toMatchObject({
      action: 'refused',
      actor: { userId: OTHER_PARTNER },
    });
  });
});
