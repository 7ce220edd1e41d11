import type { AddressInfo } from 'node:net';
import { App, type types, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  type SlackApiOptions,
  type SlackApiStandIn,
  startSlackApi,
} from '../../../src/local/slack-api/server.ts';

// @slack/bolt re-exports @slack/web-api: the same WebClient the app uses, without a
// dependency the package does not declare.
export const { WebClient, LogLevel, WebClientEvent } = webApi;
export type WebClient = InstanceType<typeof webApi.WebClient>;

export const TOKEN = 'xoxb-local-test-token';
export const PARTNER = 'UPARTNER01';
export const APPROVER = 'UAPPROVER1';
export const REVIEW_CHANNEL = 'CREVIEW001';

const silent = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** A real Bolt app (HTTP receiver) whose Web API calls go to the stand-in. */
export function boltApp(api: SlackApiStandIn, signingSecret: string): App {
  return new App({
    token: TOKEN,
    signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: api.url },
  });
}

/** Starts the Bolt app on a free port; gives its events URL. */
export async function startBolt(app: App): Promise<string> {
  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  return `http://127.0.0.1:${server.address().port}/slack/events`;
}

export function client(
  api: SlackApiStandIn,
  options: ConstructorParameters<typeof WebClient>[1] = {},
): WebClient {
  return new WebClient(TOKEN, {
    slackApiUrl: api.url,
    retryConfig: { retries: 0 },
    logger: silent,
    ...options,
  });
}

export async function standIn(
  options: Partial<SlackApiOptions> = {},
): Promise<{ api: SlackApiStandIn; web: WebClient }> {
  const api = await startSlackApi({
    botToken: TOKEN,
    users: [
      { id: PARTNER, name: 'partner', real_name: 'Pat Partner' },
      { id: APPROVER, name: 'approver', real_name: 'Alex Approver' },
    ],
    usergroups: [{ id: 'S0APPROVE1', handle: 'playground-approvers', users: [APPROVER] }],
    ...options,
  });
  return { api, web: client(api) };
}

/** One stand-in for a test file, emptied before each test; read it inside the tests. */
export function sharedStandIn(): { api: SlackApiStandIn; web: WebClient } {
  const shared = {} as { api: SlackApiStandIn; web: WebClient };
  beforeAll(async () => {
    Object.assign(shared, await standIn());
  });
  afterAll(() => shared.api.close());
  beforeEach(() => shared.api.reset());
  return shared;
}

/** A clock that moves only when told to. */
export function manualClock(
  start = 1_700_000_000_000,
): (() => number) & { advance(ms: number): void } {
  let now = start;
  return Object.assign(() => now, {
    advance(ms: number) {
      now += ms;
    },
  });
}

/** The body of Slack's `{ok:false}` answer, from the error WebClient throws for it. */
export async function slackError(
  call: Promise<unknown>,
): Promise<Record<string, unknown> & { error: string }> {
  try {
    await call;
  } catch (error) {
    const data = (error as { data?: Record<string, unknown> & { error: string } }).data;
    if (data) return data;
    throw error;
  }
  throw new Error('expected the call to fail');
}

// Block helpers are typed as WebClient wants them; tests also use them to break limits.
export function section(text: string, extra: Record<string, unknown> = {}): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text }, ...extra } as types.SectionBlock;
}

export function button(
  actionId: string,
  text = 'Go',
  extra: Record<string, unknown> = {},
): types.Button {
  return {
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text },
    ...extra,
  } as types.Button;
}

/** A modal view (typed as WebClient wants it; tests also break it on purpose). */
export function modal(extra: Record<string, unknown> = {}): types.ModalView {
  return {
    type: 'modal',
    callback_id: 'submit_model',
    title: { type: 'plain_text', text: 'Submit a model' },
    submit: { type: 'plain_text', text: 'Submit' },
    blocks: [
      {
        type: 'input',
        block_id: 'image',
        label: { type: 'plain_text', text: 'Image' },
        element: { type: 'plain_text_input', action_id: 'value' },
      },
    ],
    ...extra,
  } as types.ModalView;
}

export function homeView(blocks: unknown[]): types.HomeView {
  return { type: 'home', blocks } as unknown as types.HomeView;
}
