// Promote and roll back as Slack shows them: the confirm modal (from → to, bound in its
// private_metadata), the answers to whoever asked, and in the target submission's thread
// the operation's status message (updated in place) and its closing reply. Pure builders.
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { AskOutcome, ConfirmOutcome, OperationAsk } from '../../app/operate.ts';
import type { OperationRun } from '../../domain/service-operation.ts';
import type { Submission } from '../../domain/submission.ts';
import { type VersionRef, versionRefSchema } from '../../domain/version-lifecycle.ts';
import { CALLBACK_ID } from './ids.ts';
import { context, fromMetadata, LIMITS, type Message, plain, section, toMetadata } from './kit.ts';
import { versionLabel } from './lifecycle.ts';
import { capitalize, code, mention, quote } from './mrkdwn.ts';
import { loadingModal } from './notice-modal.ts';

const VERB = { promote: 'Promote', rollback: 'Roll back' } as const;
const DOING = { promote: 'promoting', rollback: 'rolling back' } as const;
const NOUN = { promote: 'promotion', rollback: 'rollback' } as const;

/** "from `v3` (PG-0003 r1) to `v2` (PG-0002 r1)". */
function move(from: VersionRef | undefined, to: VersionRef): string {
  return `${from ? `from ${versionLabel(from)} ` : ''}to ${versionLabel(to)}`;
}

/** "`my-service` in `pg-prod-1`". */
function place(where: { service: string; project: string }): string {
  return `${code(where.service, 100)} in ${code(where.project, 100)}`;
}

/** What the modal's private_metadata carries: the ask as it was shown. */
const askMetadata = z.object({
  kind: z.enum(['promote', 'rollback']),
  project: z.string().min(1),
  service: z.string().min(1),
  plan: z.object({
    kind: z.literal('plan'),
    from: versionRefSchema.optional(),
    to: versionRefSchema.extend({ submissionId: z.string().min(1), revision: z.number().int() }),
    start: z.boolean(),
    url: z.string().optional(),
  }),
  live: z.string().optional(),
  opened: z.iso.datetime().transform((text) => new Date(text)),
});

