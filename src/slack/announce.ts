// How each message a submission owes is said in Slack (the deliverer decides when): the
// review channel's message and thread, the pipeline's status message and milestones, and
// the partner's DMs, each rendered from the submission as it is stored now. Every post
// carries its outbox key in the message metadata, so a post whose answer was lost is found
// again instead of being made twice.
import type { webApi } from '@slack/bolt';
import type { PipelineRun } from '../domain/pipeline-run.ts';
import type { Submission, ThreadRef } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { DecisionEvent, MessageIntent, Notifier } from '../ports/notifier.ts';
import type { MessageRef, OutboxEntry } from '../ports/store.ts';
import type { Message } from './views/kit.ts';
import { housekeepingMessage, versionRoomMessage } from './views/lifecycle.ts';
import { decisionMessage, receivedMessage, threadReply, voidedMessage } from './views/messages.ts';
import { operationEndMessage, operationStatusMessage } from './views/operation.ts';
import { transferMessage } from './views/ownership.ts';
import { milestoneMessage, partnerOutcomeMessage, statusMessage } from './views/progress.ts';
import { reviewMessage } from './views/review-message.ts';
import { stalledMessage } from './views/watchdog.ts';

type WebClient = webApi.WebClient;

/** The metadata event type of the bot's messages (https://docs.slack.dev/messaging/message-metadata). */
const MESSAGE_EVENT_TYPE = 'playground_message';

/** Messages read back when looking for a lost post (the newest; a lost post is recent). */
const LOOKUP_LIMIT = 200;

/** A message that cannot be said as things stand (no review thread to reply in). */
export class Unsayable extends Error {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'Unsayable';
    this.reason = reason;
  }
}

/** An entry with what saying it means, worked out once per attempt. */
export interface Prepared {
  submission: Submission;
  entry: OutboxEntry;
  target: Target;
}

/** Where a message goes: a new post (somewhere), or an update of a message that exists. */
type Target =
  | { post: { channel: string; thread_ts?: string }; message: Message }
  | { update: MessageRef; message: Message }
  /** Nothing to say any more (e.g. the status message of an attempt a retry replaced). */
  | { skip: true };

export class SlackMessages implements Notifier {
  readonly #client: WebClient;
  readonly #reviewChannel: string;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #approversOf: (project: string) => readonly string[];

  constructor(options: {
    client: WebClient;
    reviewChannel: string;
    logger: Logger;
    now?: () => Date;
    /** Who approves into a project (PLAYGROUND_PROJECT_APPROVERS, else PLAYGROUND_APPROVERS). */
    approversOf?: (project: string) => readonly string[];
  }) {
    this.#client = options.client;
    this.#reviewChannel = options.reviewChannel;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
    this.#approversOf = options.approversOf ?? (() => []);
  }

