/**
 * The page's API against a real Slack stand-in and an app endpoint that checks signatures
 * with `verifySlackSignature`: every click, command and submission arrives signed and in
 * Slack's shape, and the app's answers land where Slack would put them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SlackPage, startSlackPage } from '../../../src/local/page/server.ts';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import type { JsonObject } from '../../../src/local/slack-api/types.ts';
import { APPROVER, client, PARTNER, REVIEW_CHANNEL, standIn } from '../slack-api/fixtures.ts';
import { call, eventsUntil, eventually, startRecorder } from './helpers.ts';

const SECRET = 'page-test-secret';
let api: SlackApiStandIn;
let bot: Awaited<ReturnType<typeof startRecorder>>;
let page: SlackPage;

const USERS = [
  { id: PARTNER, name: 'Pat', role: 'partner' as const },
  { id: APPROVER, name: 'Alex', role: 'approver' as const },
];

beforeAll(async () => {
  ({ api } = await standIn({ channels: [{ id: REVIEW_CHANNEL, name: 'playground-review' }] }));
  bot = await startRecorder(SECRET);
  page = await startSlackPage({
    api,
    botUrl: bot.url,
    signingSecret: SECRET,
    users: USERS,
    reviewChannel: REVIEW_CHANNEL,
    ackTimeoutMs: 300,
  });
});

afterAll(async () => {
  await page.close();
  await bot.close();
  await api.close();
});

beforeEach(() => {
  api.reset();
  bot.reset();
});

const ws = () => api.workspace;

const reviewBlocks: JsonObject[] = [
  { type: 'header', text: { type: 'plain_text', text: 'PG-0042 · my-service' } },
  {
    type: 'actions',
    block_id: 'review',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        text: { type: 'plain_text', text: 'Approve' },
        value: 'PG-0042',
        style: 'primary',
      },
    ],
  },
];

/** A modal with every input element the bot uses. */
const formView: JsonObject = {
  type: 'modal',
  callback_id: 'approve',
  title: { type: 'plain_text', text: 'Approve PG-0042' },
  submit: { type: 'plain_text', text: 'Approve' },
  close: { type: 'plain_text', text: 'Cancel' },
  private_metadata: '{"id":"PG-0042"}',
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: '*PG-0042*' } },
    {
      type: 'input',
      block_id: 'image',
      label: { type: 'plain_text', text: 'Image' },
      element: { type: 'plain_text_input', action_id: 'value', initial_value: 'img:1' },
    },
    {
      type: 'input',
      block_id: 'PADDING',
      label: { type: 'plain_text', text: 'Padding' },
      element: { type: 'number_input', action_id: 'value', is_decimal_allowed: false },
    },
    {
      type: 'input',
      block_id: 'project',
      label: { type: 'plain_text', text: 'Project' },
      element: {
        type: 'static_select',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'pg-prod-1' }, value: 'pg-prod-1' },
          { text: { type: 'plain_text', text: 'pg-dev-1' }, value: 'pg-dev-1' },
        ],
        initial_option: { text: { type: 'plain_text', text: 'pg-prod-1' }, value: 'pg-prod-1' },
      },
    },
    {
      type: 'input',
      block_id: 'promote',
      label: { type: 'plain_text', text: 'Promote' },
      element: {
        type: 'radio_buttons',
        action_id: 'value',
        options: [
          { text: { type: 'plain_text', text: 'Yes' }, value: 'yes' },
          { text: { type: 'plain_text', text: 'No' }, value: 'no' },
        ],
      },
    },
    {
      type: 'input',
      block_id: 'reason',
      optional: true,
      label: { type: 'plain_text', text: 'Notes' },
      element: { type: 'plain_text_input', action_id: 'value', multiline: true },
    },
  ],
};

