import type { Logger } from '../log.ts';
import { isStoreError } from '../ports/store.ts';
import { withinAckWindow } from './ack-window.ts';
import type { InFlight } from './in-flight.ts';
import { type Message, unavailableMessage } from './views/messages.ts';

/** An answer to give Slack now, and Slack work to do after answering (posts, updates). */
export interface Outcome<A> {
  answer: A;
  after?: () => Promise<void>;
}

/** What to answer when the database cannot be reached, or is too slow for Slack's window. */
export interface Fallbacks<A> {
  unavailable: A;
  slow: A;
}

export const SLOW_MESSAGE: Message = {
  text: ':hourglass: The database is slow to answer. If this changed anything you will see it in the review thread; otherwise nothing was saved and you can try again in a minute.',
};

export const MESSAGE_FALLBACKS: Fallbacks<Message> = {
  unavailable: unavailableMessage(),
  slow: SLOW_MESSAGE,
};

/**
 * Runs store-backed work inside Slack's answer window and gives Slack the work's answer,
 * or the fallback when the database is unreachable or slow. Follow-up Slack calls run
 * after the answer, once; when the work was slow they run whenever it finishes.
 */
export async function answerWith<A>(
  ctx: { logger: Logger; inFlight: InFlight },
  work: () => Promise<Outcome<A>>,
  reply: (answer: A) => Promise<void>,
  fallbacks: Fallbacks<A>,
): Promise<void> {
  const { logger } = ctx;
  const followUp = (outcome: Outcome<A>) =>
    outcome.after?.().catch((error: unknown) => logger.error({ err: error }, 'follow-up failed'));
  let raced: Awaited<ReturnType<typeof withinAckWindow<Outcome<A>>>>;
  try {
    raced = await withinAckWindow(work());
  } catch (error) {
    if (!isStoreError(error, 'unavailable')) throw error;
    logger.warn({ err: error }, 'store unavailable');
    await reply(fallbacks.unavailable);
    return;
  }
  if (raced.done) {
    await reply(raced.value.answer);
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
