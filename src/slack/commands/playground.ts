import type { App } from '@slack/bolt';
import { SUBMISSION_ID, type Submission } from '../../domain/submission.ts';
import { isStoreError } from '../../ports/store.ts';
import { afterCancel, permalink } from '../announce.ts';
import type { HandlerContext } from '../context.ts';
import { answerWith, MESSAGE_FALLBACKS, type Outcome } from '../respond.ts';
import { section } from '../views/kit.ts';
import {
  type Message,
  notAllowedMessage,
  notFoundMessage,
  refusalMessage,
} from '../views/messages.ts';
import { code } from '../views/mrkdwn.ts';
import { helpBlocks, listBlocks, statusBlocks } from '../views/status-text.ts';
import { submitModal } from '../views/submit-modal.ts';

const LIST_LIMIT = 100;

/** `/playground submit | status <id> | list [all] | cancel <id> | help`. */
export function register(app: App, ctx: HandlerContext): void {
  app.command('/playground', async ({ command, ack, client }) => {
    const [word = '', ...args] = command.text.trim().split(/\s+/);
    const sub = word.toLowerCase();
    const user = { userId: command.user_id, name: command.user_name };
    const log = ctx.logger.child({ command: sub, userId: user.userId });
    const reply = async (message: Message) => {
      await ack({ response_type: 'ephemeral', ...message });
    };

    if (sub === 'submit') {
      await ack();
      await client.views.open({
        trigger_id: command.trigger_id,
        view: submitModal({ metadata: { channel: command.channel_id } }),
      });
      return;
    }

    const approver = await ctx.approvers.includes(user.userId);
    /** A submission the user may see: their own, or any for approvers. */
    const visible = async (raw: string | undefined): Promise<Submission | undefined> => {
      const id = (raw ?? '').toUpperCase();
      if (!SUBMISSION_ID.test(id)) return undefined;
      const submission = await ctx.store.get(id);
      if (!submission) return undefined;
      return approver || submission.partner.userId === user.userId ? submission : undefined;
    };

    const work = async (): Promise<Outcome<Message>> => {
      switch (sub) {
        case 'status': {
          const submission = await visible(args[0]);
          if (!submission) return { answer: notFoundMessage(args[0] ?? '') };
          const events = await ctx.store.audit(submission.id);
          const lastEvent = events.filter((e) => e.action !== 'refused').at(-1);
          const link = await permalink(ctx, submission);
          return {
            answer: statusBlocks(submission, {
              ...(lastEvent ? { lastEvent } : {}),
              ...(link ? { permalink: link } : {}),
            }),
          };
        }
        case 'list': {
          const all = args[0]?.toLowerCase() === 'all';
          if (all && !approver) return { answer: refusalMessage('list_all') };
          const submissions = all
            ? await ctx.store.listAll({ limit: LIST_LIMIT })
            : await ctx.store.listByPartner(user.userId, { limit: LIST_LIMIT });
          return { answer: listBlocks(submissions, { all }) };
        }
        case 'cancel': {
          const submission = await visible(args[0]);
          if (!submission) return { answer: notFoundMessage(args[0] ?? '') };
          try {
            const result = await ctx.store.apply(submission.id, 'cancel', {
              actor: user,
              requestId: `command:${command.trigger_id}`,
            });
            const cancelled = result.submission;
            return {
              answer: { text: `:no_entry_sign: ${cancelled.id} is cancelled.` },
              ...(result.applied ? { after: () => afterCancel(ctx, cancelled, user) } : {}),
            };
          } catch (error) {
            if (isStoreError(error, 'invalid_transition')) {
              return { answer: notAllowedMessage(submission, 'cancel') };
            }
            throw error;
          }
        }
        default: {
          const help = helpBlocks({ approver });
          if (sub === '' || sub === 'help') return { answer: help };
          return {
            answer: {
              text: `Unknown subcommand "${word}". ${help.text}`,
              blocks: [section(`Unknown subcommand ${code(word, 40)}.`), ...(help.blocks ?? [])],
            },
          };
        }
      }
    };
    await answerWith({ logger: log, inFlight: ctx.inFlight }, work, reply, MESSAGE_FALLBACKS);
  });
}
