/**
 * The page in a real browser (Debian's chromium, headless, driven by playwright-core)
 * against the Slack stand-in and a tiny Bolt app that answers with the bot's own views:
 * messages, threads, unknown blocks and modals render; clicks and submissions reach the
 * app signed and Slack-shaped; a message update shows up in place without a reload.
 * Screenshots go to docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import type { App, BlockAction } from '@slack/bolt';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openedOn } from '../../../src/domain/approval-binding.ts';
import type { Submission } from '../../../src/domain/submission.ts';
import { type SlackPage, startSlackPage } from '../../../src/local/page/server.ts';
import type { SlackApiStandIn } from '../../../src/local/slack-api/server.ts';
import type { JsonObject } from '../../../src/local/slack-api/types.ts';
import { approveModal, readApproveForm } from '../../../src/slack/views/approve-modal.ts';
import { homeView } from '../../../src/slack/views/home.ts';
import { reasonModal } from '../../../src/slack/views/reason-modal.ts';
import { reviewMessage } from '../../../src/slack/views/review-message.ts';
import { cancelButton } from '../../../src/slack/views/status-text.ts';
import { launchChromium } from '../../helpers/browser.ts';
import { submission } from '../../slack/views/fixtures.ts';
import {
  APPROVER,
  boltApp,
  PARTNER,
  REVIEW_CHANNEL,
  standIn,
  startBolt,
} from '../slack-api/fixtures.ts';
import { eventually } from './helpers.ts';

const SECRET = 'browser-test-secret';
const PROJECTS = ['pg-prod-1', 'pg-dev-1'];
const SHOTS = new URL('../../../docs/screenshots/', import.meta.url);

let api: SlackApiStandIn;
let app: App;
let page: SlackPage;
let browser: Browser;
let tab: Page;
/** Everything the Bolt app received, in order. */
const seen: JsonObject[] = [];

const partner = { userId: PARTNER, name: 'Pat' };
const approver = { userId: APPROVER, name: 'Alex' };
const at = new Date('2025-03-04T14:05:00Z');

const pg42: Submission = submission({
  id: 'PG-0042',
  partner,
  spec: {
    service: 'building-detection',
    describe: {
      title: 'Building footprints',
      organization: 'Acme Geo',
      description: 'Detects building footprints on 50 cm imagery.\nWorks best on urban areas.',
    },
  },
  warnings: [
    { path: 'image', message: 'the tag 1.0.3 can move; pin a digest for repeatable builds' },
  ],
});
const pg43: Submission = submission({ id: 'PG-0043', partner, spec: { service: 'roads' } });
let rootTs = '';
let pg43Ts = '';

