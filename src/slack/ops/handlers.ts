// Promote and Roll back (buttons on the live message, `/playground rollback`): a loading
// modal opens at once with the trigger, then shows the confirmation (from → to, read now)
// or why there is none; sending the confirmation shows "Starting…" at once, then what
// began or why nothing did.
import type {
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { AskOutcome } from '../../app/operate.ts';
import type { Result } from '../../app/outcomes.ts';
import { lazyChild } from '../../log.ts';
import type { HandlerContext } from '../context.ts';
import {
  answerInModal,
  answerWith,
  fillModal,
  MESSAGE_FALLBACKS,
  queueFollowUp,
} from '../respond.ts';
import { ACTION_ID, CALLBACK_ID } from '../views/ids.ts';
import type { Message } from '../views/kit.ts';
import { noticeModal } from '../views/notice-modal.ts';
import {
  operationBegunModal,
  operationModal,
  operationRefusal,
  operationStartingModal,
  parseOperationModal,
} from '../views/operation.ts';

type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body' | 'action'>;
type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'>;

const TITLE = { promote: 'Promote', rollback: 'Roll back' } as const;

function notice(title: string, message: Message): ModalView {
  return noticeModal({ title, headline: 'Nothing was changed.', message });
}

/** A sent confirmation replaced by why nothing began. */
function instead(title: string, message: Message): ViewResponseAction {
  return { response_action: 'update', view: notice(title, message) };
}

/**
 * The confirmation the use case gives, or its refusal, as a modal opened with `triggerId`
 * (see answerInModal).
 */
export function askInModal(
  ctx: HandlerContext,
  triggerId: string,
  title: string,
  log: HandlerContext['logger'],
  work: () => Promise<Result<AskOutcome>>,
): void {
  answerInModal(ctx, { triggerId, title, logger: log }, work, {
    draw: (outcome): ModalView =>
      outcome.kind === 'done'
        ? operationModal(outcome.ask)
        : notice(title, operationRefusal(outcome)),
    unavailable: notice(title, MESSAGE_FALLBACKS.unavailable),
  });
}

/** Promote or Roll back on a live message (its value is the submission's id). */
async function onButton(
  ctx: HandlerContext,
  kind: 'promote' | 'rollback',
  { ack, body, action }: ButtonArgs,
): Promise<void> {
  await ack();
  if (action.type !== 'button') return;
  const request = {
    id: action.value ?? '',
    actor: { userId: body.user.id, name: body.user.name },
    requestId: `action:${body.trigger_id}`,
  };
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  const ask = kind === 'promote' ? ctx.useCases.askPromote : ctx.useCases.askRollback;
  askInModal(ctx, body.trigger_id, TITLE[kind], log, () => ask(request));
}

/**
 * The confirmation sent: answered at once with a "Starting…" view in its place (Slack's
 * window is 3 seconds, and the checks read Firestore and App Engine), then that view, by
 * the id the submission carries, shows what began or why nothing did.
 */
async function onConfirm(ctx: HandlerContext, { ack, body, view }: ViewArgs): Promise<void> {
  const ask = parseOperationModal(view.private_metadata);
  if (!ask) {
    await ack(instead('Promote or roll back', { text: 'This form is broken; ask again.' }));
    return;
  }
  await ack({ response_action: 'update', view: operationStartingModal(ask.kind) });
  const request = {
    actor: { userId: body.user.id, name: body.user.name },
    // The form's own id: Slack retrying the same submission is the same request.
    requestId: `view:${view.id}`,
    ask,
  };
  const log = lazyChild(ctx.logger, { service: ask.service, requestId: request.requestId });
  const title = TITLE[ask.kind];
  const logged = { ...ctx, logger: log };
  // No hash: the answer above replaced the view, and Slack does not say its new hash. Made
  // here, so the queued task keeps the view's id and not the whole submitted view.
  const reply = fillModal({ client: ctx.client, logger: log }, { viewId: view.id });
  queueFollowUp(logged, () =>
    answerWith(logged, () => ctx.useCases.confirmOperation(request), {
      draw: (outcome): ModalView =>
        outcome.kind === 'done'
          ? operationBegunModal(outcome.ask, outcome.submission)
          : notice(title, operationRefusal(outcome)),
      reply,
      fallbacks: { unavailable: notice(title, MESSAGE_FALLBACKS.unavailable) },
      patient: true,
    }),
  );
}

export function register(app: App, ctx: HandlerContext): void {
  app.action<BlockAction>(ACTION_ID.promote, (args) => onButton(ctx, 'promote', args));
  app.action<BlockAction>(ACTION_ID.rollback, (args) => onButton(ctx, 'rollback', args));
  app.view<ViewSubmitAction>(CALLBACK_ID.operation, (args) => onConfirm(ctx, args));
}