describe('static files', () => {
  it('serves the page, its script and its styles, and nothing else', async () => {
    const html = await fetch(page.url);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<script type="module" src="page.js">');
    // page.js and every module it imports, followed through their imports.
    const modules = new Map<string, string>();
    const pending = ['page.js'];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      if (modules.has(name)) continue;
      const js = await fetch(new URL(name, page.url));
      expect(js.status, name).toBe(200);
      expect(js.headers.get('content-type'), name).toContain('text/javascript');
      const text = await js.text();
      modules.set(name, text);
      for (const [, imported] of text.matchAll(/ from '\.\/([\w-]+\.js)';$/gm))
        pending.push(imported as string);
    }
    expect(modules.size).toBeGreaterThan(1);
    expect([...modules.values()].join('\n')).toContain('EventSource');
    const css = await fetch(new URL('page.css', page.url));
    expect(css.headers.get('content-type')).toContain('text/css');
    for (const path of ['/server.ts', '/static/page.js', '/%2e%2e/server.ts', '/state.json']) {
      expect((await fetch(new URL(path, page.url))).status, path).toBe(404);
    }
  });
});

describe('GET /state', () => {
  it("shows one user's view: channels with threads, the DM, own ephemerals, modals and home", async () => {
    const root = ws().postMessage(REVIEW_CHANNEL, { text: 'review', blocks: reviewBlocks });
    ws().postMessage(REVIEW_CHANNEL, { text: 'step 1 done', thread_ts: root.ts });
    const dm = ws().openDm(PARTNER);
    ws().postMessage(dm, { text: 'PG-0042 received' });
    ws().addEphemeral({
      channel: REVIEW_CHANNEL,
      user: PARTNER,
      text: 'Usage',
      via: 'response_url',
    });
    const modal = ws().openView(PARTNER, formView);
    ws().publishHome(PARTNER, { type: 'home', blocks: [] });

    const res = await fetch(new URL(`state?user=${PARTNER}`, page.url));
    const state = (await res.json()) as Record<string, unknown> & {
      channels: { id: string; name: string; kind: string; messages: JsonObject[] }[];
    };
    expect(state.me).toEqual(USERS[0]);
    expect(state.users).toEqual(USERS);
    expect(state.reviewChannel).toBe(REVIEW_CHANNEL);
    expect(state.channels.map((c) => [c.id, c.name, c.kind])).toEqual([
      [REVIEW_CHANNEL, 'playground-review', 'channel'],
      [dm, 'Playground', 'app'],
    ]);
    expect(state.channels[0]?.messages).toMatchObject([
      { ts: root.ts, thread_ts: root.ts, replies: [{ text: 'step 1 done' }] },
    ]);
    expect(state.channels[1]?.messages).toMatchObject([{ text: 'PG-0042 received' }]);
    expect(state.ephemerals).toMatchObject([{ text: 'Usage', channel: REVIEW_CHANNEL }]);
    expect(state.modals).toMatchObject([{ id: modal.id, callback_id: 'approve' }]);
    expect(state.home).toMatchObject({ type: 'home' });
    expect(state.names).toMatchObject({ [PARTNER]: 'Pat', [APPROVER]: 'Alex' });

    const other = (await (await fetch(new URL(`state?user=${APPROVER}`, page.url))).json()) as {
      ephemerals: unknown[];
      modals: unknown[];
      home: unknown;
    };
    expect(other.ephemerals).toEqual([]);
    expect(other.modals).toEqual([]);
    expect(other.home).toBeNull();
    expect((await fetch(new URL('state?user=UNOBODY01', page.url))).status).toBe(400);
  });
});

describe('GET /state: shared files', () => {
  it("carries a shared file's text with the message that shares it (Show log's file)", async () => {
    const web = client(api);
    const root = ws().postMessage(REVIEW_CHANNEL, { text: 'review' });
    const content = 'Step #2 - "test": FAIL process: HTTP 500\n';
    await web.filesUploadV2({
      channel_id: REVIEW_CHANNEL,
      thread_ts: root.ts,
      filename: 'PG-0042-attempt-1-test.log',
      title: 'PG-0042-attempt-1-test.log',
      content,
      initial_comment: 'The last lines of the test step',
    });
    const state = (await (await fetch(new URL(`state?user=${APPROVER}`, page.url))).json()) as {
      channels: { messages: { replies: { files?: JsonObject[] }[] }[] }[];
    };
    const [reply] = state.channels[0]?.messages[0]?.replies ?? [];
    expect(reply?.files).toMatchObject([{ name: 'PG-0042-attempt-1-test.log', text: content }]);
  });
});

