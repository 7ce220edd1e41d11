// Promote later through the real Bolt app, the Firestore emulator and the App Engine
// stand-in: a version deployed without traffic gets it from the Promote button on its live
// message, as a recorded operation told in its own thread; one that hangs fails at its
// deadline, saying what it waited for and how long.
import { describe, expect, it } from 'vitest';
import { ACTION_ID, CALLBACK_ID } from '../../src/slack/views/ids.ts';
import { reaches, submitAndApprove, text } from '../pipeline/flow-helpers.ts';
import { APPROVER, type Bot, botPerTest, FAST_DELIVERY, PARTNER } from './harness.ts';
import {
  confirmation,
  liveMessage,
  PROJECT,
  SERVICE,
  sent,
  settle,
  threadOf,
  V1,
  V2,
} from './operation-helpers.ts';

const newBot = botPerTest();
/** Old versions are stopped soon after a version took all traffic, none left serving. */
const stopsOldSoon = botPerTest({
  ...FAST_DELIVERY,
  lifecycleGraceMs: 500,
  keepRunningVersions: 0,
  keepVersions: 5,
});

/** v1 serves; v2 is deployed without traffic ("move traffic: no"). */
async function deployedWithoutTraffic(bot: Bot): Promise<[string, string]> {
  const first = await submitAndApprove(bot);
  await reaches(bot, first, 'live');
  const second = await submitAndApprove(bot, { promote: 'no' });
  await reaches(bot, second, 'live');
  expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V1]: 1 });
  return [first, second];
}

/** The replies in the thread of `id`, as text. */
async function replies(bot: Bot, id: string) {
  return (await threadOf(bot, id)).map((r) => ({ ts: r.ts, text: text(r) }));
}

/** Clicks Promote on the live message of `id`; answers the confirmation modal. */
async function clickPromote(bot: Bot, id: string) {
  const message = await liveMessage(bot, id, ACTION_ID.promote);
  return confirmation(bot, APPROVER, () => bot.click(APPROVER, ACTION_ID.promote, id, { message }));
}

describe('promote later', () => {
  it('the Promote button moves all traffic to the version deployed without it, and says what serves now', async () => {
    const bot = await newBot();
    const [first, second] = await deployedWithoutTraffic(bot);
    const before = bot.appEngine.requestsTo('PATCH', `/v1/apps/${PROJECT}/services`).length;

    const modal = await clickPromote(bot, second);
    expect(modal.callback_id).toBe(CALLBACK_ID.operation);
    expect(text({ blocks: modal.blocks })).toContain(
      `from \`${V1}\` (${first} r1) to \`${V2}\` (${second} r1)`,
    );
    expect(await sent(bot, APPROVER, modal)).toContain(
      `*Promoting* \`${SERVICE}\` in \`${PROJECT}\`: all of its traffic moves from \`${V1}\` (${first} r1) to \`${V2}\` (${second} r1).`,
    );

    await settle(() =>
      expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V2]: 1 }),
    );
    const patches = bot.appEngine.requestsTo('PATCH', `/v1/apps/${PROJECT}/services`).slice(before);
    expect(patches.map((r) => [r.path, r.query.updateMask, r.body])).toEqual([
      [
        `/v1/apps/${PROJECT}/services/${SERVICE}`,
        'split',
        { labels: {}, split: { allocations: { [V2]: 1 }, shardBy: 2 } },
      ],
    ]);
    await settle(async () => {
      const record = (await bot.store.serviceRecords(SERVICE, [PROJECT]))[0];
      expect(record?.operation).toMatchObject({ kind: 'promote', state: 'done', to: V2, from: V1 });
      expect(record?.live?.version).toBe(V2);
      const end = (await replies(bot, second)).filter((r) =>
        r.text.includes('now serves all traffic'),
      );
      expect(end).toHaveLength(1);
      expect(end[0]?.text).toContain(`\`${V2}\` (`);
      // The version's URL: the harness serves every version from its version stand-in.
      expect(end[0]?.text).toContain(`<${bot.versions.url}|`);
      expect(end[0]?.text).toContain(`<@${APPROVER}>`);
      expect(end[0]?.text).toContain(`<@${PARTNER}>`);
    });
    const audit = await bot.store.audit(second);
    expect(audit.filter((e) => e.action === 'promote').map((e) => e.detail)).toEqual([
      `promote from ${V1} (${first} r1) to ${V2} (${second} r1): started`,
      `promote from ${V1} (${first} r1) to ${V2} (${second} r1): done`,
    ]);
  });

  it('a traffic change that never ends fails at PLAYGROUND_ROLLBACK_DEADLINE, saying what it waited for and how long', async () => {
    const bot = await newBot({ PLAYGROUND_ROLLBACK_DEADLINE: '3s' });
    const [, second] = await deployedWithoutTraffic(bot);
    bot.appEngine.scriptOperation({ method: 'UpdateService', target: SERVICE, hang: true });
    const modal = await clickPromote(bot, second);
    expect(await sent(bot, APPROVER, modal)).toContain('*Promoting*');

    await settle(async () => {
      const operation = (await bot.store.get(second))?.operation;
      expect(operation?.phase).toBe('failed');
      expect(operation?.failure).toMatch(
        /^Waited \d+s for the traffic to move \(the deadline is 3s, PLAYGROUND_ROLLBACK_DEADLINE\)/,
      );
    });
    await settle(async () => {
      const failed = (await replies(bot, second)).filter((r) => r.text.includes('failed:'));
      expect(failed).toHaveLength(1);
      expect(failed[0]?.text).toContain('Waited');
      expect(failed[0]?.text).toContain(`<@${APPROVER}>`);
    });
    const record = (await bot.store.serviceRecords(SERVICE, [PROJECT]))[0];
    expect(record?.operation?.state).toBe('failed');
    // The service is free again: the tracker no longer follows the submission.
    expect((await bot.store.inFlight()).map((p) => p.submission.id)).not.toContain(second);
  });

  it('a promoted version has its old versions cleaned up after the grace, as a deploy that moved traffic', async () => {
    const bot = await stopsOldSoon();
    const [, second] = await deployedWithoutTraffic(bot);
    // Deployed without traffic: nothing is cleaned up for it.
    expect(bot.appEngine.requestsTo('PATCH', /\/versions\//)).toEqual([]);
    const modal = await clickPromote(bot, second);
    expect(await sent(bot, APPROVER, modal)).toContain('*Promoting*');

    await settle(() =>
      expect(bot.appEngine.version(PROJECT, SERVICE, V1)?.servingStatus).toBe('STOPPED'),
    );
    const stops = bot.appEngine.requestsTo('PATCH', /\/versions\//);
    expect(stops.map((r) => [r.path, r.query.updateMask])).toEqual([
      [`/v1/apps/${PROJECT}/services/${SERVICE}/versions/${V1}`, 'servingStatus'],
    ]);
    expect(stops[0]?.body).toMatchObject({ servingStatus: 2 }); // STOPPED
    await settle(async () => {
      const notes = (await replies(bot, second)).filter((r) => r.text.includes('Housekeeping'));
      expect(notes).toHaveLength(1);
      expect(notes[0]?.text).toContain(`stopped \`${V1}\``);
    });
  });
});
