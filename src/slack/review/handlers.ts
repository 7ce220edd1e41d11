import type {
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { CancelOutcome } from '../../app/cancel.ts';
import type { Result } from '../../app/outcomes.ts';
import type { RetryOutcome } from '../../app/retry.ts';
import type { ReviewAction, ReviewOutcome } from '../../app/review.ts';
import { currentRevision } from '../../domain/submission.ts';
import { defaultVersionId } from '../../domain/version-id.ts';
import { lazyChild } from '../../log.ts';
import { cancelMessage, notDoneMessage } from '../answers.ts';
import type { HandlerContext } from '../context.ts';
import {
  answerInModal,
  answerWith,
  MESSAGE_FALLBACKS,
  queueFollowUp,
  tellClicker,
} from '../respond.ts';
import { approveModal, parseApproveMetadata, readApproveForm } from '../views/approve-modal.ts';
import { ACTION_ID, APPROVE_BLOCK_ID, CALLBACK_ID, REASON_BLOCK_ID } from '../views/ids.ts';
import type { Message } from '../views/kit.ts';
import { noticeModal } from '../views/notice-modal.ts';
import { parseReasonMetadata, readReasonForm, reasonModal } from '../views/reason-modal.ts';

/** `undefined` closes the modal; errors keep it open. */
type ViewAnswer = ViewResponseAction | undefined;

type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body' | 'action'>;
type ViewArgs = Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'>;

const BROKEN_FORM = 'This form is broken; open it again.';

function viewError(block: string, text: string): ViewAnswer {
  return { response_action: 'errors', errors: { [block]: text } };
}

const VERBS: Record<ReviewAction, string> = {
  approve: 'approve',
  reject: 'reject',
  request_changes: 'request changes to',
};

/** The decision form's title (the loading view and a refusal keep it). */
function titleOf(action: ReviewAction, id: string): string {
  if (action === 'request_changes') return 'Request changes';
  return `${action === 'approve' ? 'Approve' : 'Reject'} ${id}`;
}

/** What replaces a decision form that cannot be given or sent: "You cannot approve PG-0042." */
function refusalView(action: ReviewAction, id: string, message: Message): ModalView {
  return noticeModal({
    title: titleOf(action, id),
    headline: `You cannot ${VERBS[action]} ${id}.`,
    message,
  });
}

/**
 * A decision form's answer: closed when done, its fields' errors, or why not on `block`.
 * A stale form is replaced by the refusal saying what changed, rather than kept open with
 * an error: nothing in it can be sent any more, so no button is left to press again.
 */
function drawDecision(action: ReviewAction, id: string, block: string) {
  return (outcome: ReviewOutcome): ViewAnswer => {
    if (outcome.kind === 'done') return undefined;
    if (outcome.kind === 'invalid') return { response_action: 'errors', errors: outcome.errors };
    if (outcome.kind === 'stale') {
      return { response_action: 'update', view: refusalView(action, id, notDoneMessage(outcome)) };
    }
    return viewError(block, notDoneMessage(outcome).text);
  };
}

function viewFallbacks(block: string) {
  return {
    unavailable: viewError(block, MESSAGE_FALLBACKS.unavailable.text),
    slow: viewError(block, MESSAGE_FALLBACKS.slow.text),
  };
}

/** Who clicked, from which request, on which submission (buttons carry its id). */
function click(body: BlockAction, value: string | undefined) {
  return {
    id: value ?? '',
    actor: { userId: body.user.id, name: body.user.name },
    requestId: `action:${body.trigger_id}`,
  };
}

/**
 * Approve, Reject, Request changes: an approver gets the decision's form, or why not (see
 * answerInModal for when a loading modal shows first).
 */
export async function onReviewButton(
  ctx: HandlerContext,
  action: ReviewAction,
  { ack, body, action: button }: ButtonArgs,
): Promise<void> {
  await ack();
  if (button.type !== 'button') return;
  const request = click(body, button.value);
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  answerInModal(
    ctx,
    { triggerId: body.trigger_id, title: titleOf(action, request.id), logger: log },
    () => ctx.useCases.openReview({ ...request, action }),
    {
      draw: (outcome): ModalView => {
        if (outcome.kind !== 'done')
          return refusalView(action, request.id, notDoneMessage(outcome));
        const { submission } = outcome;
        const metadata = { id: submission.id, ...(submission.thread ?? {}) };
        return action === 'approve'
          ? approveModal({ submission, targetProjects: ctx.targetProjects, metadata })
          : reasonModal({ submission, action, metadata });
      },
      unavailable: refusalView(action, request.id, MESSAGE_FALLBACKS.unavailable),
    },
  );
}

/** The approve modal: where to deploy; approving starts the pipeline. */
export async function onApproveView(ctx: HandlerContext, { ack, body, view }: ViewArgs) {
  const metadata = parseApproveMetadata(view.private_metadata);
  if (!metadata) {
    await ack(viewError(APPROVE_BLOCK_ID.project, BROKEN_FORM));
    return;
  }
  const request = {
    id: metadata.id,
    actor: { userId: body.user.id, name: body.user.name },
    requestId: `view:${view.id}`,
    opened: metadata.opened,
  };
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  await answerWith(
    { ...ctx, logger: log },
    () =>
      ctx.useCases.approve({
        ...request,
        checkForm: (submission) =>
          readApproveForm(view.state.values, {
            service: currentRevision(submission).spec.service,
            projects: ctx.targetProjects,
            defaultVersion: defaultVersionId(submission.id, submission.revision),
          }),
      }),
    {
      draw: drawDecision('approve', request.id, APPROVE_BLOCK_ID.project),
      reply: (answer) => ack(answer),
      fallbacks: viewFallbacks(APPROVE_BLOCK_ID.project),
    },
  );
}

/** The reason modal behind Reject and Request changes. */
export async function onReasonView(ctx: HandlerContext, { ack, body, view }: ViewArgs) {
  const metadata = parseReasonMetadata(view.private_metadata);
  if (!metadata) {
    await ack(viewError(REASON_BLOCK_ID, BROKEN_FORM));
    return;
  }
  const request = {
    id: metadata.id,
    actor: { userId: body.user.id, name: body.user.name },
    requestId: `view:${view.id}`,
    opened: metadata.opened,
    reason: readReasonForm(view.state.values),
  };
  const decide = metadata.action === 'reject' ? ctx.useCases.reject : ctx.useCases.requestChanges;
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  await answerWith({ ...ctx, logger: log }, () => decide(request), {
    draw: drawDecision(metadata.action, request.id, REASON_BLOCK_ID),
    reply: (answer) => ack(answer),
    fallbacks: viewFallbacks(REASON_BLOCK_ID),
  });
}

/** A button whose answer goes to the clicker alone (ephemeral, or a DM from the Home tab). */
async function answerClick<O>(
  ctx: HandlerContext,
  { ack, body, action }: ButtonArgs,
  work: (request: ReturnType<typeof click>) => Promise<Result<O>>,
  draw: (outcome: O) => Message,
): Promise<void> {
  await ack();
  if (action.type !== 'button') return;
  const request = click(body, action.value);
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  const logged = { ...ctx, logger: log };
  // Where to answer, not the whole payload: the queued task keeps only what it reads.
  const clicker = { channel: body.channel, user: body.user };
  queueFollowUp(logged, () =>
    answerWith(logged, () => work(request), {
      draw,
      reply: (message) => tellClicker(ctx, clicker, message),
      fallbacks: MESSAGE_FALLBACKS,
    }),
  );
}

/** Cancel (status message, Home tab): the partner for their own submission, or an approver. */
export function onCancelButton(ctx: HandlerContext, args: ButtonArgs): Promise<void> {
  return answerClick<CancelOutcome>(ctx, args, ctx.useCases.cancel, cancelMessage);
}

/** Retry (on a failed pipeline's message): approvers start a new attempt. */
export function onRetryButton(ctx: HandlerContext, args: ButtonArgs): Promise<void> {
  return answerClick<RetryOutcome>(ctx, args, ctx.useCases.retry, (outcome) =>
    outcome.kind === 'done'
      ? { text: `:repeat: Retrying ${outcome.submission.id}; progress follows in its thread.` }
      : notDoneMessage(outcome),
  );
}

const REVIEW_BUTTONS: readonly ReviewAction[] = [
  ACTION_ID.approve,
  ACTION_ID.reject,
  ACTION_ID.request_changes,
];

/** Approve, Reject and Request changes (buttons, then their modals), Cancel and Retry. */
export function register(app: App, ctx: HandlerContext): void {
  for (const action of REVIEW_BUTTONS) {
    app.action<BlockAction>(action, (args) => onReviewButton(ctx, action, args));
  }
  app.view<ViewSubmitAction>(CALLBACK_ID.approve, (args) => onApproveView(ctx, args));
  app.view<ViewSubmitAction>(CALLBACK_ID.reason, (args) => onReasonView(ctx, args));
  app.action<BlockAction>(ACTION_ID.cancel, (args) => onCancelButton(ctx, args));
  app.action<BlockAction>(ACTION_ID.retry, (args) => onRetryButton(ctx, args));
}