describe('GET /events', () => {
  it('pushes a tick for every change in the stand-in', async () => {
    const { contentType, seen } = await eventsUntil(page.url, 'message', () =>
      ws().postMessage(REVIEW_CHANNEL, { text: 'hello' }),
    );
    expect(contentType).toContain('text/event-stream');
    expect(seen).toContain('data: {"kind":"message"}');
  });
});

describe('POST /command', () => {
  it('sends a signed slash command with a live trigger id and response_url', async () => {
    bot.answer(() => ({ body: { response_type: 'ephemeral', text: 'Usage: /playground submit' } }));
    const answer = await call(page.url, 'command', { user: PARTNER, text: '/playground help me' });
    expect(answer.body).toEqual({ ok: true, status: 200 });
    const [request] = bot.received;
    expect(request?.verified).toBe(true);
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.kind).toBe('command');
    const fields = request?.body as Record<string, string>;
    expect(Object.keys(fields)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(fields).toMatchObject({
      command: '/playground',
      text: 'help me',
      user_id: PARTNER,
      user_name: 'Pat',
      channel_id: REVIEW_CHANNEL,
      channel_name: 'playground-review',
      team_id: 'T0LOCAL001',
    });
    expect(ws().exchangeTrigger(fields.trigger_id ?? '')).toEqual({ ok: true, user: PARTNER });
    expect(fields.response_url?.startsWith(`${api.origin}/hooks/`)).toBe(true);
    // The ack's message is shown to the user only, where the command was typed.
    expect(api.ephemerals(PARTNER)).toMatchObject([
      { channel: REVIEW_CHANNEL, text: 'Usage: /playground submit' },
    ]);
    expect(api.ephemerals(APPROVER)).toEqual([]);
    // The response_url works for a later respond().
    const posted = await fetch(fields.response_url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'later' }),
    });
    expect(posted.status).toBe(200);
    expect(api.ephemerals(PARTNER).map((e) => e.text)).toEqual([
      'Usage: /playground submit',
      'later',
    ]);
  });

  it('types in the DM as a direct message; in_channel answers are posted for everyone', async () => {
    bot.answer(() => ({ body: { response_type: 'in_channel', text: 'Everyone sees this' } }));
    const dm = ws().openDm(PARTNER);
    await call(page.url, 'command', { user: PARTNER, text: 'list', channel: dm });
    expect(bot.received[0]?.body).toMatchObject({
      channel_id: dm,
      channel_name: 'directmessage',
      command: '/playground',
      text: 'list',
    });
    expect(api.messages(dm)).toMatchObject([{ text: 'Everyone sees this' }]);
  });

  it('an empty ack shows nothing; blocks in the ack are kept', async () => {
    await call(page.url, 'command', { user: PARTNER, text: '/playground submit' });
    expect(api.ephemerals(PARTNER)).toEqual([]);
    bot.answer(() => ({ body: { text: 'list', blocks: reviewBlocks } }));
    await call(page.url, 'command', { user: PARTNER, text: '/playground list' });
    expect(api.ephemerals(PARTNER)).toMatchObject([{ text: 'list', blocks: reviewBlocks }]);
  });

  it('refuses other commands before they reach the app, as Slack does', async () => {
    const answer = await call(page.url, 'command', { user: PARTNER, text: '/deploy now' });
    expect(answer.body).toMatchObject({ ok: false, error: 'invalid_command' });
    expect(String(answer.body.message)).toContain('/deploy is not a valid command');
    expect(bot.received).toEqual([]);
    expect((await call(page.url, 'command', { user: 'UNOBODY01', text: 'help' })).status).toBe(400);
  });

  it('says what Slack says when the app fails, is slow or is down', async () => {
    bot.answer(() => ({ status: 500, body: 'boom' }));
    expect((await call(page.url, 'command', { user: PARTNER, text: 'help' })).body).toEqual({
      ok: false,
      error: 'http_service_error',
      message: '/playground failed with the error "http_service_error"',
    });
    bot.answer(() => ({ delayMs: 600 }));
    expect((await call(page.url, 'command', { user: PARTNER, text: 'help' })).body).toMatchObject({
      ok: false,
      error: 'operation_timeout',
    });
    const down = await startSlackPage({
      api,
      botUrl: 'http://127.0.0.1:9/slack/events',
      signingSecret: SECRET,
      users: USERS,
      reviewChannel: REVIEW_CHANNEL,
    });
    try {
      expect((await call(down.url, 'command', { user: PARTNER, text: 'help' })).body).toMatchObject(
        { ok: false, error: 'dispatch_failed' },
      );
    } finally {
      await down.close();
    }
  });
});

