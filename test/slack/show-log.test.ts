// Show log through the real Bolt app, the emulator and the stand-ins: a pipeline fails, and
// its partner (in the failure DM) or an approver (in the review thread) clicks Show log; the
// failed step's last 200 lines arrive as a file in that conversation, or as a snippet when
// the upload fails. Anyone else is refused, and the refusal is on the audit trail.
import { describe, expect, it } from 'vitest';
import { SHOW_LOG_LINES } from '../../src/app/show-log.ts';
import { versionLogEntry } from '../../src/local/cloud-logging/from-app-engine.ts';
import type { StoredMessage } from '../../src/local/slack-api/types.ts';
import { ACTION_ID } from '../../src/slack/views/ids.ts';
import { reaches, submitAndApprove, text, thread } from '../pipeline/flow-helpers.ts';
import {
  APPROVER,
  type Bot,
  botPerTest,
  eventually,
  OTHER_PARTNER,
  PARTNER,
  REVIEW_CHANNEL,
} from './harness.ts';

const startBot = botPerTest();
const ESC = String.fromCharCode(27);

/** 250 coloured lines from the failing test step: more than Show log keeps. */
const TEST_LINES = Array.from({ length: 250 }, (_, i) => `${ESC}[31mFAIL check ${i + 1}${ESC}[0m`);

async function failedAtTest(bot: Bot): Promise<string> {
  bot.cloudBuild.script('next', { steps: { test: { status: 'FAILURE', logs: TEST_LINES } } });
  const id = await submitAndApprove(bot);
  await reaches(bot, id, 'failed');
  return id;
}

/**
 * How long a delivery may take: a submission's messages go out in order, so the failure DM
 * waits for the thread's updates, which a loaded machine makes slow.
 */
const DELIVERY_MS = 20_000;

const hasShowLog = (message: StoredMessage) => text(message).includes(`"${ACTION_ID.show_log}"`);

/** The partner's failure DM, once delivered, with its Show log button. */
function failureDm(bot: Bot) {
  const channel = bot.api.workspace.openDm(PARTNER);
  return eventually(() => {
    const message = bot.api.messages(channel).find(hasShowLog);
    if (!message) throw new Error('no failure DM yet');
    return { channel, message };
  }, DELIVERY_MS);
}

/** The failed reply in the review thread, once delivered. */
function failedReply(bot: Bot) {
  return eventually(() => {
    const root = thread(bot);
    const reply = root.replies.find(hasShowLog);
    if (!reply) throw new Error('no failed reply yet');
    return { root, reply };
  }, DELIVERY_MS);
}

/** Clicks Show log of attempt 1 in the partner's failure DM; gives the DM's channel. */
async function showLogInDm(bot: Bot, id: string): Promise<string> {
  const { channel, message } = await failureDm(bot);
  await bot.click(PARTNER, ACTION_ID.show_log, `${id}:1`, { message: { ts: message.ts, channel } });
  return channel;
}

/** Clicks Show log of attempt 1 on the failed reply in the review thread; gives its root's ts. */
async function showLogInThread(bot: Bot, userId: string, id: string): Promise<string> {
  const { root, reply } = await failedReply(bot);
  await bot.click(userId, ACTION_ID.show_log, `${id}:1`, {
    message: { ts: reply.ts, channel: REVIEW_CHANNEL, thread_ts: root.ts },
  });
  return root.ts;
}

function completedFile(bot: Bot) {
  return eventually(() => {
    const file = bot.api.files().find((f) => f.state === 'completed');
    if (!file) throw new Error('no file shared yet');
    return file;
  }, DELIVERY_MS);
}

