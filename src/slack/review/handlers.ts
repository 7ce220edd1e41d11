import type { App, BlockAction, ViewResponseAction } from '@slack/bolt';
import type { Action } from '../../domain/status.ts';
import type { Actor } from '../../domain/submission.ts';
import { defaultVersionId } from '../../domain/version-id.ts';
import { isStoreError } from '../../ports/store.ts';
import { afterCancel, announceDecision } from '../announce.ts';
import type { HandlerContext } from '../context.ts';
import { answerWith, MESSAGE_FALLBACKS, type Outcome } from '../respond.ts';
import { approveModal, parseApproveMetadata, readApproveForm } from '../views/approve-modal.ts';
import { ACTION_ID, APPROVE_BLOCK_ID, CALLBACK_ID, REASON_BLOCK_ID } from '../views/ids.ts';
import {
  type Message,
  notAllowedMessage,
  notFoundMessage,
  type RefusedAction,
  refusalMessage,
} from '../views/messages.ts';
import {
  parseReasonMetadata,
  readReasonForm,
  reasonErrors,
  reasonModal,
} from '../views/reason-modal.ts';
import { revisionOf } from '../views/review-message.ts';

type ViewAnswer = ViewResponseAction | undefined;

/** An answer only the clicker sees: ephemeral in the channel, or a DM from the Home tab. */
async function tellClicker(ctx: HandlerContext, body: BlockAction, message: Message) {
  const channel = body.channel?.id;
  if (channel) await ctx.client.chat.postEphemeral({ channel, user: body.user.id, ...message });
  else await ctx.client.chat.postMessage({ channel: body.user.id, ...message });
}

/** Refuses a non-approver and writes the attempt to the audit trail; nothing else changes. */
async function refuse(
  ctx: HandlerContext,
  id: string,
  actor: Actor,
  action: RefusedAction,
  requestId: string,
) {
  ctx.logger.warn({ submissionId: id, userId: actor.userId, action, requestId }, 'refused');
  try {
    await ctx.store.recordRefusal(id, { actor, requestId, detail: action });
  } catch (error) {
    // The refusal stands even when it cannot be written down.
    ctx.logger.error({ err: error, submissionId: id }, 'could not audit a refusal');
  }
}

function viewError(block: string, text: string): ViewAnswer {
  return { response_action: 'errors', errors: { [block]: text } };
}

const REVIEW_BUTTONS = [ACTION_ID.approve, ACTION_ID.reject, ACTION_ID.request_changes] as const;

