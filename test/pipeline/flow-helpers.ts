import type { Submission } from '../../src/domain/submission.ts';
import { VALID_FORM } from '../slack/fill.ts';
import { APPROVER, type Bot, eventually, PARTNER, REVIEW_CHANNEL } from '../slack/harness.ts';

/** A partner submits through Slack and an approver approves it: the pipeline starts. */
export async function submitAndApprove(
  bot: Bot,
  approve: Record<string, string> = {},
  form: Record<string, string> = VALID_FORM,
): Promise<string> {
  // A modal the bot left open earlier (e.g. a slow submit's) is not the one just asked for.
  const open = (userId: string) => ({ besides: bot.api.openViews(userId) });
  const partnerViews = open(PARTNER);
  await bot.command(PARTNER, 'submit');
  await bot.submit(PARTNER, form, await bot.modal(PARTNER, partnerViews));
  const id = await eventually(async () => {
    const [mine] = await bot.store.listByPartner(PARTNER, { limit: 1 });
    if (!mine?.thread || mine.status !== 'submitted') throw new Error('not posted yet');
    return mine.id;
    // A fresh emulator's first queries are slow on a loaded machine.
  }, 20_000);
  const approverViews = open(APPROVER);
  await bot.click(APPROVER, 'approve', id);
  const answer = await bot.submit(APPROVER, approve, await bot.modal(APPROVER, approverViews));
  if (answer.text !== '') throw new Error(`approval refused: ${answer.text}`);
  return id;
}

/** Waits until the submission reaches `status`. */
export function reaches(bot: Bot, id: string, status: Submission['status'], timeoutMs = 20_000) {
  return eventually(async () => {
    const current = await bot.store.get(id);
    if (current?.status !== status) {
      throw new Error(`${id} is ${current?.status}, waiting for ${status}`);
    }
    return current;
  }, timeoutMs);
}

/**
 * The pipeline's status message in the thread, once delivered (the deliverer stores its
 * ts on the run after the post, which may come after the step that owed it).
 */
export function statusMessage(bot: Bot, id: string) {
  return eventually(async () => {
    const ref = (await bot.store.get(id))?.pipeline?.statusMessage;
    const message = ref && thread(bot).replies.find((r) => r.ts === ref.ts);
    if (!message) throw new Error(`${id} has no status message yet`);
    return message;
  });
}

/** The submission's thread: root message and replies, as Slack shows it. */
export function thread(bot: Bot) {
  const [root] = bot.api.messages(REVIEW_CHANNEL);
  if (!root) throw new Error('no review message');
  return root;
}

export function text(message: { text?: string; blocks?: unknown[] } | undefined): string {
  return `${message?.text ?? ''}\n${JSON.stringify(message?.blocks ?? [])}`;
}
