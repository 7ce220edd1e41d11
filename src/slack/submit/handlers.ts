import type {
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewResponseAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { ResubmitOutcome } from '../../app/resubmit.ts';
import { revisionOf } from '../../domain/submission.ts';
import { lazyChild } from '../../log.ts';
import { notDoneMessage } from '../answers.ts';
import type { HandlerContext } from '../context.ts';
import { answerInModal, answerWith, MESSAGE_FALLBACKS } from '../respond.ts';
import { ACTION_ID, CALLBACK_ID, YAML_BLOCK_ID } from '../views/ids.ts';
import type { Message } from '../views/kit.ts';
import { noticeModal } from '../views/notice-modal.ts';
import {
  blockErrors,
  parseSubmitMetadata,
  readSubmitForm,
  submitModal,
} from '../views/submit-modal.ts';

/** `undefined` closes the modal; errors keep it open with everything the partner typed. */
type ViewAnswer = ViewResponseAction | undefined;

type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body' | 'action'>;

function formError(text: string): ViewAnswer {
  return { response_action: 'errors', errors: { [YAML_BLOCK_ID]: text } };
}

const VIEW_FALLBACKS = {
  unavailable: formError(
    'Could not save: the database did not answer. Nothing was lost; press Submit again in a minute.',
  ),
  slow: formError(
    'The database is slow to answer. Press Submit again in a minute: a submission is never stored twice.',
  ),
};

/** The submit modal: first submissions, and resubmissions after a request for changes. */
export async function onSubmitView(
  ctx: HandlerContext,
  { ack, body, view }: Pick<SlackViewMiddlewareArgs<ViewSubmitAction>, 'ack' | 'body' | 'view'>,
): Promise<void> {
  const metadata = parseSubmitMetadata(view.private_metadata);
  const form = readSubmitForm(view.state.values);
  if ('errors' in form) {
    // Nothing past here sees a field over its limit or YAML that is not settings.
    await ack({ response_action: 'errors', errors: form.errors });
    return;
  }
  const actor = { userId: body.user.id, name: body.user.name };
  // One stored submission per modal, however often Slack or the partner sends it.
  const request = { actor, requestId: `view:${view.id}`, form: form.input };
  const log = lazyChild(ctx.logger, { requestId: request.requestId, userId: actor.userId });
  const { id } = metadata;
  await answerWith(
    { ...ctx, logger: log },
    (): Promise<{ outcome: ResubmitOutcome }> =>
      id ? ctx.useCases.resubmit({ ...request, id }) : ctx.useCases.submit(request),
    {
      draw: (outcome: ResubmitOutcome): ViewAnswer => {
        if (outcome.kind === 'done') return undefined;
        if (outcome.kind === 'invalid') {
          return { response_action: 'errors', errors: blockErrors(outcome.errors, form.fromYaml) };
        }
        return formError(notDoneMessage(outcome).text);
      },
      reply: (answer) => ack(answer),
      fallbacks: VIEW_FALLBACKS,
    },
  );
}

/**
 * The partner's "Edit and resubmit" button: the modal again, filled with the last revision,
 * or why not (see answerInModal for when a loading modal shows first).
 */
export async function onResubmitButton(
  ctx: HandlerContext,
  { ack, body, action }: ButtonArgs,
): Promise<void> {
  await ack();
  if (action.type !== 'button') return;
  const request = {
    actor: { userId: body.user.id, name: body.user.name },
    id: action.value ?? '',
    requestId: `action:${body.trigger_id}`,
  };
  // The submit modal's own title when resubmitting.
  const title = `Resubmit ${request.id}`;
  const log = lazyChild(ctx.logger, { submissionId: request.id, requestId: request.requestId });
  const notice = (message: Message) =>
    noticeModal({ title, headline: 'Nothing to edit here.', message });
  answerInModal(
    ctx,
    { triggerId: body.trigger_id, title, logger: log },
    () => ctx.useCases.resubmitForm(request),
    {
      draw: (outcome): ModalView => {
        // Someone else's submission (or none) answers as "none of yours": the button was not theirs.
        if (outcome.kind !== 'done') return notice(notDoneMessage(outcome));
        const { submission } = outcome;
        const spec = revisionOf(submission)?.spec;
        return submitModal({
          ...(spec ? { initial: spec } : {}),
          metadata: { id: submission.id, revision: submission.revision },
        });
      },
      unavailable: notice(MESSAGE_FALLBACKS.unavailable),
    },
  );
}

/** "Deploy a model" on the Home tab: an empty submit modal. */
export async function onOpenSubmitButton(
  ctx: HandlerContext,
  { ack, body }: Pick<ButtonArgs, 'ack' | 'body'>,
): Promise<void> {
  await ack();
  await ctx.client.views.open({ trigger_id: body.trigger_id, view: submitModal({ metadata: {} }) });
}

export function register(app: App, ctx: HandlerContext): void {
  app.view<ViewSubmitAction>(CALLBACK_ID.submit, (args) => onSubmitView(ctx, args));
  app.action<BlockAction>(ACTION_ID.resubmit, (args) => onResubmitButton(ctx, args));
  app.action<BlockAction>(ACTION_ID.open_submit, (args) => onOpenSubmitButton(ctx, args));
}
