import type { App, ViewResponseAction } from '@slack/bolt';
import type { Submission } from '../../domain/submission.ts';
import { parseSpec } from '../../domain/submission-spec/index.ts';
import { isStoreError } from '../../ports/store.ts';
import { announceSubmission } from '../announce.ts';
import type { HandlerContext } from '../context.ts';
import { answerWith, type Outcome } from '../respond.ts';
import { ACTION_ID, CALLBACK_ID, YAML_BLOCK_ID } from '../views/ids.ts';
import { notAllowedMessage, notFoundMessage } from '../views/messages.ts';
import { revisionOf } from '../views/review-message.ts';
import {
  blockErrors,
  parseSubmitMetadata,
  readSubmitForm,
  submitModal,
} from '../views/submit-modal.ts';

/** `undefined` closes the modal; errors keep it open with everything the partner typed. */
type ViewAnswer = ViewResponseAction | undefined;

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

/** The submit modal: first submissions, resubmissions after a request for changes. */
export function register(app: App, ctx: HandlerContext): void {
  app.view(CALLBACK_ID.submit, async ({ ack, body, view }) => {
    const metadata = parseSubmitMetadata(view.private_metadata);
    const form = readSubmitForm(view.state.values);
    if ('yamlError' in form) {
      await ack(formError(form.yamlError));
      return;
    }
    const parsed = parseSpec(form.input);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: blockErrors(parsed.errors, form.fromYaml) });
      return;
    }
    const actor = { userId: body.user.id, name: body.user.name };
    // One stored submission per modal, however often Slack or the partner sends it.
    const requestId = `view:${view.id}`;
    const log = ctx.logger.child({ requestId, userId: actor.userId });
    const input = { actor, spec: parsed.spec, warnings: parsed.warnings, requestId };

    const work = async (): Promise<Outcome<ViewAnswer>> => {
      let submission: Submission;
      let applied: boolean;
      if (metadata.id) {
        const existing = await ctx.store.get(metadata.id);
        if (!existing || existing.partner.userId !== actor.userId) {
          return { answer: formError(notFoundMessage(metadata.id).text) };
        }
        try {
          ({ submission, applied } = await ctx.store.resubmit(metadata.id, input));
        } catch (error) {
          if (!isStoreError(error, 'invalid_transition')) throw error;
          return { answer: formError(notAllowedMessage(existing, 'resubmit').text) };
        }
      } else {
        ({ submission, applied } = await ctx.store.create({ ...input, partner: actor }));
      }
      log.info({ submissionId: submission.id, revision: submission.revision, applied }, 'stored');
      return {
        answer: undefined,
        ...(applied ? { after: () => announceSubmission(ctx, submission, actor) } : {}),
      };
    };
    await answerWith(
      { logger: log, inFlight: ctx.inFlight },
      work,
      (answer) => ack(answer),
      VIEW_FALLBACKS,
    );
  });

  // The partner's "Edit and resubmit" button: the modal again, filled with the last revision.
  app.action(ACTION_ID.resubmit, async ({ ack, body, client, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button') return;
    const submission = await ctx.store.get(action.value ?? '');
    if (!submission || submission.partner.userId !== body.user.id) return;
    const spec = revisionOf(submission)?.spec;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: submitModal({
        ...(spec ? { initial: spec } : {}),
        metadata: { id: submission.id, revision: submission.revision },
      }),
    });
  });

  // "Deploy a model" on the Home tab.
  app.action(ACTION_ID.open_submit, async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    await client.views.open({ trigger_id: body.trigger_id, view: submitModal({ metadata: {} }) });
  });
}
