// Every command, button and form, used by someone with no rights on a submission, through
// the real Bolt app over HTTP: each refused attempt is one `refused` event on that
// submission's audit trail (the action as its detail) and a log line; nothing else moves.
import type { ModalView } from '@slack/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentRevision, type Submission } from '../../src/domain/submission.ts';
import { viewStateValues } from '../../src/local/slack-api/payloads.ts';
import { approveModal } from '../../src/slack/views/approve-modal.ts';
import { reasonModal } from '../../src/slack/views/reason-modal.ts';
import { submitModal } from '../../src/slack/views/submit-modal.ts';
import {
  appHomeOpened,
  type SlackResponse,
  send,
  viewSubmission,
} from '../helpers/slack-requests.ts';
import { VALID_FORM } from './fill.ts';
import {
  type Bot,
  eventually,
  OTHER_PARTNER,
  PARTNER,
  PROJECTS,
  REVIEW_CHANNEL,
  SECRET,
  startBot,
} from './harness.ts';

const ID = 'PG-0001';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.close();
});

/** PARTNER's submission, stored and posted to the review channel with its thread. */
async function submitted(): Promise<Submission> {
  await bot.command(PARTNER, 'submit');
  await bot.submit(PARTNER, VALID_FORM);
  return eventually(async () => {
    const stored = await bot.store.get(ID);
    const dm = bot.api.callsTo('chat.postMessage').some((c) => c.args.channel === PARTNER);
    if (!stored?.thread || !dm) throw new Error('not announced yet');
    return stored;
  });
}

let forged = 0;
/** OTHER_PARTNER submits a modal they were never shown, correctly signed. */
function forge(view: ModalView, typed: Record<string, string> = {}): Promise<SlackResponse> {
  forged += 1;
  return send(
    bot.url,
    viewSubmission({
      userId: OTHER_PARTNER,
      triggerId: bot.api.issueTrigger(OTHER_PARTNER),
      view: {
        id: `VFORGED${forged}`,
        callback_id: view.callback_id ?? '',
        private_metadata: view.private_metadata ?? '',
        state: { values: viewStateValues(view.blocks, typed) },
      },
    }),
    { secret: SECRET },
  );
}

const refusalLogs = () => bot.logs.filter((l) => l.message === 'refused');

