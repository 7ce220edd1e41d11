import type { webApi } from '@slack/bolt';
import type { Actor, Submission, ThreadRef } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { DecisionEvent, Notifier } from '../ports/notifier.ts';
import type { Message } from './views/kit.ts';
import { decisionMessage, receivedMessage, threadReply } from './views/messages.ts';
import { reviewMessage } from './views/review-message.ts';

type WebClient = webApi.WebClient;

/**
 * The notifier in Slack: the review channel's message and thread, and the partner's DMs,
 * so that every path (buttons, modals, commands) tells people the same way.
 */
export class SlackNotifier implements Notifier {
  readonly #client: WebClient;
  readonly #reviewChannel: string;
  readonly #logger: Logger;

  constructor(options: { client: WebClient; reviewChannel: string; logger: Logger }) {
    this.#client = options.client;
    this.#reviewChannel = options.reviewChannel;
    this.#logger = options.logger;
  }

  /** A new submission is posted to the review channel; a resubmitted one updates its thread. */
  async forReview(submission: Submission, actor: Actor): Promise<ThreadRef | undefined> {
    if (submission.thread) {
      await this.#client.chat.update({ ...submission.thread, ...reviewMessage(submission) });
      await this.#client.chat.postMessage({
        channel: submission.thread.channel,
        thread_ts: submission.thread.ts,
        ...threadReply(submission, { action: 'resubmit', actor }),
      });
      return undefined;
    }
    const posted = await this.#client.chat.postMessage({
      channel: this.#reviewChannel,
      ...reviewMessage(submission),
    });
    return posted.ts && posted.channel ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  async received(submission: Submission): Promise<void> {
    await this.#tellPartner(
      submission,
      receivedMessage(submission, await this.threadLink(submission)),
    );
  }

  /** Updates the review message in place, records the decision in the thread, tells the partner. */
  async decided(submission: Submission, decision: DecisionEvent): Promise<void> {
    const { thread } = submission;
    if (thread) {
      await this.#client.chat.update({
        ...thread,
        ...reviewMessage(submission, { decision: { ...decision, at: submission.updatedAt } }),
      });
      await this.#client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        ...threadReply(submission, decision),
      });
    }
    await this.#tellPartner(submission, decisionMessage(submission, decision));
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

  /** A DM from the bot: posting to a user id lands in the app's Messages tab. */
  async #tellPartner(submission: Submission, message: Message): Promise<void> {
    await this.#client.chat.postMessage({ channel: submission.partner.userId, ...message });
  }
}
