import type { App, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { DoctorOutcome } from '../../app/doctor.ts';
import type { Result } from '../../app/outcomes.ts';
import type { Actor } from '../../domain/submission.ts';
import { lazyChild } from '../../log.ts';
import { cancelMessage, notDoneMessage } from '../answers.ts';
import type { HandlerContext } from '../context.ts';
import { askInModal } from '../ops/handlers.ts';
import { answerWith, MESSAGE_FALLBACKS, withTrigger } from '../respond.ts';
import { doctorMessage } from '../views/doctor.ts';
import { historyBlocks } from '../views/history.ts';
import { limitProblem, type TextLimit } from '../views/input-limits.ts';
import { type Message, section } from '../views/kit.ts';
import { notFoundMessage } from '../views/messages.ts';
import { code } from '../views/mrkdwn.ts';
import { transferAnswer } from '../views/ownership.ts';
import { helpBlocks, listBlocks, statusBlocks } from '../views/status-text.ts';
import { submitModal } from '../views/submit-modal.ts';

/**
 * Slack documents no length for a command's text. The longest this command takes is about
 * a hundred characters (`transfer SERVICE <@U…|name> --team <!subteam^S…|@name> --project
 * P`): anything far past it is not read at all.
 */
const COMMAND_LIMIT: TextLimit = { label: 'The command', characters: 200 };

/** `/playground submit | status <id> | history <id> | list [all] | cancel <id> | rollback <service> [--project P] [version] | transfer <service> @user | doctor | help`. */
export async function onPlaygroundCommand(
  ctx: HandlerContext,
  { command, ack, respond }: Pick<SlackCommandMiddlewareArgs, 'command' | 'ack' | 'respond'>,
): Promise<void> {
  const tooLong = limitProblem(command.text, COMMAND_LIMIT);
  if (tooLong) {
    await ack({
      response_type: 'ephemeral',
      text: `${tooLong}. \`/playground help\` lists what it takes.`,
    });
    return;
  }
  const [word = '', ...args] = command.text.trim().split(/\s+/);
  const sub = word.toLowerCase();
  const actor = { userId: command.user_id, name: command.user_name };
  const { useCases } = ctx;

  if (sub === 'submit') {
    await ack();
    withTrigger(ctx, () =>
      ctx.client.views.open({
        trigger_id: command.trigger_id,
        view: submitModal({ metadata: { channel: command.channel_id } }),
      }),
    );
    return;
  }

  if (sub === 'rollback') {
    // A confirmation modal, opened at once with the command's trigger (it lives 3 seconds).
    await ack();
    const log = lazyChild(ctx.logger, { command: sub, userId: actor.userId });
    const request = { actor, requestId: `command:${command.trigger_id}`, ...rollbackArgs(args) };
    askInModal(ctx, command.trigger_id, 'Roll back', log, () => useCases.askRollback(request));
    return;
  }

  if (sub === 'doctor') {
    // The checks take longer than Slack's 3 seconds: acknowledged first, answered after.
    await ack({ response_type: 'ephemeral', text: ':stethoscope: Checking the set-up…' });
    const work = answerDoctor(ctx, actor.userId, respond, () => useCases.doctor({ actor }));
    ctx.inFlight.track(work);
    return work;
  }

  const log = lazyChild(ctx.logger, { command: sub, userId: actor.userId });
  const answer = <O>(work: () => Promise<Result<O>>, draw: (outcome: O) => Message) =>
    answerWith({ ...ctx, logger: log }, work, {
      draw,
      reply: (message) => ack({ response_type: 'ephemeral', ...message }),
      fallbacks: MESSAGE_FALLBACKS,
    });
  const id = args[0] ?? '';
  // A command is one request: what it changes or is refused is recorded once.
  const requestId = `command:${command.trigger_id}`;

  switch (sub) {
    case 'status':
      return answer(
        () => useCases.status({ actor, id, requestId }),
        (outcome) =>
          outcome.kind === 'done'
            ? statusBlocks(outcome.submission, {
                ...(outcome.lastEvent ? { lastEvent: outcome.lastEvent } : {}),
                ...(outcome.threadLink ? { permalink: outcome.threadLink } : {}),
              })
            : notFoundMessage(outcome.id),
      );
    case 'history':
      return answer(
        () => useCases.history({ actor, id, requestId }),
        (outcome) =>
          outcome.kind === 'done'
            ? historyBlocks(outcome.submission, outcome.events)
            : notFoundMessage(outcome.id),
      );
    case 'list':
      return answer(
        () => useCases.list({ actor, all: args[0]?.toLowerCase() === 'all' }),
        (outcome) =>
          outcome.kind === 'done'
            ? listBlocks(outcome.submissions, { all: outcome.all })
            : notDoneMessage(outcome),
      );
    case 'cancel':
      return answer(() => useCases.cancel({ actor, id, requestId }), cancelMessage);
    case 'transfer':
      return answer(
        () => useCases.transfer({ actor, requestId, ...transferArgs(args) }),
        transferAnswer,
      );
    default:
      return answer(
        () => useCases.help({ actor }),
        ({ approver }) => helpOrUnknown(word, helpBlocks({ approver })),
      );
  }
}

/**
 * The doctor's report where the approver reads it: the ephemeral answer, or their DM with
 * the app when it is long (an ephemeral message cannot be found again once dismissed).
 */
async function answerDoctor(
  ctx: HandlerContext,
  userId: string,
  respond: SlackCommandMiddlewareArgs['respond'],
  work: () => Promise<Result<DoctorOutcome>>,
): Promise<void> {
  try {
    const { outcome } = await work();
    if (outcome.kind !== 'done') {
      await respond({
        response_type: 'ephemeral',
        replace_original: true,
        ...notDoneMessage(outcome),
      });
      return;
    }
    const { long, ...message } = doctorMessage(outcome.report);
    if (!long) {
      await respond({ response_type: 'ephemeral', replace_original: true, ...message });
      return;
    }
    await ctx.client.chat.postMessage({ channel: userId, ...message });
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      text: `${message.text} The full report is in your DM with the app.`,
    });
  } catch (error) {
    ctx.logger.error({ err: error }, 'doctor failed');
    await respond({
      response_type: 'ephemeral',
      text: ':warning: The doctor could not finish; see the bot log.',
    }).catch(() => undefined);
  }
}

