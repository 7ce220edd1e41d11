import type { BlockAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Result } from '../app/outcomes.ts';
import type { InFlight } from '../lib/in-flight.ts';
import type { Logger } from '../log.ts';
import { isStoreError } from '../ports/store.ts';
import { withinAckWindow } from './ack-window.ts';
import type { HandlerContext } from './context.ts';
import type { Message } from './views/kit.ts';
import { unavailableMessage } from './views/messages.ts';

/** What to answer when the database cannot be reached, or is too slow for Slack's window. */
interface Fallbacks<A> {
  unavailable: A;
  slow: A;
}

const SLOW_MESSAGE: Message = {
  text: ':hourglass: The database is slow to answer. If this changed anything you will see it in the review thread; otherwise nothing was saved and you can try again in a minute.',
};

export const MESSAGE_FALLBACKS: Fallbacks<Message> = {
  unavailable: unavailableMessage(),
  slow: SLOW_MESSAGE,
};

/** How a handler answers: its drawing of the use case's outcome, and where the answer goes. */
interface Answering<O, A> {
  draw: (outcome: O) => A;
  reply: (answer: A) => Promise<void>;
  fallbacks: Fallbacks<A>;
}

/**
 * The one answer path of every handler: runs the use case inside Slack's answer window and
 * gives Slack the drawing of its outcome, or the fallback when the database is unreachable
 * or slow. The use case's follow-up work runs after the answer, once; when the use case
 * was slow it runs whenever the use case finishes.
 */
export async function answerWith<O, A>(
  ctx: { logger: Logger; inFlight: InFlight },
  work: () => Promise<Result<O>>,
  answering: Answering<O, A>,
): Promise<void> {
  const { logger } = ctx;
  const { draw, reply, fallbacks } = answering;
  const followUp = (result: Result<O>) =>
    result
      .afterwards?.()
      .catch((error: unknown) => logger.error({ err: error }, 'follow-up failed'));
  let raced: Awaited<ReturnType<typeof withinAckWindow<Result<O>>>>;
  try {
    raced = await withinAckWindow(work());
  } catch (error) {
    if (!isStoreError(error, 'unavailable')) throw error;
    logger.warn({ err: error }, 'store unavailable');
    await reply(fallbacks.unavailable);
    return;
  }
  if (raced.done) {
    await reply(draw(raced.value.outcome));
    await followUp(raced.value);
    return;
  }
  logger.warn('store slower than the answer window');
  await reply(fallbacks.slow);
  ctx.inFlight.track(
    raced.pending
      .then(followUp)
      .catch((error: unknown) => logger.error({ err: error }, 'slow store work failed')),
  );
}

/** A click's answer: a modal opened with the click's trigger, or a note the clicker alone sees. */
export type ClickAnswer = { open: ModalView } | { tell: Message };

export const CLICK_FALLBACKS: Fallbacks<ClickAnswer> = {
  unavailable: { tell: MESSAGE_FALLBACKS.unavailable },
  slow: { tell: SLOW_MESSAGE },
};

/** Gives a click its answer; `undefined` answers nothing. */
export function openOrTell(ctx: HandlerContext, body: BlockAction) {
  return async (answer: ClickAnswer | undefined): Promise<void> => {
    if (answer && 'open' in answer) {
      await ctx.client.views.open({ trigger_id: body.trigger_id, view: answer.open });
    } else if (answer) await tellClicker(ctx, body, answer.tell);
  };
}

/** An answer only the clicker sees: ephemeral in the channel, or a DM from the Home tab. */
export async function tellClicker(ctx: HandlerContext, body: BlockAction, message: Message) {
  const channel = body.channel?.id;
  if (channel) await ctx.client.chat.postEphemeral({ channel, user: body.user.id, ...message });
  else await ctx.client.chat.postMessage({ channel: body.user.id, ...message });
}