beforeAll(async () => {
  ({ api } = await standIn({
    channels: [{ id: REVIEW_CHANNEL, name: 'playground-review' }],
    users: [
      { id: PARTNER, name: 'pat', real_name: 'Pat' },
      { id: APPROVER, name: 'alex', real_name: 'Alex' },
    ],
  }));
  app = boltApp(api, SECRET);
  app.command('/playground', async ({ ack, command }) => {
    seen.push(command as unknown as JsonObject);
    await ack({
      response_type: 'ephemeral',
      text: '*Usage*: `/playground submit`, `/playground status PG-0042`, `/playground list`',
    });
  });
  app.action<BlockAction>(/.*/, async ({ ack, body, client }) => {
    await ack();
    seen.push(body as unknown as JsonObject);
    const action = body.actions[0];
    if (action?.action_id === 'reject') {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: reasonModal({ submission: pg43, action: 'reject', metadata: { id: 'PG-0043' } }),
      });
    }
  });
  app.view('approve', async ({ ack, body, client, view }) => {
    seen.push(body as unknown as JsonObject);
    const form = readApproveForm(view.state.values, {
      service: 'building-detection',
      projects: PROJECTS,
    });
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    await ack();
    const approved: Submission = {
      ...pg42,
      status: 'approved',
      approval: {
        project: form.project,
        promote: form.promote,
        by: approver,
        at,
        ...(form.versionLabel ? { versionLabel: form.versionLabel } : {}),
      },
    };
    const message = reviewMessage(approved, {
      decision: { action: 'approve', actor: approver, at },
    });
    await client.chat.update({ channel: REVIEW_CHANNEL, ts: rootTs, ...message });
  });
  app.view('reason', async ({ ack }) => {
    await ack();
  });
  app.event('app_home_opened', async ({ event, body, client }) => {
    seen.push(body as unknown as JsonObject);
    await client.views.publish({ user_id: event.user, view: homeView({ mine: [pg42, pg43] }) });
  });
  page = await startSlackPage({
    api,
    botUrl: await startBolt(app),
    signingSecret: SECRET,
    users: [
      { id: PARTNER, name: 'Pat', role: 'partner' },
      { id: APPROVER, name: 'Alex', role: 'approver' },
    ],
    reviewChannel: REVIEW_CHANNEL,
  });

  // What the bot would have posted: two review messages, a thread reply, a message with a
  // confirm button, one with a block the page does not know, and the approve modal open.
  const ws = api.workspace;
  const review = reviewMessage(pg42);
  rootTs = ws.postMessage(REVIEW_CHANNEL, {
    text: review.text,
    blocks: review.blocks as unknown as JsonObject[],
  }).ts;
  ws.postMessage(REVIEW_CHANNEL, {
    thread_ts: rootTs,
    text: ':inbox_tray: Revision 1 submitted by <@UPARTNER01>\n• `PADDING`: 24 → 32\n_Waiting for review_ · see <https://example.com/docs?a=1&amp;b=2|the docs>',
  });
  const second = reviewMessage(pg43);
  pg43Ts = ws.postMessage(REVIEW_CHANNEL, {
    text: second.text,
    blocks: second.blocks as unknown as JsonObject[],
  }).ts;
  ws.postMessage(REVIEW_CHANNEL, {
    text: 'PG-0043 can still be withdrawn',
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: *PG-0043* is waiting for review.' },
        accessory: cancelButton('PG-0043') as unknown as JsonObject,
      },
      {
        type: 'rich_text',
        elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] }],
      },
    ],
  });
  ws.openView(
    APPROVER,
    approveModal({
      submission: pg42,
      targetProjects: PROJECTS,
      metadata: { id: 'PG-0042', channel: REVIEW_CHANNEL, ts: rootTs },
    }) as unknown as JsonObject,
  );

  browser = await launchChromium();
  tab = await browser.newPage({ viewport: { width: 1360, height: 860 }, locale: 'en-GB' });
  await tab.emulateMedia({ reducedMotion: 'reduce' });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await page?.close();
  await app?.stop();
  await api?.close();
});

/** Text as the browser renders it, line breaks included (Playwright's innerText). */
// biome-ignore lint/performance/useDomNodeTextContent: Locator.innerText is meant here
const shown = (locator: Locator) => locator.innerText();
const message = (ts: string) => tab.locator(`[data-testid="message"][data-ts="${ts}"]`);
const modal = () => tab.getByTestId('modal');