/**
 * `SERVICE @user [--team @group] [--project P]`. Slack escapes mentions in a command's text
 * (when the command asks it to) as `<@U123|name>` and user groups as `<!subteam^S123|@name>`;
 * a bare `@name` cannot be resolved here and counts as nobody named.
 */
export function transferArgs(args: readonly string[]): {
  service: string;
  to?: Actor;
  team?: string;
  project?: string;
} {
  const rest = [...args];
  const option = (name: string) => {
    const at = rest.findIndex((a) => a.toLowerCase() === name);
    return at >= 0 ? rest.splice(at, 2)[1] : undefined;
  };
  const project = option('--project');
  const team = /^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$/.exec(option('--team') ?? '')?.[1];
  const user = rest
    .map((a) => /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(a))
    .find((m) => m !== null);
  const service = rest.find((a) => !a.startsWith('<') && !a.startsWith('@')) ?? '';
  const to = user?.[1] ? { userId: user[1], ...(user[2] ? { name: user[2] } : {}) } : undefined;
  return {
    service: service.toLowerCase(),
    ...(to ? { to } : {}),
    ...(team ? { team } : {}),
    ...(project ? { project } : {}),
  };
}

/** `SERVICE [--project P] [VERSION]`. */
export function rollbackArgs(args: readonly string[]): {
  service: string;
  project?: string;
  version?: string;
} {
  const rest = [...args];
  const at = rest.findIndex((a) => a.toLowerCase() === '--project');
  const project = at >= 0 ? rest.splice(at, 2)[1] : undefined;
  const [service = '', version] = rest;
  return {
    service: service.toLowerCase(),
    ...(project ? { project } : {}),
    ...(version ? { version } : {}),
  };
}

/** Help for `help` and an empty command; an unknown subcommand says so first. */
function helpOrUnknown(word: string, help: Message): Message {
  const sub = word.toLowerCase();
  if (sub === '' || sub === 'help') return help;
  return {
    text: `Unknown subcommand "${word}". ${help.text}`,
    blocks: [section(`Unknown subcommand ${code(word, 40)}.`), ...(help.blocks ?? [])],
  };
}

export function register(app: App, ctx: HandlerContext): void {
  app.command('/playground', (args) => onPlaygroundCommand(ctx, args));
}