describe('POST /action', () => {
  it('a click on a message sends block_actions with the message, channel and a response_url', async () => {
    const root = ws().postMessage(REVIEW_CHANNEL, { text: 'review', blocks: reviewBlocks });
    const answer = await call(page.url, 'action', {
      user: APPROVER,
      actionId: 'approve',
      blockId: 'review',
      value: 'PG-0042',
      text: 'Approve',
      style: 'primary',
      container: { type: 'message', channel: REVIEW_CHANNEL, ts: root.ts },
    });
    expect(answer.body).toEqual({ ok: true, status: 200 });
    const [request] = bot.received;
    expect(request?.verified).toBe(true);
    expect(request?.kind).toBe('interaction');
    const payload = request?.body as JsonObject;
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: APPROVER, username: 'Alex', name: 'Alex', team_id: 'T0LOCAL001' },
      team: { id: 'T0LOCAL001', domain: 'playground-local' },
      api_app_id: 'A0LOCAL001',
      container: {
        type: 'message',
        message_ts: root.ts,
        channel_id: REVIEW_CHANNEL,
        is_ephemeral: false,
      },
      channel: { id: REVIEW_CHANNEL, name: 'playground-review' },
      message: { type: 'message', ts: root.ts, text: 'review', blocks: reviewBlocks },
      actions: [
        {
          type: 'button',
          action_id: 'approve',
          block_id: 'review',
          value: 'PG-0042',
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve', emoji: true },
        },
      ],
    });
    expect(ws().exchangeTrigger(String(payload.trigger_id))).toEqual({ ok: true, user: APPROVER });
    // respond({ replace_original }) through the response_url updates the clicked message.
    await fetch(String(payload.response_url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replace_original: true, text: 'Approved' }),
    });
    expect(api.messages(REVIEW_CHANNEL)[0]).toMatchObject({ ts: root.ts, text: 'Approved' });
  });

  it('a click on an ephemeral says so and carries no message, as Slack does', async () => {
    const e = ws().addEphemeral({
      channel: REVIEW_CHANNEL,
      user: PARTNER,
      text: 'status',
      blocks: reviewBlocks,
      via: 'response_url',
    });
    await call(page.url, 'action', {
      user: PARTNER,
      actionId: 'cancel',
      blockId: 'b1',
      value: 'PG-0042',
      container: { type: 'ephemeral', channel: REVIEW_CHANNEL, ts: e.message_ts },
    });
    const payload = bot.received[0]?.body as JsonObject;
    expect(payload.container).toEqual({
      type: 'message',
      message_ts: e.message_ts,
      channel_id: REVIEW_CHANNEL,
      is_ephemeral: true,
    });
    expect(payload.message).toBeUndefined();
    expect(payload.channel).toEqual({ id: REVIEW_CHANNEL, name: 'playground-review' });
    expect(String(payload.response_url)).toContain('/hooks/');
    // Someone else's ephemeral cannot be clicked.
    const other = await call(page.url, 'action', {
      user: APPROVER,
      actionId: 'cancel',
      blockId: 'b1',
      container: { type: 'ephemeral', channel: REVIEW_CHANNEL, ts: e.message_ts },
    });
    expect(other.status).toBe(404);
  });

  it('a click on the Home tab sends the view as container', async () => {
    const home = ws().publishHome(PARTNER, { type: 'home', blocks: reviewBlocks });
    await call(page.url, 'action', {
      user: PARTNER,
      actionId: 'open_submit',
      blockId: 'intro',
      container: { type: 'view', viewId: home.id },
    });
    const payload = bot.received[0]?.body as JsonObject;
    expect(payload.container).toEqual({ type: 'view', view_id: home.id });
    expect(payload.view).toMatchObject({ id: home.id, type: 'home', hash: home.hash });
    expect((payload.view as JsonObject).user_id).toBeUndefined();
    expect(payload.message).toBeUndefined();
    expect(payload.actions).toMatchObject([{ action_id: 'open_submit', block_id: 'intro' }]);
  });

  it('answers 404 for a message that is gone and reports an app failure', async () => {
    const missing = await call(page.url, 'action', {
      user: PARTNER,
      actionId: 'x',
      blockId: 'y',
      container: { type: 'message', channel: REVIEW_CHANNEL, ts: '1.000001' },
    });
    expect(missing.status).toBe(404);
    const root = ws().postMessage(REVIEW_CHANNEL, { text: 'review', blocks: reviewBlocks });
    bot.answer(() => ({ status: 500 }));
    const failed = await call(page.url, 'action', {
      user: PARTNER,
      actionId: 'approve',
      blockId: 'review',
      container: { type: 'message', channel: REVIEW_CHANNEL, ts: root.ts },
    });
    expect(failed.body).toEqual({ ok: false, error: 'http_service_error' });
  });
});