  /** What saying the entry means now: a post somewhere, an update, or nothing. */
  async prepare(submission: Submission, entry: OutboxEntry): Promise<Prepared> {
    return { submission, entry, target: await this.#target(submission, entry) };
  }

  /** Whether saying it makes a new message (which an earlier attempt may have made). */
  posts(prepared: Prepared): boolean {
    return 'post' in prepared.target;
  }

  /**
   * Posts or updates the entry's message; answers where a post (or the status message)
   * lives. Throws Slack's error.
   */
  async say({ submission, entry, target }: Prepared): Promise<MessageRef | undefined> {
    if ('skip' in target) return undefined;
    if ('update' in target) {
      await this.#client.chat.update({ ...target.update, ...target.message });
      return entry.intent.kind === 'status' ? target.update : undefined;
    }
    const posted = await this.#client.chat.postMessage({
      ...target.post,
      ...target.message,
      metadata: {
        event_type: MESSAGE_EVENT_TYPE,
        event_payload: { submission: submission.id, key: entry.key },
      },
    });
    if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
    return { channel: posted.channel ?? target.post.channel, ts: posted.ts };
  }

  /** The entry's message if an earlier attempt posted it (found by its key in the metadata). */
  async find({ submission, entry, target }: Prepared): Promise<MessageRef | undefined> {
    if (!('post' in target)) return undefined;
    const { channel, thread_ts } = target.post;
    const where = thread_ts ? channel : await this.#conversation(channel);
    const read = thread_ts
      ? await this.#client.conversations.replies({
          channel,
          ts: thread_ts,
          include_all_metadata: true,
          limit: LOOKUP_LIMIT,
        })
      : await this.#client.conversations.history({
          channel: where,
          include_all_metadata: true,
          limit: LOOKUP_LIMIT,
        });
    const found = (read.messages ?? []).find((m) => {
      const metadata = m.metadata as
        | { event_type?: string; event_payload?: Record<string, unknown> }
        | undefined;
      return (
        metadata?.event_type === MESSAGE_EVENT_TYPE &&
        metadata.event_payload?.submission === submission.id &&
        metadata.event_payload?.key === entry.key
      );
    });
    return found?.ts ? { channel: where, ts: found.ts } : undefined;
  }

  async threadLink(submission: Submission): Promise<string | undefined> {
    if (!submission.thread) return undefined;
    try {
      const result = await this.#client.chat.getPermalink({
        channel: submission.thread.channel,
        message_ts: submission.thread.ts,
      });
      return result.permalink;
    } catch (error) {
      // A missing link is not worth failing the answer for.
      this.#logger.warn({ err: error, submissionId: submission.id }, 'no permalink');
      return undefined;
    }
  }

  /** A DM is addressed to the user id; reading it back needs the DM's channel id. */
  async #conversation(channel: string): Promise<string> {
    if (!/^[UW]/.test(channel)) return channel;
    const opened = await this.#client.conversations.open({ users: channel });
    return opened.channel?.id ?? channel;
  }

  async #target(submission: Submission, entry: OutboxEntry): Promise<Target> {
    const intent: MessageIntent = entry.intent;
    const partner = submission.partner.userId;
    switch (intent.kind) {
      case 'review':
        return submission.thread
          ? { update: submission.thread, message: reviewMessage(submission) }
          : { post: { channel: this.#reviewChannel }, message: reviewMessage(submission) };
      case 'root':
        return { update: threadOf(submission), message: rootMessage(submission, intent.decision) };
      case 'reply':
        return inThread(submission, threadReply(submission, intent.event));
      case 'received':
        return {
          post: { channel: partner },
          message: receivedMessage(submission, await this.threadLink(submission)),
        };
      case 'decided':
        return {
          post: { channel: partner },
          message: decisionMessage(submission, intent.decision),
        };
      case 'voided':
        return { post: { channel: intent.approver.userId }, message: voidedMessage(submission) };
      case 'status': {
        const run = runOf(submission, intent.attempt);
        if (!run) return { skip: true };
        const message = statusMessage(submission, run, this.#now());
        return entry.ref ? { update: entry.ref, message } : inThread(submission, message);
      }
      case 'milestone': {
        const run = runOf(submission, intent.attempt);
        if (!run) return { skip: true };
        const approvers = this.#approversOf(run.project);
        return inThread(
          submission,
          milestoneMessage(submission, run, intent.milestone, { approvers }),
        );
      }
      case 'outcome': {
        const run = runOf(submission, intent.attempt);
        if (!run) return { skip: true };
        return {
          post: { channel: partner },
          message: partnerOutcomeMessage(submission, run, intent.milestone),
        };
      }
      case 'stalled': {
        const run = runOf(submission, intent.attempt);
        if (!run) return { skip: true };
        return inThread(
          submission,
          stalledMessage(submission, intent, this.#approversOf(run.project)),
        );
      }
      case 'housekeeping':
      case 'version_room': {
        const run = runOf(submission, intent.attempt);
        if (!run) return { skip: true };
        const say = intent.kind === 'housekeeping' ? housekeepingMessage : versionRoomMessage;
        return inThread(submission, say(run));
      }
      case 'transferred': {
        const { transfer, recipient } = intent;
        const to = recipient === 'old' ? transfer.from : transfer.to;
        return { post: { channel: to.userId }, message: transferMessage(transfer, recipient) };
      }
      case 'operation': {
        // Only the submission's latest operation is said (an older one's message is moot).
        const run = submission.operation;
        if (run?.id !== intent.id) return { skip: true };
        if (intent.part === 'end') return inThread(submission, operationEndMessage(run));
        const message = operationStatusMessage(run);
        return entry.ref ? { update: entry.ref, message } : inThread(submission, message);
      }
    }
  }
}

function threadOf(submission: Submission): ThreadRef {
  if (!submission.thread) {
    throw new Unsayable('no_thread', `${submission.id} has no review thread`);
  }
  return submission.thread;
}

function inThread(submission: Submission, message: Message): Target {
  const thread = threadOf(submission);
  return { post: { channel: thread.channel, thread_ts: thread.ts }, message };
}

/** The run of that attempt, while it is the stored one (a retry replaces it). */
function runOf(submission: Submission, attempt: number): PipelineRun | undefined {
  const run = submission.pipeline;
  return run?.attempt === attempt ? run : undefined;
}

/** The root message, with the decision and when it was taken (its audit event). */
function rootMessage(submission: Submission, decision?: DecisionEvent): Required<Message> {
  if (!decision) return reviewMessage(submission);
  const event = submission.lastEvent;
  const at = event?.action === decision.action ? event.at : submission.updatedAt;
  return reviewMessage(submission, { decision: { ...decision, at } });
}
