/**
 * The whole story as a newcomer meets it: a fresh clone of the repository, `npm start` in it
 * from a shell whose Node is the system's (older than 22 on Debian 12), with nothing set up
 * beforehand; then, in a real browser (Debian's chromium via playwright-core), a partner
 * submits the example predictor with one field wrong, fixes it; the partner's own click on
 * Approve is refused; the approver approves; the checklist runs for real (wrap, test under
 * gunicorn, deploy); the final message holds a URL that answers health and predictions.
 * Then a demo failure, and Retry. Screenshots of the page go to docs/screenshots/ for the
 * README.
 *
 * The clone is of the committed HEAD. Its set-up fetches Node 22 and the dependencies
 * through npm as a newcomer's would, from npm's cache when this machine has been there.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEnough } from '../../bootstrap/node.mjs';
import { launchChromium } from '../helpers/browser.ts';
import { pngTile } from '../wrapper/helpers.ts';
import { cloneProject, type NpmStart, newcomerEnv, npmStart, SYSTEM_BIN } from './npm-start.ts';

const SHOTS = new URL('../../docs/screenshots/', import.meta.url);

let clone: string;
let workspace: NpmStart;
let browser: Browser;
let tab: Page;

beforeAll(async () => {
  clone = cloneProject();
  workspace = npmStart(clone, await newcomerEnv({ PLAYGROUND_LOCAL_STEP_SECONDS: '0.5' }));
  const pageUrl = await workspace.ready;
  browser = await launchChromium();
  tab = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await tab.goto(pageUrl);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await workspace?.stop();
  if (clone) rmSync(dirname(clone), { recursive: true, force: true });
}, 60_000);

const modal = () => tab.getByTestId('modal');
const field = (blockId: string) =>
  modal()
    .locator(`[data-block-id="${blockId}"] input, [data-block-id="${blockId}"] textarea`)
    .first();

async function as(role: 'partner' | 'partner-2' | 'approver') {
  await tab.getByTestId(`switch-${role}`).click();
  await tab.getByTestId('nav-channel').first().click();
}

async function command(text: string) {
  await tab.getByTestId('composer-input').fill(text);
  await tab.getByTestId('composer-input').press('Enter');
}

async function submitExample(service: string, predictorClass = 'BoatDetector') {
  await command('/playground submit');
  await modal().waitFor();
  await field('image').fill('examples/boat-detector:1.0');
  await field('service').fill(service);
  await field('ZOOM_LEVEL').fill('16');
  await field('PADDING').fill('24');
  await field('PREDICTOR_CLASS').fill(predictorClass);
  await field('PREDICTOR_PACKAGE').fill('boat_detector.model');
  await field('gunicorn.workers').fill('1');
  await tab.getByTestId('modal-submit').click();
}

/** The review message (thread root) of a submission. */
const root = (id: string) =>
  tab
    .locator('[data-testid="message"]')
    .filter({ hasText: id })
    .filter({ has: tab.locator('[data-block-type="header"]') })
    .first();

async function openThread(id: string) {
  await root(id).getByTestId('replies').click();
  return tab.getByTestId('thread');
}

