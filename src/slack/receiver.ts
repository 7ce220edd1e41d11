/**
 * Bolt's HTTP receiver with a guard in front of it, so that no request, signed or not, can
 * end the process or reach a handler in a shape Slack never sends.
 *
 * Bolt 5.1's HTTPReceiver reads `body.ssl_check` on whatever the body parses to, outside
 * any try: a correctly signed body of JSON `null` (or `payload=null`) throws a TypeError in
 * a promise nobody awaits, and Node ends the process. Payloads without the `user` or `view`
 * Slack always sends make Bolt's routing throw (HTTP 500). And Bolt refuses only old
 * timestamps, not ones from the future.
 *
 * The guard reads the body with Bolt's own functions, checks the signature itself (Bolt's
 * check turned off, so one clock decides, which tests can set), refuses what is not a
 * plausible Slack payload with 400 and a log line, and hands the rest, already read, to
 * Bolt. Only POSTs to the events path are guarded; /healthz and the rest go straight on.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  type BufferedIncomingMessage,
  type CustomRoute,
  HTTPModuleFunctions,
  HTTPReceiver,
  isRawBodyError,
  verifySlackRequest,
} from '@slack/bolt';
import type { WorkQueue } from '../lib/work-queue.ts';
import type { Logger } from '../log.ts';
import { boltLogger } from './bolt-logger.ts';

/** Where Slack posts commands, interactions and events (Bolt's default endpoint). */
export const EVENTS_PATH = '/slack/events';

/**
 * Slack's rule (https://docs.slack.dev/authentication/verifying-requests-from-slack): a
 * request whose X-Slack-Request-Timestamp is more than five minutes from local time, on
 * either side, may be a replay and is refused.
 */
export const MAX_CLOCK_SKEW_SEC = 5 * 60;

export interface GuardedReceiverOptions {
  signingSecret: string;
  logger: Logger;
  customRoutes?: CustomRoute[];
  /** The clock request timestamps are checked against, in ms; tests set it. */
  now?: () => number;
  /** Held back while a request to the events path is being answered. */
  followUps?: Pick<WorkQueue, 'hold'>;
}

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const hasId = (value: unknown) => isObject(value) && typeof value.id === 'string';
const isString = (value: unknown) => typeof value === 'string' && value !== '';

type Rule = [field: string, holds: (body: Body) => boolean];

const USER: Rule = ['user', (b) => hasId(b.user)];
/** `team` is null for apps installed org-wide (Bolt then reads `user.team_id`), never absent. */
const TEAM: Rule = ['team', (b) => b.team === null || hasId(b.team)];
const VIEW: Rule = ['view', (b) => hasId(b.view) && isString((b.view as Body).callback_id)];

/**
 * Fields Slack always sends, by payload type (docs.slack.dev/reference/interaction-payloads
 * and /reference/events): what Bolt's routing or our handlers read without looking.
 */
const REQUIRED: Record<string, Rule[]> = {
  block_actions: [USER, TEAM, ['actions', (b) => Array.isArray(b.actions)]],
  view_submission: [USER, TEAM, VIEW],
  view_closed: [USER, TEAM, VIEW],
  shortcut: [USER, TEAM],
  message_action: [USER, TEAM],
  block_suggestion: [USER, TEAM],
  event_callback: [
    ['event', (b) => isObject(b.event) && isString(b.event.type)],
    ['team_id', (b) => isString(b.team_id)],
  ],
};

/** A slash command's form fields (docs.slack.dev/interactivity/implementing-slash-commands). */
const COMMAND: Rule[] = [
  ['user_id', (b) => isString(b.user_id)],
  ['team_id', (b) => isString(b.team_id)],
  ['channel_id', (b) => isString(b.channel_id)],
];

/** Why a parsed, signed body is not one Slack sends; undefined when it may be. */
function shapeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'the body is not an object';
  const rules =
    body.command !== undefined
      ? COMMAND
      : typeof body.type === 'string'
        ? (REQUIRED[body.type] ?? [])
        : [];
  const missing = rules.filter(([, holds]) => !holds(body)).map(([field]) => field);
  return missing.length > 0 ? `no valid ${missing.join(', ')}` : undefined;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Why the request's signature does not hold at `nowMs`; undefined when it does. */
function signatureProblem(
  req: IncomingMessage,
  rawBody: string,
  signingSecret: string,
  nowMs: number,
): string | undefined {
  const signature = header(req, 'x-slack-signature');
  const timestamp = Number(header(req, 'x-slack-request-timestamp'));
  if (!signature || !Number.isInteger(timestamp)) return 'missing signature headers';
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_CLOCK_SKEW_SEC) return 'timestamp out of window';
  try {
    verifySlackRequest({
      signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    });
    return undefined;
  } catch {
    return 'signature mismatch';
  }
}

function answer(res: ServerResponse, status: number): false {
  res.writeHead(status);
  res.end();
  return false;
}

function isEventsPost(req: IncomingMessage): boolean {
  try {
    return (
      req.method === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH
    );
  } catch {
    return false; // Bolt answers a URL it cannot read itself.
  }
}

/** Bolt's HTTPReceiver (its routes, acks, error handling) behind the guard. */
export function guardedReceiver(options: GuardedReceiverOptions): HTTPReceiver {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'receiver' });
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    // Checked by the guard, both sides of the window, on one clock.
    signatureVerification: false,
    logger: boltLogger(options.logger),
    endpoints: [EVENTS_PATH],
    customRoutes: options.customRoutes ?? [],
  });

  /** Reads and checks the request; answers it and gives false when Bolt must not see it. */
  const admit = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(
        req,
        HTTPModuleFunctions.defaultBodyLimit,
      );
    } catch (error) {
      const tooLarge = isRawBodyError(error) && error.statusCode === 413;
      log.warn({ err: error }, 'refused a Slack request: body unreadable');
      return answer(res, tooLarge ? 413 : 400);
    }
    const rawBody = buffered.rawBody.toString();
    // Slack's unsigned SSL check; answered here so no smuggled payload reaches Bolt.
    if (
      req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
      parseQuery(rawBody).ssl_check === '1'
    ) {
      return answer(res, 200);
    }
    const unsigned = signatureProblem(req, rawBody, options.signingSecret, now());
    if (unsigned) {
      log.warn({ reason: unsigned }, 'refused a Slack request: not signed by Slack');
      return answer(res, 401);
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      log.warn({ reason: 'malformed body' }, 'refused a signed Slack request');
      return answer(res, 400);
    }
    const problem = shapeProblem(body);
    if (problem) {
      const type = isObject(body) ? (body.command ?? body.type) : typeof body;
      log.warn({ reason: problem, type }, 'refused a signed Slack request');
      return answer(res, 400);
    }
    return true;
  };

  const bolt: RequestListener = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    // Bolt's own routing throws synchronously for unknown paths, which its server turns
    // into 404: other requests must reach it in this same call.
    if (!isEventsPost(req)) return bolt(req, res);
    const release = options.followUps?.hold();
    if (release) res.once('close', release);
    admit(req, res)
      .then((admitted) => {
        if (admitted) bolt(req, res);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'the request guard failed');
        if (!res.headersSent) answer(res, 500);
      });
  };
  return receiver;
}
