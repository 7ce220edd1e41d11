/**
 * The HTTP receiver Bolt hands requests to (Bolt's `Receiver` interface,
 * https://docs.slack.dev/tools/bolt-js/concepts/receiver), with a guard in front, so that
 * no request, signed or not, can end the process or reach a handler in a shape Slack
 * never sends.
 *
 * Why not Bolt 5.1's HTTPReceiver: it reads `body.ssl_check` on whatever the body parses
 * to, outside any try, so a correctly signed body of JSON `null` (or `payload=null`) throws
 * a TypeError in a promise nobody awaits, and Node ends the process. Payloads without the
 * `user` or `view` Slack always sends make Bolt's routing throw (HTTP 500). It refuses only
 * old timestamps, not ones from the future. And it parses each body again after the guard
 * has: in profiles of bench/ack.ts, that second parse and the guard's own extra one (for
 * `ssl_check`) were about a tenth of the CPU the bot spent answering an Approve click.
 *
 * The guard reads the body with Bolt's own functions, checks the signature on one clock
 * (which tests can set), refuses what is not a plausible Slack payload with 400 and a log
 * line, and gives the body it parsed, with Bolt's own ack, to the app. Only POSTs to the
 * events path are guarded; other requests go to `otherRequests`.
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  type App,
  type BufferedIncomingMessage,
  HTTPModuleFunctions,
  HTTPResponseAck,
  isRawBodyError,
  type Receiver,
  verifySlackRequest,
} from '@slack/bolt';
import { listen } from '../lib/listen.ts';
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
  /** Answers every request that is not a POST to the events path; by default 404. */
  otherRequests?: RequestListener;
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

/** Why a signed body is not one Slack sends; undefined when it may be. */
function shapeProblem(body: Body): string | undefined {
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

function answer(res: ServerResponse, status: number): undefined {
  res.writeHead(status);
  res.end();
  return undefined;
}

/** The path a request asks for; undefined when its URL cannot be read (it names no route). */
export function pathOf(req: IncomingMessage): string | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function isEventsPost(req: IncomingMessage): boolean {
  return req.method === 'POST' && pathOf(req) === EVENTS_PATH;
}

/** A request the guard let through: read, and its body parsed once. */
interface Admitted {
  buffered: BufferedIncomingMessage;
  body: Body;
}

/** Bolt's HTTP receiver, as far as the bot uses it (acks, retries, URL verification), behind the guard. */
export function guardedReceiver(options: GuardedReceiverOptions): Receiver {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'receiver' });
  const boltLog = boltLogger(options.logger);
  const otherRequests = options.otherRequests ?? ((_req, res) => answer(res, 404));
  let app: App | undefined;
  let server: Server | undefined;

  /** Reads and checks the request; answers it and gives undefined when Bolt must not see it. */
  const admit = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Admitted | undefined> => {
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
    const form =
      req.headers['content-type'] === 'application/x-www-form-urlencoded'
        ? parseQuery(rawBody)
        : undefined;
    // Slack's unsigned SSL check; answered here so no smuggled payload reaches Bolt.
    if (form?.ssl_check === '1') return answer(res, 200);
    const unsigned = signatureProblem(req, rawBody, options.signingSecret, now());
    if (unsigned) {
      log.warn({ reason: unsigned }, 'refused a Slack request: not signed by Slack');
      return answer(res, 401);
    }
    const refuse = (reason: string, type?: unknown) => {
      log.warn({ reason, type }, 'refused a signed Slack request');
      return answer(res, 400);
    };
    let body: unknown;
    try {
      // As Slack sends them: interactions as JSON in a form's `payload`, commands as the
      // form itself, events as JSON.
      body = form
        ? typeof form.payload === 'string'
          ? JSON.parse(form.payload)
          : form
        : JSON.parse(rawBody);
    } catch {
      return refuse('malformed body');
    }
    if (!isObject(body)) return refuse('the body is not an object', typeof body);
    const problem = shapeProblem(body);
    if (problem) return refuse(problem, body.command ?? body.type);
    return { buffered, body };
  };

  /** Gives an admitted request to the app, with Bolt's ack (its 3 s timer, one answer only). */
  const dispatch = async (req: IncomingMessage, res: ServerResponse, admitted: Admitted) => {
    const { buffered, body } = admitted;
    if (body.type === 'url_verification') {
      HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
      return;
    }
    const ack = new HTTPResponseAck({
      logger: boltLog,
      processBeforeResponse: false,
      httpRequest: buffered,
      httpRequestBody: body,
      httpResponse: res,
    });
    await app?.processEvent({
      body,
      ack: ack.bind(),
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
    });
  };

  const listener: RequestListener = (req, res) => {
    if (!isEventsPost(req)) return otherRequests(req, res);
    const release = options.followUps?.hold();
    if (release) res.once('close', release);
    admit(req, res)
      .then((admitted) => admitted && dispatch(req, res, admitted))
      .catch((error: unknown) => {
        log.error({ err: error }, 'a Slack request failed before its answer');
        if (!res.headersSent) answer(res, 500);
      });
  };

  return {
    init(bolt) {
      app = bolt;
    },
    async start(port: number) {
      const started = createServer(listener);
      await listen(started, port);
      server = started;
      return started;
    },
    async stop() {
      const stopping = server;
      server = undefined;
      await new Promise<void>((resolve) =>
        stopping ? stopping.close(() => resolve()) : resolve(),
      );
    },
  };
}