describe('the local workspace from a fresh clone, end to end in a browser', () => {
  it('npm start set up what the clone lacked, on one line, before starting', () => {
    const systemNode = execFileSync(`${SYSTEM_BIN}/node`, ['--version'], { encoding: 'utf8' });
    const setUp = /^set-up: .*$/m.exec(workspace.output())?.[0] ?? '';
    expect(setUp).toMatch(/npm ci … [\d.]+ s/);
    if (!newEnough(systemNode.trim())) expect(setUp).toMatch(/^set-up: Node 22 into \.tools\//);
    expect(workspace.output().indexOf(setUp)).toBeLessThan(
      workspace.output().indexOf('LOCAL MODE'),
    );
  });

  it('partner submits (one field wrong, then fixed), approval runs the pipeline to a URL that predicts', async () => {
    await as('partner');
    // A Python keyword as class name: only the bot's spec check knows it is wrong.
    await submitExample('boat-detector', 'class');
    const error = modal().locator('[data-block-id="PREDICTOR_CLASS"] [data-testid="input-error"]');
    await error.waitFor();
    expect((await error.textContent()) ?? '').toMatch(/keyword/);
    await tab.screenshot({ path: new URL('e2e-field-error.png', SHOTS).pathname });
    await field('PREDICTOR_CLASS').fill('BoatDetector');
    await tab.getByTestId('modal-submit').click();
    await modal().waitFor({ state: 'hidden' });

    // The partner sees the review message but may not approve it: the modal the click
    // opens says so, with only a Close button.
    await root('PG-0001').waitFor();
    await root('PG-0001').locator('[data-action-id="approve"]').click();
    await modal().getByText('Only Playground approvers can approve').first().waitFor();
    expect(await modal().getByTestId('modal-submit').count()).toBe(0);
    await tab.getByTestId('modal-close').click();
    await modal().waitFor({ state: 'hidden' });

    await as('approver');
    await root('PG-0001').locator('[data-action-id="approve"]').click();
    await modal().waitFor();
    expect(await modal().locator('[data-block-id="project"] select').inputValue()).toBe(
      'playground-local-prod',
    );
    await tab.getByTestId('modal-submit').click();
    await modal().waitFor({ state: 'hidden' });

    const thread = await openThread('PG-0001');
    const live = thread.locator('[data-testid="message"]').filter({ hasText: 'is live' });
    await live.waitFor({ timeout: 90_000 });
    await tab.screenshot({ path: new URL('e2e-live.png', SHOTS).pathname });
    const url = await live.locator('a[href^="http://127.0.0.1"]').first().getAttribute('href');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/?$/);
    const base = (url as string).replace(/\/$/, '');

    const health = await fetch(`${base}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
    const answer = await fetch(`${base}/api/v1/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resolution: 2.39, tiles: [pngTile(256 + 2 * 24)] }),
    });
    expect(answer.status).toBe(200);
    const prediction = (await answer.json()) as { type: string; features: unknown[] };
    expect(prediction.type).toBe('FeatureCollection');
    expect(Array.isArray(prediction.features)).toBe(true);
  }, 180_000);

  it('a demo failure in the test step offers Retry, and Retry goes live', async () => {
    await as('partner');
    // The suffix asks the local build for a failure in the test step (examples/README.md).
    await submitExample('boats-fail-test');
    await modal().waitFor({ state: 'hidden' });
    await as('approver');
    await root('PG-0002').locator('[data-action-id="approve"]').click();
    await modal().waitFor();
    await tab.getByTestId('modal-submit').click();
    await modal().waitFor({ state: 'hidden' });

    const thread = await openThread('PG-0002');
    const failed = thread
      .locator('[data-testid="message"]')
      .filter({ has: tab.locator('[data-action-id="retry"]') });
    await failed.waitFor({ timeout: 90_000 });
    expect((await failed.textContent()) ?? '').toMatch(/test/i);
    await tab.screenshot({ path: new URL('e2e-failed.png', SHOTS).pathname });
    await failed.locator('[data-action-id="retry"]').click();
    await thread
      .locator('[data-testid="message"]')
      .filter({ hasText: 'is live' })
      .waitFor({ timeout: 90_000 });
  }, 180_000);

  it("a second partner is refused the first partner's service, until an approver transfers it", async () => {
    await as('partner-2');
    await submitExample('boat-detector');
    const error = modal().locator('[data-block-id="service"] [data-testid="input-error"]');
    await error.waitFor();
    expect((await error.textContent()) ?? '').toMatch(
      /owned by @Pat Partner in playground-local-prod/,
    );
    await tab.getByTestId('modal-close').click();
    await modal().waitFor({ state: 'hidden' });

    await as('approver');
    await command('/playground transfer boat-detector @bea');
    await tab.getByText('now belongs to').first().waitFor();

    await as('partner-2');
    await submitExample('boat-detector');
    await modal().waitFor({ state: 'hidden' });
    await root('PG-0003').waitFor();
  }, 120_000);
});

mkdirSync(SHOTS, { recursive: true });