describe('the page in a browser', () => {
  it('renders the review channel, its blocks, an unknown block and the open modal', async () => {
    await tab.goto(`${page.url}?user=${APPROVER}`);
    await modal().waitFor();
    // Remembered across the test: a reload would lose it.
    await tab.evaluate(() => {
      (globalThis as unknown as { marker: string }).marker = 'no reload';
    });

    const root = message(rootTs);
    await expect(root.locator('[data-block-type="header"]').textContent()).resolves.toBe(
      'PG-0042 · building-detection',
    );
    const fields = root.locator('.section-field');
    expect(await fields.count()).toBeGreaterThanOrEqual(8);
    expect(await shown(fields.first())).toBe('Partner\n@Pat');
    expect(await root.locator('.section-field strong').first().textContent()).toBe('Partner');
    expect(await root.locator('.section-field code').first().textContent()).toBe(
      'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    );
    expect(await shown(root.locator('blockquote'))).toBe(
      'Detects building footprints on 50 cm imagery.\nWorks best on urban areas.',
    );
    // Two context lines: what is built (the digest line), then the spec's warnings.
    const contexts = root.locator('[data-block-type="context"]');
    expect(await shown(contexts.first())).toContain('Built from the tag');
    expect(await shown(contexts.last())).toContain('⚠️ image: the tag 1.0.3 can move');
    const buttons = root.locator('[data-testid="button"]');
    expect(await buttons.allTextContents()).toEqual(['Approve', 'Request changes', 'Reject']);
    expect(await buttons.nth(0).getAttribute('class')).toContain('btn-primary');
    expect(await buttons.nth(2).getAttribute('class')).toContain('btn-danger');
    expect(await buttons.nth(0).getAttribute('data-action-id')).toBe('approve');
    expect(await root.getByTestId('replies').textContent()).toContain('1 reply');

    await expect(tab.getByTestId('unsupported-block').textContent()).resolves.toBe(
      '[unsupported block: rich_text]',
    );

    // The approve modal: select, optional text input, radio buttons, hints.
    await expect(tab.getByTestId('modal-title').textContent()).resolves.toBe('Approve PG-0042');
    expect(await modal().locator('[data-block-id="project"] select').inputValue()).toBe(
      'pg-prod-1',
    );
    expect(
      await modal().locator('[data-block-id="version"] input').getAttribute('placeholder'),
    ).toBe('pg-0042-r1');
    expect(await modal().locator('[data-block-id="version"] .optional').count()).toBe(1);
    expect(await modal().locator('[data-block-id="promote"] input[value="yes"]').isChecked()).toBe(
      true,
    );
    expect(await shown(modal().locator('[data-block-id="project"] .input-hint'))).toContain(
      'Google Cloud project',
    );
    await expect(tab.getByTestId('modal-submit').textContent()).resolves.toBe('Approve and deploy');
    await expect(tab.getByTestId('modal-close').textContent()).resolves.toBe('Cancel');
  });

  it('submits the modal: the field error shows under its input, then the message updates in place', async () => {
    await modal().locator('[data-block-id="version"] input').fill('Bad_Version');
    await tab.getByTestId('modal-submit').click();
    const error = modal().locator('[data-block-id="version"] [data-testid="input-error"]');
    await error.waitFor();
    expect(await shown(error)).toMatch(/lowercase/i);
    const submitted = seen.at(-1) as JsonObject & { view: JsonObject };
    expect(submitted.type).toBe('view_submission');
    expect(submitted.view).toMatchObject({
      callback_id: 'approve',
      private_metadata: JSON.stringify({
        id: 'PG-0042',
        channel: REVIEW_CHANNEL,
        ts: rootTs,
        // What the form was opened on (approval-binding.ts).
        revision: 1,
        hash: openedOn(pg42)?.hash,
      }),
      state: {
        values: {
          project: {
            value: { type: 'static_select', selected_option: { value: 'pg-prod-1' } },
          },
          version: { value: { type: 'plain_text_input', value: 'Bad_Version' } },
          promote: { value: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
        },
      },
    });
    await tab.screenshot({ path: new URL('page-modal.png', SHOTS).pathname });

    // What was typed survives the re-render; fix it and submit.
    expect(await modal().locator('[data-block-id="version"] input').inputValue()).toBe(
      'Bad_Version',
    );
    await modal().locator('[data-block-id="version"] input').fill('');
    await modal().locator('[data-block-id="promote"] input[value="no"]').check();
    await tab.getByTestId('modal-submit').click();
    await tab.getByTestId('modal-overlay').waitFor({ state: 'hidden' });
    expect(seen.at(-1)).toMatchObject({
      type: 'view_submission',
      view: {
        state: {
          values: {
            version: { value: { value: null } },
            promote: { value: { selected_option: { value: 'no' } } },
          },
        },
      },
    });

    const root = message(rootTs);
    await root.getByText('Approved', { exact: true }).waitFor();
    expect(await shown(root.locator('[data-block-type="context"]').last())).toContain(
      '✅ Approved by @Alex',
    );
    expect(await root.getByTestId('edited').count()).toBe(1);
    expect(await root.locator('[data-action-id="approve"]').count()).toBe(0);
    // Same place in the channel, same page.
    const order = await tab
      .locator('[data-testid="message"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-ts')));
    expect(order.indexOf(rootTs)).toBe(0);
    expect(await tab.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe(
      'no reload',
    );
  });

  it('a click sends block_actions for the message, and confirm dialogs are honoured', async () => {
    const before = seen.length;
    await message(pg43Ts).locator('[data-action-id="reject"]').click();
    await modal().waitFor();
    expect(seen[before]).toMatchObject({
      type: 'block_actions',
      user: { id: APPROVER, name: 'Alex' },
      container: { type: 'message', message_ts: pg43Ts, channel_id: REVIEW_CHANNEL },
      channel: { id: REVIEW_CHANNEL, name: 'playground-review' },
      message: { ts: pg43Ts },
      actions: [{ type: 'button', action_id: 'reject', value: 'PG-0043', style: 'danger' }],
    });
    await expect(tab.getByTestId('modal-title').textContent()).resolves.toBe('Reject PG-0043');
    expect(await modal().locator('textarea').count()).toBe(1);
    // Required and empty: Slack's client refuses before sending anything.
    const count = seen.length;
    await tab.getByTestId('modal-submit').click();
    await modal().getByTestId('input-error').waitFor();
    expect(seen.length).toBe(count);
    await tab.getByTestId('modal-close').click();
    await tab.getByTestId('modal-overlay').waitFor({ state: 'hidden' });
    expect(api.openViews(APPROVER)).toEqual([]);

    const cancel = tab.locator('[data-action-id="cancel"]');
    expect(await cancel.getAttribute('class')).toContain('btn-danger');
    await cancel.click();
    const dialog = tab.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await shown(dialog)).toContain('Cancel PG-0043?');
    await tab.getByTestId('confirm-deny').click();
    await dialog.waitFor({ state: 'hidden' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBe(count);
    await cancel.click();
    await tab.getByTestId('confirm-yes').click();
    await eventually(() => expect(seen.length).toBe(count + 1));
    expect(seen.at(-1)).toMatchObject({
      type: 'block_actions',
      actions: [{ action_id: 'cancel', value: 'PG-0043' }],
    });
  });

  it('opens a thread beside the channel', async () => {
    await message(rootTs).getByTestId('replies').click();
    const thread = tab.getByTestId('thread');
    await thread.waitFor();
    const reply = thread.locator('[data-testid="message"]').last();
    expect(await shown(reply)).toContain('Revision 1 submitted by @Pat');
    expect(await reply.locator('code').textContent()).toBe('PADDING');
    expect(await reply.locator('em').textContent()).toBe('Waiting for review');
    expect(await reply.locator('a').getAttribute('href')).toBe('https://example.com/docs?a=1&b=2');
    // The channel at its newest message, no hover highlight: the picture for the README.
    await tab.mouse.move(5, 400);
    await tab.getByTestId('main-body').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await tab.screenshot({ path: new URL('page-review.png', SHOTS).pathname });
  });

  it('sends slash commands from the composer and opens the Home tab', async () => {
    await tab.getByTestId('composer-input').fill('/playground help');
    await tab.getByTestId('composer-input').press('Enter');
    const ephemeral = tab.getByTestId('ephemeral');
    await ephemeral.waitFor();
    expect(await shown(ephemeral)).toContain('Only visible to you');
    expect(await ephemeral.locator('strong').textContent()).toBe('Usage');
    expect(seen.at(-1)).toMatchObject({
      command: '/playground',
      text: 'help',
      user_id: APPROVER,
      channel_id: REVIEW_CHANNEL,
    });

    // The partner does not see the approver's ephemeral; their Home tab is drawn by the app.
    await tab.getByTestId('switch-partner').click();
    await eventually(async () => expect(await tab.getByTestId('ephemeral').count()).toBe(0));
    await tab.getByTestId('nav-app').click();
    const home = tab.getByTestId('home');
    await home.getByText('Deploy a model', { exact: true }).waitFor();
    expect(seen.at(-1)).toMatchObject({
      type: 'event_callback',
      event: { type: 'app_home_opened', user: PARTNER },
    });
    expect(await home.locator('[data-block-type="header"]').first().textContent()).toBe(
      'OneAtlas Playground deployments',
    );
    expect(await shown(home)).toContain('PG-0043');
    await tab.mouse.move(5, 400);
    await tab.screenshot({ path: new URL('page-home.png', SHOTS).pathname });
  });
});
