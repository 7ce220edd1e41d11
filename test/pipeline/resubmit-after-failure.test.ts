// The partner's commonest loop: a pipeline fails (or is cancelled), they fix the model and
// send revision 2 from the failure (or cancellation) DM, it is reviewed again in the same
// thread, approved and built.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPROVER,
  type Bot,
  eventually,
  PARTNER,
  REVIEW_CHANNEL,
  startBot,
} from '../slack/harness.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';

const FIXED_IMAGE = 'docker.io/other/thing:2.0';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
  bot.registry.push({ repository: 'other/thing', tag: '2.0' }); // FIXED_IMAGE, with a digest
});
afterEach(async () => {
  await bot.close();
});

function dmsTo(userId: string) {
  return bot.api.callsTo('chat.postMessage').filter((c) => c.args.channel === userId);
}

/**
 * The partner clicks Edit and resubmit, gets the submit form, and sends FIXED_IMAGE: the
 * submission is revision 2 waiting for review, its old run gone, the resubmit audited.
 */
async function resubmitFix(id: string) {
  const before = bot.api.openViews(PARTNER);
  await bot.click(PARTNER, 'resubmit', id);
  const form = await bot.modal(PARTNER, { besides: before });
  expect(form.callback_id).toBe('submit');
  expect((await bot.submit(PARTNER, { image: FIXED_IMAGE }, form)).text).toBe('');
  const stored = await bot.store.get(id);
  expect(stored).toMatchObject({ status: 'submitted', revision: 2 });
  expect(stored?.pipeline).toBeUndefined();
  expect((await bot.store.audit(id)).at(-1)).toMatchObject({
    action: 'resubmit',
    actor: { userId: PARTNER },
    to: 'submitted',
  });
  return stored;
}

describe('edit and resubmit after a failure', () => {
  it('makes revision 2 in the same thread, reviewed again, approved and built', async () => {
    bot.cloudBuild.script('next', {
      steps: { test: { status: 'FAILURE', logs: ['FAIL process: 422 predictor raised'] } },
    });
    const id = await submitAndApprove(bot, { project: 'pg-dev-1' });
    await reaches(bot, id, 'failed');
    const root = thread(bot);

    // The failure DM and the failed reply in the thread both offer Edit and resubmit.
    await eventually(() => {
      const dm = dmsTo(PARTNER).find((c) => /could not be deployed/.test(text(c.args as never)));
      expect(text(dm?.args as never)).toContain('"resubmit"');
      const reply = thread(bot).replies.find((r) => text(r).includes('"retry"'));
      expect(text(reply)).toContain('"resubmit"');
    });

    // Someone else's click is refused; nothing changes.
    await bot.click(APPROVER, 'resubmit', id);
    expect(await bot.store.get(id)).toMatchObject({ status: 'failed', revision: 1 });

    // The partner's click opens the form filled with revision 1; they send the fix.
    const stored = await resubmitFix(id);
    expect(stored?.approval).toBeUndefined();
    expect((await bot.store.audit(id)).at(-1)).toMatchObject({
      from: 'failed',
      detail: 'revision 2 after failed at step test',
    });

    // Same thread, back to waiting for review with its buttons; the reply says why.
    await eventually(() => {
      const messages = bot.api.messages(REVIEW_CHANNEL);
      expect(messages).toHaveLength(1);
      const current = thread(bot);
      expect(current.ts).toBe(root.ts);
      expect(text(current)).toMatch(/\*Status\*\\nwaiting for review/);
      expect(text(current)).toContain('"approve"');
      expect(current.replies.map((r) => r.text).join('\n')).toContain(
        `Revision 2 submitted by <@${PARTNER}> after the failure`,
      );
    });

    // Revision 2 is approved like any other, and its build runs the fixed image.
    const approverViews = bot.api.openViews(APPROVER);
    await bot.click(APPROVER, 'approve', id);
    const approval = await bot.modal(APPROVER, { besides: approverViews });
    expect((await bot.submit(APPROVER, { project: 'pg-dev-1' }, approval)).text).toBe('');
    const live = await reaches(bot, id, 'live');
    expect(live.revision).toBe(2);
    expect(live.pipeline?.attempt).toBe(1);
    const builds = bot.cloudBuild.createdBuilds();
    expect(builds).toHaveLength(2);
    expect(JSON.stringify(builds[1])).toContain('docker.io/other/thing@sha256:');
  });

  it('after a cancel during the build: the cancelled DM offers it, revision 2 is reviewed in the same thread', async () => {
    // A build slow enough to be cancelled while it runs.
    bot.cloudBuild.script('next', { stepMs: 5_000 });
    const id = await submitAndApprove(bot, { project: 'pg-dev-1' });
    await reaches(bot, id, 'building');
    const root = thread(bot);
    await bot.command(PARTNER, `cancel ${id}`);
    await reaches(bot, id, 'cancelled');

    // The cancellation DM comes after the thread's updates (one submission's messages go
    // out in order), so it may take a moment.
    const dm = await eventually(() => {
      const found = dmsTo(PARTNER).find((c) => /was cancelled/.test(text(c.args as never)));
      expect(text(found?.args as never)).toContain('"resubmit"');
      return found;
    }, 20_000);
    expect(text(dm?.args as never)).toContain('Resubmitting creates revision 2');

    await resubmitFix(id);
    expect((await bot.store.audit(id)).at(-1)).toMatchObject({
      from: 'cancelled',
      detail: expect.stringMatching(/^revision 2 after /),
    });
    await eventually(() => {
      const current = thread(bot);
      expect(bot.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
      expect(current.ts).toBe(root.ts);
      expect(text(current)).toContain('"approve"');
      expect(current.replies.map((r) => r.text).join('\n')).toContain(
        `Revision 2 submitted by <@${PARTNER}> after the cancel; it needs a review again`,
      );
    });
  });
});