/** The confirm modal: what moves where, submitted to begin it. */
export function operationModal(ask: OperationAsk): ModalView {
  const { kind, plan } = ask;
  const lines = [
    `*${VERB[kind]}* ${place(ask)}: move all of its traffic ${move(plan.from, plan.to)}?`,
  ];
  if (plan.start) {
    lines.push(
      `${code(plan.to.version, 100)} is stopped: it is started first, and traffic moves once it serves.`,
    );
  }
  return {
    type: 'modal',
    callback_id: CALLBACK_ID.operation,
    title: plain(VERB[kind], LIMITS.modalTitle),
    submit: plain(VERB[kind], LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: toMetadata({ ...ask, opened: ask.opened.toISOString() }),
    blocks: [
      section(lines.join('\n')),
      context('Progress follows in the thread of the submission that created the version.'),
    ],
  };
}

/** The sent confirmation while it is checked and begun (the answer to Slack, at once). */
export function operationStartingModal(kind: OperationAsk['kind']): ModalView {
  return loadingModal(VERB[kind], `Starting the ${NOUN[kind]}…`);
}

/** The sent confirmation once the operation began: what moves, and where it is told. */
export function operationBegunModal(ask: OperationAsk, submission: Submission): ModalView {
  const where = submission.thread ? ` in <#${submission.thread.channel}>` : '';
  return {
    type: 'modal',
    title: plain(VERB[ask.kind], LIMITS.modalTitle),
    close: plain('Close', LIMITS.modalButton),
    blocks: [
      section(
        `:gear: *${capitalize(DOING[ask.kind])}* ${place(ask)}: all of its traffic moves ${move(ask.plan.from, ask.plan.to)}.`,
      ),
      context(`Progress follows in the thread of *${submission.id}*${where}.`),
    ],
  };
}

/** The ask a submitted confirm modal carries; undefined when it is not one (a forged form). */
export function parseOperationModal(metadata: string | undefined): OperationAsk | undefined {
  const parsed = askMetadata.safeParse(fromMetadata(metadata));
  return parsed.success ? (parsed.data as OperationAsk) : undefined;
}

/** Why nothing was asked or begun, for the one who asked. */
export function operationRefusal(
  outcome: Exclude<AskOutcome | ConfirmOutcome, { kind: 'done' }>,
): Message {
  switch (outcome.kind) {
    case 'refused':
      return {
        text: outcome.approvers
          ? `:lock: Only ${outcome.project}'s own approvers (${outcome.approvers.map(mention).join(', ')}) can move its traffic. Nothing was changed.`
          : ':lock: Only Playground approvers can promote or roll back a service. Nothing was changed.',
      };
    case 'usage':
      return {
        text: `${outcome.problem}. Usage: \`/playground rollback SERVICE [--project P] [VERSION]\`.`,
      };
    case 'not_live':
      return { text: `${code(outcome.id, 40)} has no live version: there is nothing to promote.` };
    case 'unknown_service':
      return {
        text: `No service ${place(outcome)} was deployed by the bot. Check the name; \`--project P\` picks the project.`,
      };
    case 'running': {
      const { operation } = outcome;
      const what = `${DOING[operation.kind]} ${operation.from ? `from ${code(operation.from)} ` : ''}to ${code(operation.to)}`;
      return {
        text:
          operation.state === 'running'
            ? `:hourglass_flowing_sand: Already ${what} (${operation.submissionId}); progress is in its thread.`
            : `:white_check_mark: Already done: ${what} (${operation.submissionId}).`,
      };
    }
    case 'busy':
      return {
        text: `:construction: *${outcome.submissionId}* is deploying ${place(outcome)}: its pipeline goes first. Try again once it has ended.`,
      };
    case 'stale':
      return {
        text: `:warning: ${place(outcome.ask)} changed since this was shown (${outcome.serving ? `${code(outcome.serving)} serves now` : 'nothing serves now'}). Nothing was changed; ask again to see where it stands.`,
      };
    case 'nothing_to_roll_back':
      return {
        text: `:information_source: Nothing to roll back to: no earlier version of this service that the bot deployed is still on App Engine${outcome.serving ? ` (${code(outcome.serving)} serves now)` : ''}.`,
      };
    case 'unknown_version':
      return {
        text: `:warning: App Engine has no version ${code(outcome.version, 100)} of this service. It has: ${outcome.listed.map((v) => code(v, 100)).join(', ') || 'none'}.`,
      };
    case 'not_ours':
      return {
        text: `:warning: ${code(outcome.version, 100)} was not deployed by the bot (no submission made it), so it cannot be rolled back to from here.`,
      };
    case 'already_serving':
      return {
        text: `:information_source: ${code(outcome.version, 100)} already serves all of the traffic. Nothing was changed.`,
      };
  }
}

/** Who asked, and the service's owner: both are told how it ends. */
function people(run: OperationRun): string {
  const owner = run.owner.userId === run.by.userId ? '' : ` · owner ${mention(run.owner.userId)}`;
  return `asked by ${mention(run.by.userId)}${owner}`;
}

type Mark = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
const ICON: Record<Mark, string> = {
  pending: ':white_large_square:',
  running: ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
};

/** Where each part of the operation is: start the target, move traffic. */
function marks(run: OperationRun): { start: Mark; traffic: Mark } {
  const failed = run.phase === 'failed';
  switch (run.phase) {
    case 'starting':
      return { start: 'running', traffic: 'pending' };
    case 'promoting':
      return { start: run.start ? 'done' : 'skipped', traffic: 'running' };
    default: {
      const startEnded = !run.start
        ? 'skipped'
        : failed && !run.promoteOperation
          ? 'failed'
          : 'done';
      const traffic = !failed ? 'done' : run.promoteOperation ? 'failed' : 'pending';
      return { start: startEnded, traffic };
    }
  }
}

/** The operation's status message in the thread: the move, its two parts, where it is. */
export function operationStatusMessage(run: OperationRun): Message {
  const { start, traffic } = marks(run);
  const blocks: KnownBlock[] = [
    section(
      `:twisted_rightwards_arrows: *${VERB[run.kind]}* ${place(run)} ${move(run.from, run.to)} · ${people(run)}`,
    ),
    section(
      [
        `${ICON[start]} Start ${code(run.to.version, 100)}${run.start ? '' : ' (already serving)'}`,
        `${ICON[traffic]} Move all traffic to ${code(run.to.version, 100)}`,
      ].join('\n'),
    ),
  ];
  const state =
    run.phase === 'done'
      ? ':white_check_mark: Done.'
      : run.phase === 'failed'
        ? ':x: Failed; see the reply below.'
        : ':gear: In progress.';
  blocks.push(context(state));
  return {
    text: `${VERB[run.kind]} ${run.service} ${run.from ? `from ${run.from.version} ` : ''}to ${run.to.version}: ${run.phase}`,
    blocks,
  };
}

/** The closing reply: what serves now and where, or why it failed (App Engine's words). */
export function operationEndMessage(run: OperationRun): Message {
  const who = `${mention(run.by.userId)}${run.owner.userId === run.by.userId ? '' : ` ${mention(run.owner.userId)}`}`;
  if (run.phase === 'done') {
    const url = run.versionUrl ? `: <${run.versionUrl}|${run.versionUrl}>` : '.';
    return {
      text: `${run.to.version} (${run.to.submissionId}) now serves ${run.service}${run.versionUrl ? ` at ${run.versionUrl}` : ''}`,
      blocks: [
        section(
          `:large_green_circle: ${versionLabel(run.to)} now serves all traffic of ${place(run)}${url}\n${VERB[run.kind]} ${move(run.from, run.to)} done. ${who}`,
        ),
      ],
    };
  }
  return {
    text: `${VERB[run.kind]} of ${run.service} to ${run.to.version} failed`,
    blocks: [
      section(
        `:x: ${VERB[run.kind]} ${place(run)} ${move(run.from, run.to)} failed:\n${quote(run.failure ?? 'no reason given', 1000)}\n${run.promoteOperation ? 'App Engine may still finish moving the traffic: `/playground rollback` shows what serves.' : `The traffic was not moved${run.from ? `: ${versionLabel(run.from)} keeps serving` : ''}.`} ${who}`,
      ),
    ],
  };
}
