import type { Actor, Submission } from '../domain/submission.ts';
import type { HandlerContext } from './context.ts';
import {
  type DecisionAction,
  decisionMessage,
  type Message,
  receivedMessage,
  threadReply,
} from './views/messages.ts';
import { reviewMessage } from './views/review-message.ts';

/**
 * The Slack side effects of a stored change, in one place so that every path (buttons,
 * modals, commands) tells the review thread and the partner the same way. They run only
 * after the store says the change was applied, which is what makes them happen once.
 */

/** A DM from the bot: posting to a user id lands in the app's Messages tab. */
export async function tellPartner(ctx: HandlerContext, submission: Submission, message: Message) {
  await ctx.client.chat.postMessage({ channel: submission.partner.userId, ...message });
}

/** Posts a new submission to the review channel (or updates the thread of a resubmitted one). */
export async function announceSubmission(
  ctx: HandlerContext,
  submission: Submission,
  actor: Actor,
) {
  let current = submission;
  if (submission.thread) {
    await ctx.client.chat.update({ ...submission.thread, ...reviewMessage(submission) });
    await ctx.client.chat.postMessage({
      channel: submission.thread.channel,
      thread_ts: submission.thread.ts,
      ...threadReply(submission, { action: 'resubmit', actor }),
    });
  } else {
    const posted = await ctx.client.chat.postMessage({
      channel: ctx.config.reviewChannel,
      ...reviewMessage(submission),
    });
    if (posted.ts && posted.channel) {
      const thread = { channel: posted.channel, ts: posted.ts };
      await ctx.store.setThread(submission.id, thread);
      current = { ...submission, thread };
    }
  }
  await tellPartner(ctx, current, receivedMessage(current, await permalink(ctx, current)));
}

/** Updates the review message in place, records the decision in the thread, tells the partner. */
export async function announceDecision(
  ctx: HandlerContext,
  submission: Submission,
  decision: { action: DecisionAction; actor: Actor; reason?: string },
) {
  const { thread } = submission;
  if (thread) {
    await ctx.client.chat.update({
      ...thread,
      ...reviewMessage(submission, { decision: { ...decision, at: submission.updatedAt } }),
    });
    await ctx.client.chat.postMessage({
      channel: thread.channel,
      thread_ts: thread.ts,
      ...threadReply(submission, decision),
    });
  }
  await tellPartner(ctx, submission, decisionMessage(submission, decision));
}

export async function permalink(ctx: HandlerContext, submission: Submission) {
  if (!submission.thread) return undefined;
  try {
    const result = await ctx.client.chat.getPermalink({
      channel: submission.thread.channel,
      message_ts: submission.thread.ts,
    });
    return result.permalink;
  } catch (error) {
    // A missing link is not worth failing the answer for.
    ctx.logger.warn({ err: error, submissionId: submission.id }, 'no permalink');
    return undefined;
  }
}

/** After a cancel was stored: tell the thread and the partner, and stop the pipeline. */
export async function afterCancel(ctx: HandlerContext, submission: Submission, actor: Actor) {
  await announceDecision(ctx, submission, { action: 'cancel', actor });
  if (submission.pipeline) await ctx.pipeline.cancel(submission);
}
