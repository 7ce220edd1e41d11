/**
 * The whole story as a newcomer meets it: a fresh clone of the repository, `npm start` in it
 * from a shell whose Node is the system's (older than 22 on Debian 12), with nothing set up
 * beforehand; then, in a real browser (Debian's chromium via playwright-core), a partner
 * submits the example predictor with one field wrong, fixes it; the partner's own click on
 * Approve is refused; the approver approves; the checklist runs for real (wrap, test under
 * gunicorn, deploy); the final message holds a URL that answers health and predictions.
 * Then a demo failure, and Retry; a second partner's update of the service goes live with
 * the traffic: the service URL serves it, and the page's App Engine panel shows both
 * versions. Screenshots of the page go to docs/screenshots/ for the
 * README.
 *
 * The clone is of the committed HEAD. Its set-up fetches Node 22 and the dependencies
 * through npm as a newcomer's would, from npm's cache when this machine has been there.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
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

async function submitExample(service: string, predictorClass = 'BoatDetector', title?: string) {
  await command('/playground submit');
  await modal().waitFor();
  await field('image').fill('examples/boat-detector:1.0');
  await field('service').fill(service);
  await field('ZOOM_LEVEL').fill('16');
  await field('PADDING').fill('24');
  await field('PREDICTOR_CLASS').fill(predictorClass);
  await field('PREDICTOR_PACKAGE').fill('boat_detector.model');
  await field('gunicorn.workers').fill('1');
  if (title) await field('describe.title').fill(title);
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

/** The version URL a live message links to. */
async function liveUrl(live: Locator): Promise<string> {
  return (await live.locator('a[href^="http://127.0.0.1"]').first().getAttribute('href')) ?? '';
}

/** The service's panel on the page's App Engine side. */
async function appEnginePanel(service: string) {
  await tab.getByTestId('nav-app-engine').click();
  const panel = tab.locator(`[data-testid="service-panel"][data-service="${service}"]`);
  await panel.waitFor();
  return panel;
}

/** The versions of a panel as it shows them: id, status, traffic, submission. */
async function versionRows(panel: Locator): Promise<string[][]> {
  const rows = panel.getByTestId('version-row');
  const texts: string[][] = [];
  for (let i = 0; i < (await rows.count()); i += 1) {
    const cells = await rows.nth(i).locator('td').allTextContents();
    texts.push(cells.slice(0, 4));
  }
  return texts;
}

/** describe's title from a URL of the service, and whether its health answers. */
async function servedTitle(base: string): Promise<string> {
  const health = await fetch(`${base}/api/v1/health`);
  expect(health.status).toBe(200);
  const describe = await fetch(`${base}/api/v1/describe`);
  expect(describe.status).toBe(200);
  return ((await describe.json()) as { title: string }).title;
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
    // The version's URL on the workspace's App Engine serving side (app-engine/serving.ts).
    const base = await liveUrl(live);
    expect(base).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/apps\/playground-local-prod\/services\/boat-detector\/versions\/pg-0001-r1$/,
    );

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
    // Show log posts the failed step's last lines as a file in the thread, shown with its text.
    await failed.locator('[data-action-id="show_log"]').click();
    const file = thread.getByTestId('file').filter({ hasText: 'PG-0002-attempt-1-test.log' });
    await file.waitFor({ timeout: 30_000 });
    expect((await file.locator('pre').textContent()) ?? '').toMatch(/FAIL/);
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
    // An update of the live model: its own title, to tell the versions apart below.
    await submitExample('boat-detector', 'BoatDetector', UPDATE_TITLE);
    await modal().waitFor({ state: 'hidden' });
    await root('PG-0003').waitFor();
  }, 120_000);

  it('the update goes live, takes the traffic: the service URL serves it, the panel shows both versions', async () => {
    await as('approver');
    await root('PG-0003').locator('[data-action-id="approve"]').click();
    await modal().waitFor();
    await tab.getByTestId('modal-submit').click(); // promote traffic: yes, the default
    await modal().waitFor({ state: 'hidden' });
    const thread = await openThread('PG-0003');
    const live = thread.locator('[data-testid="message"]').filter({ hasText: 'is live' });
    await live.waitFor({ timeout: 90_000 });
    const v2 = await liveUrl(live);
    expect(v2).toMatch(/\/services\/boat-detector\/versions\/pg-0003-r1$/);
    expect(await servedTitle(v2)).toBe(UPDATE_TITLE);

    const panel = await appEnginePanel('boat-detector');
    await panel.locator('[data-version="pg-0003-r1"][data-traffic="1"]').waitFor();
    expect(await versionRows(panel)).toEqual([
      ['pg-0001-r1', 'SERVING', '0%', 'PG-0001 r1'],
      ['pg-0003-r1', 'SERVING', '100%', 'PG-0003 r1'],
    ]);
    await tab.screenshot({ path: new URL('e2e-app-engine.png', SHOTS).pathname });
    const serviceUrl = (await panel.getByTestId('service-url').getAttribute('href')) ?? '';
    expect(serviceUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/apps\/playground-local-prod\/services\/boat-detector$/,
    );
    expect(await servedTitle(serviceUrl)).toBe(UPDATE_TITLE);
    // The old version still answers at its own URL (the wrapper's default title).
    const v1 = (await panel.locator('[data-version="pg-0001-r1"] a').getAttribute('href')) ?? '';
    expect(await servedTitle(v1)).toBe('boat-detector');
  }, 180_000);

  it('roll back from the live message: the service URL serves the old version again, the panel shows its traffic', async () => {
    await as('approver');
    const thread = await openThread('PG-0003');
    const live = thread.locator('[data-testid="message"]').filter({ hasText: 'is live' }).last();
    await live.getByRole('button', { name: 'Roll back' }).click();
    // The form opens (a loading view first when slow) and says from which version to which.
    await modal().filter({ hasText: 'pg-0001-r1' }).waitFor();
    const text = (await modal().textContent()) ?? '';
    expect(text).toContain('pg-0003-r1');
    expect(text).toContain('pg-0001-r1');
    const submit = tab.getByTestId('modal-submit');
    expect((await submit.textContent())?.trim()).toBe('Roll back');
    await submit.click();
    // Sent: "Starting the rollback…" at once, then what began and where it is told.
    await modal().filter({ hasText: 'Progress follows in the thread of PG-0001' }).waitFor();
    await tab.getByTestId('modal-close').click();
    await modal().waitFor({ state: 'hidden' });

    // The panel follows the stand-in live: the traffic moves back to pg-0001-r1.
    const panel = await appEnginePanel('boat-detector');
    await panel
      .locator('[data-version="pg-0001-r1"][data-traffic="1"]')
      .waitFor({ timeout: 90_000 });
    expect((await versionRows(panel)).map((row) => row.slice(0, 3))).toEqual([
      ['pg-0001-r1', 'SERVING', '100%'],
      ['pg-0003-r1', 'SERVING', '0%'],
    ]);
    const serviceUrl = (await panel.getByTestId('service-url').getAttribute('href')) ?? '';
    expect(await servedTitle(serviceUrl)).toBe('boat-detector');
    // The rolled-back version keeps answering at its own URL.
    const v2 = (await panel.locator('[data-version="pg-0003-r1"] a').getAttribute('href')) ?? '';
    expect(await servedTitle(v2)).toBe(UPDATE_TITLE);
    await tab.screenshot({ path: new URL('e2e-rolled-back.png', SHOTS).pathname });
  }, 180_000);
});

const UPDATE_TITLE = 'Boat detector, second model';

mkdirSync(SHOTS, { recursive: true });
