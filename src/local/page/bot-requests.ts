// Requests to the bot as Slack sends them: signed, given Slack's ack timeout, and their
// failures named as Slack names them to people.
import { type SlackRequest, type SlackResponse, send } from '../slack-api/payloads.ts';
import type { JsonObject } from '../slack-api/types.ts';

/** What a page request answers when the bot could not be reached or failed, as Slack says it. */
type Failure = 'dispatch_failed' | 'operation_timeout' | 'http_service_error';

type Delivery = { ok: true; answer: SlackResponse } | { ok: false; error: Failure };

export interface BotRequests {
  /** Signs and sends a request to the bot; a failure comes back as Slack names it. */
  deliver(request: SlackRequest): Promise<Delivery>;
}

export function botRequests(botUrl: string, secret: string, ackTimeoutMs: number): BotRequests {
  return {
    deliver: async (request) => {
      try {
        const answer = await send(botUrl, request, { secret, timeoutMs: ackTimeoutMs });
        if (answer.status < 200 || answer.status > 299)
          return { ok: false, error: 'http_service_error' };
        return { ok: true, answer };
      } catch (error) {
        const name = (error as { name?: string }).name;
        return {
          ok: false,
          error: name === 'TimeoutError' ? 'operation_timeout' : 'dispatch_failed',
        };
      }
    },
  };
}

/** The app's answer as JSON, when it is JSON. */
export function answerObject(answer: SlackResponse): JsonObject | undefined {
  if (typeof answer.body === 'object' && answer.body !== null) return answer.body as JsonObject;
  const text = answer.text.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as JsonObject;
  } catch {
    return undefined;
  }
}
