import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { send, slashCommand } from '../helpers/slack-requests.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  OTHER_PARTNER,
  PARTNER,
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

async function submitAs(userId: string, form = VALID_FORM) {
  await bot.command(userId, 'submit');
  await bot.submit(userId, form);
}

/** The ephemeral answer of a slash command, as text (message text + block text). */
async function answerText(userId: string, text: string, options = {}): Promise<string> {
  const answer = await bot.command(userId, text, options);
  expect(answer.status).toBe(200);
  const body = answer.body as { response_type: string; text: string; blocks?: unknown[] };
  expect(body.response_type).toBe('ephemeral');
  return `${body.text}\n${JSON.stringify(body.blocks ?? [])}`;
}

describe('/playground commands', () => {
  it('help, empty and unknown subcommands explain every subcommand', async () => {
    for (const text of ['help', '', 'frobnicate']) {
      const answer = await answerText(PARTNER, text);
      for (const sub of ['submit', 'status', 'history', 'list', 'cancel', 'help']) {
        expect(answer).toContain(`/playground ${sub}`);
      }
      expect(answer).not.toContain('list all');
    }
    expect(await answerText(PARTNER, 'frobnicate')).toContain('Unknown subcommand');
    expect(await answerText(APPROVER, 'help')).toContain('list all');
  });

  it('status and list show a partner their own submissions only', async () => {
    await submitAs(PARTNER);
    await submitAs(OTHER_PARTNER, { ...VALID_FORM, service: 'other-service' });

    const mine = await answerText(PARTNER, 'status pg-0001');
    expect(mine).toContain('PG-0001');
    expect(mine).toContain('my-service');

    const theirs = await answerText(PARTNER, 'status PG-0002');
    const missing = await answerText(PARTNER, 'status PG-0999');
    expect(theirs).toContain('No submission');
    expect(theirs.replaceAll('PG-0002', 'PG-0999')).toBe(missing);

    const list = await answerText(PARTNER, 'list');
    expect(list).toContain('PG-0001');
    expect(list).not.toContain('PG-0002');
    expect(list).not.toContain('other-service');

    expect(await answerText(PARTNER, 'list all')).toMatch(/Only Playground approvers/);
    const all = await answerText(APPROVER, 'list all');
    expect(all).toContain('PG-0001');
    expect(all).toContain('PG-0002');
  });

  it('history shows the trail, refusals included, to the partner and approvers; others get not-found, audited', async () => {
    await submitAs(PARTNER);
    await eventually(async () => {
      if (!(await bot.store.get('PG-0001'))?.thread) throw new Error('not posted yet');
    });
    await bot.click(OTHER_PARTNER, 'approve', 'PG-0001');
    await eventually(async () => {
      const actions = (await bot.store.audit('PG-0001')).map((e) => e.action);
      if (!actions.includes('refused')) throw new Error('not refused yet');
    });

    for (const userId of [PARTNER, APPROVER]) {
      const trail = await answerText(userId, 'history pg-0001');
      expect(trail).toContain('History of PG-0001');
      expect(trail).toContain(`Submitted by <@${PARTNER}>`);
      expect(trail).toMatch(new RegExp(`Refused a click by <@${OTHER_PARTNER}> on .*: approve`));
    }

    const theirs = await answerText(OTHER_PARTNER, 'history PG-0001');
    const missing = await answerText(OTHER_PARTNER, 'history PG-0999');
    expect(theirs).toContain('No submission');
    expect(theirs.replaceAll('PG-0001', 'PG-0999')).toBe(missing);
    const last = (await bot.store.audit('PG-0001')).at(-1);
    expect(last).toMatchObject({
      action: 'refused',
      detail: 'view',
      actor: { userId: OTHER_PARTNER },
    });
  });

  it("cancel withdraws the partner's own submission once and records it in the thread", async () => {
    await submitAs(PARTNER);
    await eventually(async () => {
      if (!(await bot.store.get('PG-0001'))?.thread) throw new Error('not posted yet');
    });
    expect(await answerText(OTHER_PARTNER, 'cancel PG-0001')).toContain('No submission');
    expect((await bot.store.get('PG-0001'))?.status).toBe('submitted');

    expect(await answerText(PARTNER, 'cancel PG-0001')).toContain('cancelled');
    expect((await bot.store.get('PG-0001'))?.status).toBe('cancelled');
    await eventually(() =>
      expect(
        bot.api
          .messages(REVIEW_CHANNEL)[0]
          ?.replies.map((r) => r.text)
          .join(),
      ).toMatch(/Cancelled/),
    );
    expect(await answerText(PARTNER, 'cancel PG-0001')).toMatch(/can't be cancelled/);
    // The other partner's attempt is on record, before the partner's own cancel.
    expect((await bot.store.audit('PG-0001')).map((e) => [e.action, e.actor.userId])).toEqual([
      ['submit', PARTNER],
      ['refused', OTHER_PARTNER],
      ['cancel', PARTNER],
    ]);
  });

  it('a retried cancel (same trigger, X-Slack-Retry-Num) changes and posts once', async () => {
    await submitAs(PARTNER);
    await eventually(async () => {
      if (!(await bot.store.get('PG-0001'))?.thread) throw new Error('not posted yet');
    });
    const request = slashCommand({
      userId: PARTNER,
      text: 'cancel PG-0001',
      channelId: 'CGENERAL01',
      triggerId: bot.api.issueTrigger(PARTNER),
    });
    const first = await send(bot.url, request, { secret: SECRET });
    const retry = await send(bot.url, request, { secret: SECRET, retryNum: 1 });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    await eventually(() => expect(bot.api.messages(REVIEW_CHANNEL)[0]?.replies).toHaveLength(1));
    expect((await bot.store.audit('PG-0001')).filter((e) => e.action === 'cancel')).toHaveLength(1);
    // Said once: a second look, after a second post would have come, finds nothing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bot.api.messages(REVIEW_CHANNEL)[0]?.replies).toHaveLength(1);
  });
});

describe('request signatures', () => {
  it('refuses a bad signature or a stale timestamp with 401 and changes nothing', async () => {
    const request = slashCommand({
      userId: PARTNER,
      text: 'submit',
      channelId: 'CGENERAL01',
      triggerId: bot.api.issueTrigger(PARTNER),
    });
    const forged = await send(bot.url, request, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    const stale = await send(bot.url, request, {
      secret: SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(stale.status).toBe(401);
    expect(bot.api.callsTo('views.open')).toEqual([]);
  });

  it('serves /healthz', async () => {
    const response = await fetch(bot.url.replace('/slack/events', '/healthz'));
    expect(response.status).toBe(200);
  });
});
