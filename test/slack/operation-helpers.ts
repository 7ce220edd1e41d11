// What the promote and rollback tests share: the service they deploy twice, waiting for
// the bot's background work, the thread of a submission, its live message, the
// confirmation modal a click or command opens and what sending it shows.
import { expect } from 'vitest';
import type { StoredView } from '../../src/local/slack-api/types.ts';
import { CALLBACK_ID } from '../../src/slack/views/ids.ts';
import type { SlackResponse } from '../helpers/slack-requests.ts';
import { text } from '../pipeline/flow-helpers.ts';
import { type Bot, eventually, PROJECTS, REVIEW_CHANNEL } from './harness.ts';

export const PROJECT = PROJECTS[0] as string;
export const SERVICE = 'my-service';
export const V1 = 'pg-0001-r1';
export const V2 = 'pg-0002-r1';

/** What the bot does in the background, given time: the machine may be loaded. */
export const settle = <T>(check: () => T | Promise<T>) => eventually(check, 20_000);

/** The replies in the thread of submission `id`. */
export async function threadOf(bot: Bot, id: string) {
  const thread = (await bot.store.get(id))?.thread;
  const root = bot.api.messages(REVIEW_CHANNEL).find((m) => m.ts === thread?.ts);
  if (!root) throw new Error(`${id} has no thread`);
  return root.replies;
}

/** The live milestone reply of submission `id`, once it carries the button `actionId`. */
export async function liveMessage(bot: Bot, id: string, actionId: string) {
  const thread = (await bot.store.get(id))?.thread;
  const reply = await settle(async () => {
    const found = (await threadOf(bot, id)).find((r) => text(r).includes(actionId));
    if (!found) throw new Error(`${id} has no live message with ${actionId} yet`);
    return found;
  });
  return { channel: thread?.channel ?? REVIEW_CHANNEL, ts: reply.ts };
}

/** The user's new modal once `ask` opened it and the loading view was filled. */
export async function confirmation(bot: Bot, userId: string, ask: () => Promise<unknown>) {
  const besides = bot.api.openViews(userId);
  await ask();
  return bot.modal(userId, { besides });
}

/**
 * What the confirmation `modal` shows once `send` sent it: the answer to Slack is at once
 * a "Starting…" view in its place, which the bot then fills with what began or why not.
 */
export async function sent(
  bot: Bot,
  userId: string,
  modal: StoredView,
  send: () => Promise<SlackResponse> = () => bot.submit(userId, {}, modal),
): Promise<string> {
  const answer = await send();
  expect(answer.body).toMatchObject({
    response_action: 'update',
    view: { callback_id: CALLBACK_ID.loading },
  });
  return settle(() => {
    const now = shown(bot, userId, modal.id);
    if (now === undefined) throw new Error('still starting');
    return now;
  });
}

/** The text of the user's view `viewId` once filled; undefined while it is loading. */
export function shown(bot: Bot, userId: string, viewId: string): string | undefined {
  const view = bot.api.openViews(userId).find((v) => v.id === viewId);
  if (!view) throw new Error(`${userId} has no view ${viewId} open`);
  return view.callback_id === CALLBACK_ID.loading ? undefined : text({ blocks: view.blocks });
}
