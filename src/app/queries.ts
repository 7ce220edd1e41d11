// What people look up: one submission, lists, the Home tab, and the help they are shown.
// Nothing here changes anything.
import type { Status } from '../domain/status.ts';
import type { AuditEvent, Submission } from '../domain/submission.ts';
import type { UndeliveredMessage } from '../ports/store.ts';
import type { AppDeps, UserRequest } from './context.ts';
import { type Done, done, type NotFound, notFound, type Refused, type Result } from './outcomes.ts';

const LIST_LIMIT = 100;
const HOME_LIMIT = 50;

/** Statuses an approver keeps an eye on (the Home tab's review queue), in the order shown. */
export const QUEUE_STATUSES: readonly Status[] = [
  'submitted',
  'approved',
  'building',
  'testing',
  'deploying',
  'failed',
];

type Asker = Pick<UserRequest, 'actor'>;

type StatusOutcome =
  | Done<{ submission: Submission; lastEvent?: AuditEvent; threadLink?: string }>
  | NotFound;

/**
 * One submission its partner or an approver asks about, with its last change and thread.
 * Asking about someone else's is refused (and audited) from `requestId`.
 */
export async function status(
  deps: Pick<AppDeps, 'store' | 'access' | 'notifier'>,
  input: UserRequest & { id: string },
): Promise<Result<StatusOutcome>> {
  const { actor, id, requestId } = input;
  const submission = await deps.access.find(actor, 'view', { id, requestId });
  if (!submission) return { outcome: notFound(input.id) };
  const events = await deps.store.audit(submission.id);
  // Refused clicks changed nothing: they are not "the last thing that happened".
  const lastEvent = events.filter((e) => e.action !== 'refused').at(-1);
  const threadLink = await deps.notifier.threadLink(submission);
  return {
    outcome: done({
      submission,
      ...(lastEvent ? { lastEvent } : {}),
      ...(threadLink ? { threadLink } : {}),
    }),
  };
}

type HistoryOutcome = Done<{ submission: Submission; events: AuditEvent[] }> | NotFound;

/**
 * A submission's audit trail, oldest first, refusals included: for its partner and
 * approvers; anyone else gets not_found, and their attempt is audited as for `status`.
 */
export async function history(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: UserRequest & { id: string },
): Promise<Result<HistoryOutcome>> {
  const { actor, id, requestId } = input;
  const submission = await deps.access.find(actor, 'view', { id, requestId });
  if (!submission) return { outcome: notFound(input.id) };
  return { outcome: done({ submission, events: await deps.store.audit(submission.id) }) };
}

type ListOutcome = Done<{ submissions: Submission[]; all: boolean }> | Refused;

/** A partner's own submissions, or (`all`, approvers only) everyone's; newest first. */
export async function list(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: Asker & { all: boolean },
): Promise<Result<ListOutcome>> {
  const { actor, all } = input;
  if (all) {
    const refused = await deps.access.approverOnly(actor, 'list_all');
    if (refused) return { outcome: refused };
  }
  const submissions = all
    ? await deps.store.listAll({ limit: LIST_LIMIT })
    : await deps.store.listByPartner(actor.userId, { limit: LIST_LIMIT });
  return { outcome: done({ submissions, all }) };
}

type HomeOutcome = Done<{
  mine: Submission[];
  queue?: Submission[];
  /** Messages Slack refused for good (approvers only): what to fix. */
  undelivered?: UndeliveredMessage[];
}>;

/**
 * The Home tab: the user's own submissions, and for approvers the review queue and the
 * messages that could not be delivered.
 */
export async function home(
  deps: Pick<AppDeps, 'store' | 'access'>,
  input: Asker,
): Promise<Result<HomeOutcome>> {
  const { userId } = input.actor;
  const mine = await deps.store.listByPartner(userId, { limit: HOME_LIMIT });
  if (!(await deps.access.isApprover(userId))) return { outcome: done({ mine }) };
  const [queue, undelivered] = await Promise.all([
    deps.store.listAll({ statuses: [...QUEUE_STATUSES], limit: HOME_LIMIT }),
    deps.store.undeliverable({ limit: HOME_LIMIT }),
  ]);
  return { outcome: done({ mine, queue, undelivered }) };
}

/** What help to show: approvers get their own commands too. */
export async function help(
  deps: Pick<AppDeps, 'access'>,
  input: Asker,
): Promise<Result<Done<{ approver: boolean }>>> {
  return { outcome: done({ approver: await deps.access.isApprover(input.actor.userId) }) };
}