describe('POST /submit', () => {
  it("sends view_submission with the stored view and Slack's state shape", async () => {
    const view = ws().openView(PARTNER, formView);
    const answer = await call(page.url, 'submit', {
      user: PARTNER,
      viewId: view.id,
      values: { PADDING: '24', project: 'pg-dev-1', promote: 'no', reason: '' },
    });
    expect(answer.body).toEqual({ ok: true, closed: true });
    const [request] = bot.received;
    expect(request?.verified).toBe(true);
    const payload = request?.body as JsonObject;
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: PARTNER, name: 'Pat' },
      team: { id: 'T0LOCAL001' },
      api_app_id: 'A0LOCAL001',
      response_urls: [],
      view: {
        id: view.id,
        type: 'modal',
        callback_id: 'approve',
        private_metadata: '{"id":"PG-0042"}',
        hash: view.hash,
        title: { type: 'plain_text', text: 'Approve PG-0042' },
        root_view_id: view.id,
        previous_view_id: null,
        blocks: formView.blocks,
      },
    });
    expect((payload.view as JsonObject).state).toEqual({
      values: {
        image: { value: { type: 'plain_text_input', value: 'img:1' } },
        PADDING: { value: { type: 'number_input', value: '24' } },
        project: {
          value: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'pg-dev-1' }, value: 'pg-dev-1' },
          },
        },
        promote: {
          value: {
            type: 'radio_buttons',
            selected_option: { text: { type: 'plain_text', text: 'No' }, value: 'no' },
          },
        },
        reason: { value: { type: 'plain_text_input', value: null } },
      },
    });
    expect(ws().exchangeTrigger(String(payload.trigger_id))).toMatchObject({ ok: true });
    // An empty ack closes the modal, as Slack does.
    expect(api.openViews(PARTNER)).toEqual([]);
  });

  it('field errors come back to the page and stay on the view until the next submission', async () => {
    const view = ws().openView(PARTNER, formView);
    bot.answer(() => ({
      body: { response_action: 'errors', errors: { PADDING: 'Must be at most 256' } },
    }));
    const answer = await call(page.url, 'submit', {
      user: PARTNER,
      viewId: view.id,
      values: { PADDING: '300' },
    });
    expect(answer.body).toEqual({ ok: true, errors: { PADDING: 'Must be at most 256' } });
    expect(api.openViews(PARTNER)).toHaveLength(1);
    expect(api.openViews(PARTNER)[0]?.state.values.PADDING).toEqual({
      value: { type: 'number_input', value: '300' },
    });
    const state = (await (await fetch(new URL(`state?user=${PARTNER}`, page.url))).json()) as {
      modals: JsonObject[];
    };
    expect(state.modals[0]?.errors).toEqual({ PADDING: 'Must be at most 256' });

    bot.answer(() => ({}));
    await call(page.url, 'submit', { user: PARTNER, viewId: view.id, values: { PADDING: '24' } });
    expect(api.openViews(PARTNER)).toEqual([]);
  });

  it('follows response_action update, push and clear', async () => {
    const view = ws().openView(PARTNER, formView);
    const next = { ...formView, title: { type: 'plain_text', text: 'Step 2' } };
    bot.answer(() => ({ body: { response_action: 'update', view: next } }));
    await call(page.url, 'submit', { user: PARTNER, viewId: view.id, values: {} });
    expect(api.openViews(PARTNER)).toMatchObject([{ id: view.id, title: { text: 'Step 2' } }]);
    bot.answer(() => ({ body: { response_action: 'push', view: next } }));
    await call(page.url, 'submit', { user: PARTNER, viewId: view.id, values: {} });
    expect(api.openViews(PARTNER)).toHaveLength(2);
    const top = api.openViews(PARTNER)[1]?.id;
    // Only the view on top can be submitted.
    expect(
      (await call(page.url, 'submit', { user: PARTNER, viewId: view.id, values: {} })).status,
    ).toBe(409);
    bot.answer(() => ({ body: { response_action: 'clear' } }));
    await call(page.url, 'submit', { user: PARTNER, viewId: top, values: {} });
    expect(api.openViews(PARTNER)).toEqual([]);
  });

  it('keeps the modal open when the app does not answer', async () => {
    const view = ws().openView(PARTNER, formView);
    bot.answer(() => ({ status: 500 }));
    const answer = await call(page.url, 'submit', { user: PARTNER, viewId: view.id, values: {} });
    expect(answer.body).toEqual({ ok: false, error: 'http_service_error' });
    expect(api.openViews(PARTNER)).toHaveLength(1);
  });
});

