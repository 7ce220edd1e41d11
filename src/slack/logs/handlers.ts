// Show log (on a failure's thread reply and the partner's failure DM): the failed step's
// last lines, posted in the conversation the button was in.
import type { App, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { FailedStepLog } from '../../app/show-log.ts';
import { lazyChild } from '../../log.ts';
import type { HandlerContext } from '../context.ts';
import { answerWith, MESSAGE_FALLBACKS, tellClicker } from '../respond.ts';
import { ACTION_ID } from '../views/ids.ts';
import type { Message } from '../views/kit.ts';
import { logNotPostedMessage, logRefusedMessage, noLogMessage } from '../views/log-file.ts';
import { parseShowLogValue } from '../views/show-log-button.ts';
import { type LogPlace, postLog } from './post-log.ts';

type ButtonArgs = Pick<SlackActionMiddlewareArgs<BlockAction>, 'ack' | 'body' | 'action'>;

/** The log to post, or what to tell the clicker instead. */
type Answer = { log: FailedStepLog } | { message: Message };

/** The button's conversation and thread; a button outside one (Home tab): the clicker's DM. */
async function placeOf(ctx: HandlerContext, body: BlockAction): Promise<LogPlace> {
  const channel = body.channel?.id;
  const threadTs = body.message?.thread_ts;
  if (channel) return { channel, ...(typeof threadTs === 'string' ? { threadTs } : {}) };
  const opened = await ctx.client.conversations.open({ users: body.user.id });
  return { channel: opened.channel?.id ?? body.user.id };
}

export async function onShowLog(ctx: HandlerContext, { ack, body, action }: ButtonArgs) {
  await ack();
  if (action.type !== 'button') return;
  const { id, attempt } = parseShowLogValue(action.value);
  const request = {
    id,
    attempt,
    actor: { userId: body.user.id, name: body.user.name },
    requestId: `action:${body.trigger_id}`,
  };
  const log = lazyChild(ctx.logger, { submissionId: id, requestId: request.requestId });
  await answerWith({ ...ctx, logger: log }, () => ctx.useCases.showLog(request), {
    draw: (outcome): Answer => {
      if (outcome.kind === 'done') return { log: outcome };
      if (outcome.kind === 'no_log') return { message: noLogMessage(outcome) };
      return { message: logRefusedMessage(outcome.id) };
    },
    reply: async (answer) => {
      if ('message' in answer) return tellClicker(ctx, body, answer.message);
      const posted = await postLog(
        { client: ctx.client, logger: log },
        await placeOf(ctx, body),
        answer.log,
      );
      if (posted.as === 'nothing')
        await tellClicker(ctx, body, logNotPostedMessage(answer.log, posted.why));
    },
    // Reading the log may take the Logging adapter's own deadline: nothing waits on it but
    // the clicker, who has had the ack.
    fallbacks: { unavailable: { message: MESSAGE_FALLBACKS.unavailable } },
    patient: true,
  });
}

export function register(app: App, ctx: HandlerContext): void {
  app.action<BlockAction>(ACTION_ID.show_log, (args) => onShowLog(ctx, args));
}
