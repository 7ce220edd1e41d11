import type { BlockAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { Result } from '../app/outcomes.ts';
import type { Logger } from '../log.ts';
import { isStoreError } from '../ports/store.ts';
import { withinAckWindow } from './ack-window.ts';
import type { HandlerContext } from './context.ts';
import { classify } from './slack-errors.ts';
import type { Message } from './views/kit.ts';
import { unavailableMessage } from './views/messages.ts';
import { loadingModal } from './views/notice-modal.ts';

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

/**
 * How a handler answers: its drawing of the use case's outcome, and where the answer goes.
 * `patient` when the answer need not come within Slack's window (it fills a modal already
 * open): the work is waited for, bounded by the store's own deadline.
 */
type Answering<O, A> = {
  draw: (outcome: O) => A;
  reply: (answer: A) => Promise<void>;
} & (
  | { fallbacks: Fallbacks<A>; patient?: never }
  | { fallbacks: { unavailable: A }; patient: true }
);

/**
 * The one answer path of every handler: runs the use case inside Slack's answer window and
 * gives Slack the drawing of its outcome, or the fallback when the database is unreachable
 * or slow. The use case's follow-up work runs after the answer, once; when the use case
 * was slow it runs whenever the use case finishes.
 */
export async function answerWith<O, A>(
  ctx: Pick<HandlerContext, 'logger' | 'inFlight' | 'followUps'>,
  work: () => Promise<Result<O>>,
  answering: Answering<O, A>,
): Promise<void> {
  const { logger } = ctx;
  const { draw, reply, fallbacks } = answering;
  const race = (pending: Promise<Result<O>>) =>
    answering.patient
      ? pending.then((value) => ({ done: true as const, value }))
      : withinAckWindow(pending);
  // Not waited for, so a handler already running in the follow-up queue never waits for a
  // turn of its own.
  const followUp = ({ afterwards }: Result<O>) => {
    if (afterwards) queueFollowUp(ctx, afterwards);
  };
  let raced: Awaited<ReturnType<typeof withinAckWindow<Result<O>>>>;
  try {
    raced = await race(work());
  } catch (error) {
    if (!isStoreError(error, 'unavailable')) throw error;
    logger.warn({ err: error }, 'store unavailable');
    await reply(fallbacks.unavailable);
    return;
  }
  if (raced.done) {
    await reply(draw(raced.value.outcome));
    followUp(raced.value);
    return;
  }
  logger.warn('store slower than the answer window');
  if ('slow' in fallbacks) await reply(fallbacks.slow);
  ctx.inFlight.track(
    raced.pending
      .then(followUp)
      .catch((error: unknown) => logger.error({ err: error }, 'slow store work failed')),
  );
}

/**
 * A modal shown at once, to fill when its content is known (views.update); `hash` when
 * the bot knows the view's current one.
 */
export interface OpenedModal {
  viewId: string;
  hash?: string;
}

/**
 * How long work that opens a modal with a trigger_id (it lives 3 seconds) waits for its
 * turn among the follow-ups at most: then it starts anyway.
 */
const TRIGGER_WAIT_MS = 1000;

/**
 * Queues `task` among the follow-ups and returns at once; shutdown waits for it (in flight)
 * and its failure is logged. Handlers return without waiting for it too: one that awaited
 * its follow-up kept what Bolt made for the request (its arguments, the parsed payload)
 * alive while the task waited its turn, and every young-generation collection of a burst
 * copied it (bench/ack.ts with --trace-gc: the collections during 300 Approve clicks from
 * 50 clients took 14-31 ms in all, 9-19 ms once the handler returned).
 */
export function queueFollowUp(
  ctx: Pick<HandlerContext, 'logger' | 'inFlight' | 'followUps'>,
  task: () => Promise<unknown>,
  options: { startWithinMs?: number } = {},
): void {
  ctx.inFlight.track(
    ctx.followUps
      .run(task, options)
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'follow-up failed')),
  );
}