describe('refusals', () => {
  it('audits each refused command, click and form of a user with no rights once, and changes nothing else', async () => {
    const submission = await submitted();
    const { thread } = submission;
    const root = bot.api.messages(REVIEW_CHANNEL)[0];
    if (!thread || !root) throw new Error('no review thread');
    const message = { ts: root.ts, channel: root.channel, blocks: root.blocks ?? [] };
    const metadata = { id: ID, ...thread };
    const reviewBefore = structuredClone(bot.api.messages(REVIEW_CHANNEL));
    const callsBefore = bot.api.calls.length;

    const steps: { what: string; detail: string; run: () => Promise<SlackResponse> }[] = [
      {
        what: '/playground status',
        detail: 'view',
        run: () => bot.command(OTHER_PARTNER, `status ${ID}`),
      },
      {
        what: '/playground cancel',
        detail: 'cancel',
        run: () => bot.command(OTHER_PARTNER, `cancel ${ID.toLowerCase()}`),
      },
      {
        what: 'Approve',
        detail: 'approve',
        run: () => bot.click(OTHER_PARTNER, 'approve', ID, { message }),
      },
      {
        what: 'Reject',
        detail: 'reject',
        run: () => bot.click(OTHER_PARTNER, 'reject', ID, { message }),
      },
      {
        what: 'Request changes',
        detail: 'request_changes',
        run: () => bot.click(OTHER_PARTNER, 'request_changes', ID, { message }),
      },
      { what: 'Cancel', detail: 'cancel', run: () => bot.click(OTHER_PARTNER, 'cancel', ID) },
      { what: 'Retry', detail: 'retry', run: () => bot.click(OTHER_PARTNER, 'retry', ID) },
      {
        what: 'Edit and resubmit',
        detail: 'resubmit',
        run: () => bot.click(OTHER_PARTNER, 'resubmit', ID),
      },
      {
        what: 'the approve form',
        detail: 'approve',
        run: () => forge(approveModal({ submission, targetProjects: PROJECTS, metadata })),
      },
      {
        what: 'the reject form',
        detail: 'reject',
        run: () =>
          forge(reasonModal({ submission, action: 'reject', metadata }), { reason: 'No.' }),
      },
      {
        what: 'the request-changes form',
        detail: 'request_changes',
        run: () =>
          forge(reasonModal({ submission, action: 'request_changes', metadata }), {
            reason: 'Padding 32.',
          }),
      },
      {
        what: 'the submit form resubmitting someone else’s submission',
        detail: 'resubmit',
        run: () =>
          forge(
            submitModal({
              initial: currentRevision(submission).spec,
              metadata: { id: ID, revision: submission.revision },
            }),
          ),
      },
    ];

    for (const [i, step] of steps.entries()) {
      const answer = await step.run();
      expect(answer.status, step.what).toBe(200);
      // Clicks are acknowledged before the use case runs: wait for its refusal.
      const audit = await eventually(async () => {
        const events = await bot.store.audit(ID);
        if (events.length < i + 2) throw new Error(`${step.what}: no refusal yet`);
        return events;
      });
      expect(audit, step.what).toHaveLength(i + 2);
      expect(audit.at(-1), step.what).toMatchObject({
        action: 'refused',
        actor: { userId: OTHER_PARTNER },
        detail: step.detail,
      });
      expect(refusalLogs().at(-1), step.what).toMatchObject({
        userId: OTHER_PARTNER,
        submissionId: ID,
        action: step.detail,
      });
    }

    // `list all` is about no submission: refused and logged, on no submission's trail.
    const listAll = await bot.command(OTHER_PARTNER, 'list all');
    expect(JSON.stringify(listAll.body)).toMatch(/Only Playground approvers/);
    expect(refusalLogs().at(-1)).toMatchObject({ userId: OTHER_PARTNER, action: 'list_all' });

    // Allowed to everyone: a blank form, and one's own Home tab (here: nothing of theirs).
    // (The refused clicks above left their refusal in a modal.)
    const refusals = bot.api.openViews(OTHER_PARTNER);
    await bot.click(OTHER_PARTNER, 'open_submit', '');
    expect((await bot.modal(OTHER_PARTNER, { besides: refusals })).private_metadata).toBe('{}');
    await send(bot.url, appHomeOpened({ userId: OTHER_PARTNER, channelId: 'DOTHER0001' }), {
      secret: SECRET,
    });
    const home = await eventually(() => {
      const view = bot.api.home(OTHER_PARTNER);
      if (!view) throw new Error('no Home tab yet');
      return view;
    });
    expect(JSON.stringify(home.blocks)).not.toContain(ID);

    // Stray follow-ups get a moment to show before asserting there are none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const audit = await bot.store.audit(ID);
    expect(audit.map((e) => e.action)).toEqual(['submit', ...steps.map(() => 'refused')]);
    expect(audit.slice(1).map((e) => e.detail)).toEqual(steps.map((s) => s.detail));
    expect(refusalLogs()).toHaveLength(steps.length + 1);

    expect(await bot.store.get(ID)).toEqual(submission);
    expect(await bot.store.listAll({ limit: 10 })).toHaveLength(1);
    expect(bot.api.messages(REVIEW_CHANNEL)).toEqual(reviewBefore);
    const since = bot.api.calls.slice(callsBefore);
    // Only the refused user heard anything: ephemerals and DMs to them, their own modal
    // and Home tab.
    expect(since.filter((c) => c.method === 'chat.update')).toEqual([]);
    for (const call of since.filter((c) => c.method.startsWith('chat.'))) {
      expect([call.args.channel, call.args.user]).toContain(OTHER_PARTNER);
    }
    expect(bot.api.openViews(OTHER_PARTNER).map((v) => v.callback_id)).toEqual(['submit']);
    expect(bot.cloudBuild.createdBuilds()).toEqual([]);
  });

  it("answers someone else's submission exactly as a missing one", async () => {
    await submitted();
    for (const command of ['status', 'cancel']) {
      const foreign = await bot.command(OTHER_PARTNER, `${command} ${ID}`);
      const missing = await bot.command(OTHER_PARTNER, `${command} PG-0999`);
      expect(JSON.stringify(foreign.body)).toBe(
        JSON.stringify(missing.body).replaceAll('PG-0999', ID),
      );
    }
  });
});
