import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_FORM } from './fill.ts';
import { type Bot, eventually, PARTNER, REVIEW_CHANNEL, startBot } from './harness.ts';

let bot: Bot;
beforeEach(async () => {
  bot = await startBot();
});
afterEach(async () => {
  await bot.firestoreProxy.start().catch(() => {});
  await bot.close();
});

describe('Firestore stopped mid-test', () => {
  it('keeps the modal open with a clear answer, then stores the submission exactly once', async () => {
    await bot.command(PARTNER, 'submit');
    const modal = await bot.modal(PARTNER);
    await bot.firestoreProxy.stop();

    const down = await bot.submit(PARTNER, VALID_FORM, modal);
    expect(down.status).toBe(200);
    const errors = (down.body as { response_action: string; errors: Record<string, string> })
      .errors;
    expect(errors.yaml).toMatch(/Nothing was lost|never stored twice/);
    expect(bot.api.messages(REVIEW_CHANNEL)).toEqual([]);

    await bot.firestoreProxy.start();
    const again = await eventually(async () => {
      const answer = await bot.submit(PARTNER, VALID_FORM, modal);
      if (answer.text !== '') throw new Error(`still refused: ${answer.text}`);
      return answer;
    }, 30_000);
    expect(again.status).toBe(200);
    const all = await bot.store.listAll({ limit: 10 });
    expect(all.map((s) => s.id)).toEqual(['PG-0001']);
    expect(await bot.store.audit('PG-0001')).toHaveLength(1);
    await eventually(() => expect(bot.api.messages(REVIEW_CHANNEL)).toHaveLength(1));
    expect(
      bot.logs.some((l) =>
        /store unavailable|slower than the answer window/.test(String(l.message)),
      ),
    ).toBe(true);
  });

  it('answers a slash command with "nothing was lost" while Firestore is down', async () => {
    await bot.firestoreProxy.stop();
    const answer = await bot.command(PARTNER, 'list');
    expect(answer.status).toBe(200);
    expect((answer.body as { text: string }).text).toMatch(/Nothing was lost|nothing was saved/);
  });
});