describe('Show log', () => {
  it("the partner's click in the failure DM posts the last 200 lines, without colour codes, as a file there", async () => {
    const bot = await startBot();
    const id = await failedAtTest(bot);
    const channel = await showLogInDm(bot, id);

    const file = await completedFile(bot);
    expect(file).toMatchObject({
      name: `${id}-attempt-1-test.log`,
      title: `${id}-attempt-1-test.log`,
      channel,
    });
    expect(file.thread_ts).toBeUndefined();
    const lines = (file.content ?? '').trimEnd().split('\n');
    expect(lines).toHaveLength(SHOW_LOG_LINES);
    expect(lines[0]).toBe('FAIL check 51');
    expect(lines.at(-1)).toBe('FAIL check 250');
    expect(file.content).not.toContain(ESC);
    // Through Slack's three calls, the share in the DM says what the lines are.
    expect(bot.api.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({
      filename: `${id}-attempt-1-test.log`,
      length: String(Buffer.byteLength(file.content ?? '')),
    });
    const share = bot.api.messages(channel).find((m) => m.files);
    expect(share?.text).toContain('The last lines of the build log of');
    expect(share?.text).toContain('*Acceptance test*');
  });

  it("an approver's click in the review thread posts the file in that thread", async () => {
    const bot = await startBot();
    const id = await failedAtTest(bot);
    const root = await showLogInThread(bot, APPROVER, id);

    const file = await completedFile(bot);
    expect(file).toMatchObject({ channel: REVIEW_CHANNEL, thread_ts: root });
    expect(file.content).toContain('FAIL check 250');
    const args = bot.api.callsTo('files.completeUploadExternal')[0]?.args;
    expect(args).toMatchObject({ channel_id: REVIEW_CHANNEL, thread_ts: root });
    expect(thread(bot).replies.some((r) => r.files?.[0]?.id === file.id)).toBe(true);
  });

  it('anyone else is refused, told so alone, and the refusal audited; nothing is posted', async () => {
    const bot = await startBot();
    const id = await failedAtTest(bot);
    await showLogInThread(bot, OTHER_PARTNER, id);

    await eventually(() =>
      expect(bot.api.ephemerals(OTHER_PARTNER).map((e) => e.text)).toEqual([
        `:lock: Only the partner who submitted \`${id}\` and the Playground team can read its log.`,
      ]),
    );
    const refused = (await bot.store.audit(id)).filter((e) => e.action === 'refused');
    expect(refused).toMatchObject([{ actor: { userId: OTHER_PARTNER }, detail: 'show_log' }]);
    expect(bot.api.callsTo('files.getUploadURLExternal')).toEqual([]);
  });

  it("a deploy failure shows App Engine's lines of that version, else the failure's own words", async () => {
    const bot = await startBot();
    bot.appEngine.scriptDeploy({ error: { code: 9, message: 'readiness check failed' } });
    const id = await submitAndApprove(bot);
    const failed = await reaches(bot, id, 'failed');
    const run = failed.pipeline;
    if (!run) throw new Error('no run');
    // No line of the version in Cloud Logging: the failure says why.
    await showLogInDm(bot, id);
    const words = await completedFile(bot);
    expect(words.name).toBe(`${id}-attempt-1-deploy.log`);
    expect(words.content).toBe('readiness check failed\n');

    // The version's instances wrote lines: those, in order.
    const at = (run.deployRequestedAt ?? new Date()).getTime();
    const version = { project: run.project, service: run.service, versionId: run.versionId };
    bot.logging.write([
      versionLogEntry({ ...version, text: '[INFO] Booting worker', time: new Date(at + 1000) }),
      versionLogEntry({
        ...version,
        text: `${ESC}[31mMemoryError${ESC}[0m`,
        time: new Date(at + 2000),
        log: 'stderr',
      }),
    ]);
    await showLogInDm(bot, id);
    const logged = await eventually(() => {
      const file = bot.api.files().filter((f) => f.state === 'completed')[1];
      if (!file) throw new Error('no second file yet');
      return file;
    });
    expect(logged.content).toBe('[INFO] Booting worker\nMemoryError\n');
    const query = bot.logging.requests.at(-1)?.body as { resourceNames: string[]; filter: string };
    expect(query.resourceNames).toEqual([`projects/${run.project}`]);
    expect(query.filter).toContain(`resource.labels.version_id="${run.versionId}"`);
  });

  it('when the upload fails the lines come as a snippet; when that fails too the clicker is told', async () => {
    const bot = await startBot();
    const id = await failedAtTest(bot);
    const { channel } = await failureDm(bot);

    bot.api.fail('files.completeUploadExternal', { kind: 'error', error: 'not_in_channel' });
    await showLogInDm(bot, id);
    const snippet = await eventually(() => {
      const found = bot.api.messages(channel).find((m) => m.text.includes('the last lines of'));
      if (!found) throw new Error('no snippet yet');
      return found;
    });
    const shown = text(snippet);
    expect(shown).toContain('not_in_channel');
    expect(shown).toContain('FAIL check 250');
    expect(shown).not.toContain(ESC);
    expect(bot.api.files().some((f) => f.state === 'completed')).toBe(false);

    bot.api.fail('files.getUploadURLExternal', { kind: 'error', error: 'internal_error' });
    bot.api.fail('chat.postMessage', { kind: 'error', error: 'is_archived' });
    await showLogInDm(bot, id);
    await eventually(() =>
      expect(bot.api.ephemerals(PARTNER).map((e) => e.text)).toEqual([
        expect.stringContaining(`could not be posted here: \`is_archived\``),
      ]),
    );
  });

  it("another attempt's button is refused once a retry has made a new one, and audited", async () => {
    const bot = await startBot();
    const id = await failedAtTest(bot);
    await failureDm(bot);
    await bot.click(APPROVER, ACTION_ID.retry, id);
    await eventually(async () => expect((await bot.store.get(id))?.pipeline?.attempt).toBe(2));

    await showLogInDm(bot, id);

    await eventually(() =>
      expect(bot.api.ephemerals(PARTNER).map((e) => e.text)).toEqual([
        expect.stringContaining(
          `${id} is at attempt 2 now; the log of attempt 1 is no longer kept here`,
        ),
      ]),
    );
    const refused = (await bot.store.audit(id)).filter((e) => e.action === 'refused');
    expect(refused).toMatchObject([
      { actor: { userId: PARTNER }, detail: 'show_log attempt 1: other_attempt' },
    ]);
  });
});