/** Approve, Reject and Request changes (buttons, then their modals) and the Cancel button. */
export function register(app: App, ctx: HandlerContext): void {
  for (const actionId of REVIEW_BUTTONS) {
    app.action<BlockAction>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      if (action.type !== 'button') return;
      const id = action.value ?? '';
      const actor = { userId: body.user.id, name: body.user.name };
      if (!(await ctx.approvers.includes(actor.userId))) {
        await refuse(ctx, id, actor, actionId, `action:${body.trigger_id}`);
        await tellClicker(ctx, body, refusalMessage(actionId));
        return;
      }
      const submission = await ctx.store.get(id);
      if (!submission) {
        await tellClicker(ctx, body, notFoundMessage(id));
        return;
      }
      if (submission.status !== 'submitted') {
        await tellClicker(ctx, body, notAllowedMessage(submission, actionId));
        return;
      }
      const metadata = { id, ...(submission.thread ?? {}) };
      const view =
        actionId === ACTION_ID.approve
          ? approveModal({ submission, targetProjects: ctx.config.gcp.targetProjects, metadata })
          : reasonModal({ submission, action: actionId, metadata });
      await client.views.open({ trigger_id: body.trigger_id, view });
    });
  }

  /** Applies a reviewer's decision once, then tells the thread and the partner. */
  const decide = async (
    id: string,
    action: Extract<Action, 'approve' | 'reject' | 'request_changes'>,
    actor: Actor,
    requestId: string,
    patch: Record<string, unknown>,
    errorBlock: string,
    reason?: string,
  ): Promise<Outcome<ViewAnswer>> => {
    try {
      const { submission, applied } = await ctx.store.apply(id, action, {
        actor,
        requestId,
        patch,
      });
      if (!applied) return { answer: undefined };
      return {
        answer: undefined,
        after: async () => {
          await announceDecision(ctx, submission, { action, actor, ...(reason ? { reason } : {}) });
          if (action === 'approve') await ctx.pipeline.start(submission);
        },
      };
    } catch (error) {
      if (!isStoreError(error, 'invalid_transition')) throw error;
      const current = await ctx.store.get(id);
      const text = current ? notAllowedMessage(current, action).text : notFoundMessage(id).text;
      return { answer: viewError(errorBlock, text) };
    }
  };

  const viewFallbacks = (block: string) => ({
    unavailable: viewError(block, MESSAGE_FALLBACKS.unavailable.text),
    slow: viewError(block, MESSAGE_FALLBACKS.slow.text),
  });

  app.view(CALLBACK_ID.approve, async ({ ack, body, view }) => {
    const metadata = parseApproveMetadata(view.private_metadata);
    const actor = { userId: body.user.id, name: body.user.name };
    const requestId = `view:${view.id}`;
    const log = ctx.logger.child({ submissionId: metadata?.id, requestId });
    const work = async (): Promise<Outcome<ViewAnswer>> => {
      if (!metadata)
        return {
          answer: viewError(APPROVE_BLOCK_ID.project, 'This form is broken; open it again.'),
        };
      if (!(await ctx.approvers.includes(actor.userId))) {
        await refuse(ctx, metadata.id, actor, 'approve', requestId);
        return { answer: viewError(APPROVE_BLOCK_ID.project, refusalMessage('approve').text) };
      }
      const submission = await ctx.store.get(metadata.id);
      const spec = submission && revisionOf(submission)?.spec;
      if (!submission || !spec) {
        return { answer: viewError(APPROVE_BLOCK_ID.project, notFoundMessage(metadata.id).text) };
      }
      const form = readApproveForm(view.state.values, {
        service: spec.service,
        projects: ctx.config.gcp.targetProjects,
        defaultVersion: defaultVersionId(submission.id, submission.revision),
      });
      if (!form.ok) return { answer: { response_action: 'errors', errors: form.errors } };
      const approval = {
        project: form.project,
        ...(form.versionLabel ? { versionLabel: form.versionLabel } : {}),
        promote: form.promote,
        by: actor,
        at: new Date(),
      };
      return decide(
        metadata.id,
        'approve',
        actor,
        requestId,
        { approval },
        APPROVE_BLOCK_ID.project,
      );
    };
    await answerWith(
      { logger: log, inFlight: ctx.inFlight },
      work,
      (answer) => ack(answer),
      viewFallbacks(APPROVE_BLOCK_ID.project),
    );
  });

  app.view(CALLBACK_ID.reason, async ({ ack, body, view }) => {
    const metadata = parseReasonMetadata(view.private_metadata);
    const actor = { userId: body.user.id, name: body.user.name };
    const requestId = `view:${view.id}`;
    const log = ctx.logger.child({ submissionId: metadata?.id, requestId });
    const work = async (): Promise<Outcome<ViewAnswer>> => {
      if (!metadata)
        return { answer: viewError(REASON_BLOCK_ID, 'This form is broken; open it again.') };
      if (!(await ctx.approvers.includes(actor.userId))) {
        await refuse(ctx, metadata.id, actor, metadata.action, requestId);
        return { answer: viewError(REASON_BLOCK_ID, refusalMessage(metadata.action).text) };
      }
      const reason = readReasonForm(view.state.values);
      const errors = reasonErrors(reason);
      if (errors) return { answer: { response_action: 'errors', errors } };
      return decide(
        metadata.id,
        metadata.action,
        actor,
        requestId,
        { reason },
        REASON_BLOCK_ID,
        reason,
      );
    };
    await answerWith(
      { logger: log, inFlight: ctx.inFlight },
      work,
      (answer) => ack(answer),
      viewFallbacks(REASON_BLOCK_ID),
    );
  });

  /** A button whose answer goes to the clicker alone (ephemeral, or a DM from the Home tab). */
  const onButton = (
    actionId: string,
    work: (click: { id: string; actor: Actor; requestId: string }) => Promise<Outcome<Message>>,
  ) => {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      if (action.type !== 'button') return;
      const click = {
        id: action.value ?? '',
        actor: { userId: body.user.id, name: body.user.name },
        requestId: `action:${body.trigger_id}`,
      };
      const log = ctx.logger.child({ submissionId: click.id, requestId: click.requestId });
      await answerWith(
        { logger: log, inFlight: ctx.inFlight },
        () => work(click),
        (message) => tellClicker(ctx, body, message),
        MESSAGE_FALLBACKS,
      );
    });
  };

  // Cancel (status message, Home tab): the partner for their own submission, or an approver.
  onButton(ACTION_ID.cancel, async ({ id, actor, requestId }) => {
    const submission = await ctx.store.get(id);
    const approver = await ctx.approvers.includes(actor.userId);
    if (!submission || (!approver && submission.partner.userId !== actor.userId)) {
      return { answer: notFoundMessage(id) };
    }
    try {
      const result = await ctx.store.apply(id, 'cancel', { actor, requestId });
      const cancelled = result.submission;
      return {
        answer: { text: `:no_entry_sign: ${id} is cancelled.` },
        ...(result.applied ? { after: () => afterCancel(ctx, cancelled, actor) } : {}),
      };
    } catch (error) {
      if (!isStoreError(error, 'invalid_transition')) throw error;
      return { answer: notAllowedMessage(submission, 'cancel') };
    }
  });

  // Retry (on a failed pipeline's message): approvers start a new attempt.
  onButton(ACTION_ID.retry, async ({ id, actor, requestId }) => {
    if (!(await ctx.approvers.includes(actor.userId))) {
      await refuse(ctx, id, actor, 'retry', requestId);
      return { answer: refusalMessage('retry') };
    }
    const submission = await ctx.store.get(id);
    if (!submission) return { answer: notFoundMessage(id) };
    if (submission.status !== 'failed') {
      return { answer: notAllowedMessage(submission, 'start_build') };
    }
    try {
      await ctx.pipeline.retry(submission, actor);
    } catch (error) {
      // A second click, or another approver first: the pipeline already moved on.
      if (!isStoreError(error, 'invalid_transition') && !isStoreError(error, 'conflict')) {
        throw error;
      }
      return {
        answer: notAllowedMessage((await ctx.store.get(id)) ?? submission, 'start_build'),
      };
    }
    return { answer: { text: `:repeat: Retrying ${id}; progress follows in its thread.` } };
  });
}