/** Queues `task`, which opens a modal with a trigger, as a follow-up (see TRIGGER_WAIT_MS). */
export function withTrigger(
  ctx: Pick<HandlerContext, 'logger' | 'inFlight' | 'followUps'>,
  task: () => Promise<unknown>,
): void {
  queueFollowUp(ctx, task, { startWithinMs: TRIGGER_WAIT_MS });
}

/**
 * How long the work behind a click may take for its answer to open as the modal itself,
 * in one views.open; past it a loading modal opens, and the answer fills it. Well within
 * the trigger's life, and as long as a person waits without a sign of progress.
 */
const DIRECT_OPEN_MS = 500;

/**
 * Answers a click or command with a modal (`draw` of the use case's outcome), in the
 * click's turn among the follow-ups. A trigger_id must be exchanged within 3 seconds of
 * the click (Bolt's guide to opening modals,
 * https://docs.slack.dev/tools/bolt-js/concepts/creating-modals; later, views.open answers
 * `expired_trigger_id`), and the work (the approver look-up, which may ask
 * usergroups.users.list, and a Firestore read) may take longer: quick work opens its
 * answer directly, slow work a loading modal first, which the answer then fills. Queued,
 * not waited for (queueFollowUp).
 */
export function answerInModal<O>(
  ctx: HandlerContext,
  { triggerId, title, logger }: { triggerId: string; title: string; logger: Logger },
  work: () => Promise<Result<O>>,
  { draw, unavailable }: { draw: (outcome: O) => ModalView; unavailable: ModalView },
): void {
  const logged = { ...ctx, logger };
  withTrigger(logged, async () => {
    let loading: Promise<OpenedModal> | undefined;
    const timer = setTimeout(() => {
      loading = openLoading(ctx, triggerId, title);
      // Its failure is the answer's, when the answer comes to fill it.
      loading.catch(() => {});
    }, DIRECT_OPEN_MS);
    const reply = async (view: ModalView) => {
      clearTimeout(timer);
      if (!loading) await ctx.client.views.open({ trigger_id: triggerId, view });
      else await fillModal({ client: ctx.client, logger }, await loading)(view);
    };
    try {
      await answerWith(logged, work, {
        draw,
        reply,
        fallbacks: { unavailable },
        patient: true,
      });
    } finally {
      clearTimeout(timer);
    }
  });
}

/** A loading modal, opened with the click's trigger, for the answer to replace. */
async function openLoading(
  ctx: HandlerContext,
  triggerId: string,
  title: string,
): Promise<OpenedModal> {
  const opened = await ctx.client.views.open({ trigger_id: triggerId, view: loadingModal(title) });
  const viewId = opened.view?.id;
  const hash = opened.view?.hash;
  if (!viewId || !hash) throw new Error('views.open answered without the view id and hash');
  return { viewId, hash };
}

/**
 * Replaces the loading modal by the id views.open gave, with its hash so an older answer
 * never overwrites a newer view (https://docs.slack.dev/reference/methods/views.update).
 * A modal the person closed meanwhile (`not_found`) or that changed (`hash_conflict`) is
 * left alone: there is nobody to show it to.
 */
export function fillModal(
  ctx: { client: HandlerContext['client']; logger: Logger },
  opened: OpenedModal,
) {
  return async (view: ModalView): Promise<void> => {
    try {
      const { viewId, hash } = opened;
      await ctx.client.views.update({ view_id: viewId, ...(hash ? { hash } : {}), view });
    } catch (error) {
      const code = classify(error).reason;
      if (code !== 'not_found' && code !== 'hash_conflict') throw error;
      ctx.logger.info(
        { viewId: opened.viewId, error: code },
        'modal not filled: it is gone or changed',
      );
    }
  };
}

/** An answer only the clicker sees: ephemeral in the channel, or a DM from the Home tab. */
export async function tellClicker(
  ctx: HandlerContext,
  body: Pick<BlockAction, 'channel' | 'user'>,
  message: Message,
) {
  const channel = body.channel?.id;
  if (channel) await ctx.client.chat.postEphemeral({ channel, user: body.user.id, ...message });
  else await ctx.client.chat.postMessage({ channel: body.user.id, ...message });
}