describe('POST /close', () => {
  it('sends view_closed only for views that asked for it', async () => {
    ws().openView(PARTNER, formView);
    expect((await call(page.url, 'close', { user: PARTNER })).body).toEqual({
      ok: true,
      notified: false,
    });
    expect(api.openViews(PARTNER)).toEqual([]);
    expect(bot.received).toEqual([]);

    const view = ws().openView(PARTNER, { ...formView, notify_on_close: true });
    expect((await call(page.url, 'close', { user: PARTNER })).body).toEqual({
      ok: true,
      notified: true,
    });
    expect(api.openViews(PARTNER)).toEqual([]);
    expect(bot.received[0]?.verified).toBe(true);
    expect(bot.received[0]?.body).toMatchObject({
      type: 'view_closed',
      user: { id: PARTNER },
      is_cleared: false,
      view: { id: view.id, callback_id: 'approve', notify_on_close: true },
    });
    expect((await call(page.url, 'close', { user: PARTNER })).status).toBe(409);
  });
});

describe('POST /home', () => {
  it('sends a signed app_home_opened event for the DM channel', async () => {
    bot.answer(() => ({}));
    expect((await call(page.url, 'home', { user: PARTNER })).body).toEqual({ ok: true });
    const [request] = bot.received;
    expect(request?.verified).toBe(true);
    expect(request?.contentType).toBe('application/json');
    expect(request?.body).toMatchObject({
      type: 'event_callback',
      team_id: 'T0LOCAL001',
      api_app_id: 'A0LOCAL001',
      event: {
        type: 'app_home_opened',
        user: PARTNER,
        channel: ws().openDm(PARTNER),
        tab: 'home',
      },
    });
    const home = ws().publishHome(PARTNER, { type: 'home', blocks: [] });
    await call(page.url, 'home', { user: PARTNER });
    await eventually(() => expect(bot.received).toHaveLength(2));
    expect(bot.received[1]?.body).toMatchObject({
      event: { view: { id: home.id, type: 'home' } },
    });
  });
});
