// Roll back through the real Bolt app, the Firestore emulator and the App Engine stand-in:
// the confirmation names from → to, the recorded operation is driven by the tracker, its
// progress is told in the thread of the submission that created the target version.
import { describe, expect, it } from 'vitest';
import { ACTION_ID, CALLBACK_ID } from '../../src/slack/views/ids.ts';
import { send, viewStateValues, viewSubmission } from '../helpers/slack-requests.ts';
import { reaches, submitAndApprove, text } from '../pipeline/flow-helpers.ts';
import { APPROVER, type Bot, botPerTest, PARTNER, REVIEW_CHANNEL, SECRET } from './harness.ts';
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
/** The services.patch body that gives v1 all the traffic. */
const SPLIT_TO_V1 = { labels: {}, split: { allocations: { [V1]: 1 }, shardBy: 2 } };

/** Two submissions of the partner's service deployed one after the other: v2 serves. */
async function twoLive(bot: Bot): Promise<[string, string]> {
  const first = await submitAndApprove(bot);
  await reaches(bot, first, 'live');
  const second = await submitAndApprove(bot);
  await reaches(bot, second, 'live');
  expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V2]: 1 });
  return [first, second];
}

function trafficPatches(bot: Bot) {
  return bot.appEngine.requestsTo('PATCH', new RegExp(`/services/${SERVICE}$`));
}

describe('roll back', () => {
  it('to the previous version: confirms from → to, moves the traffic, says so in the thread of the version it went back to', async () => {
    const bot = await newBot();
    const [first, second] = await twoLive(bot);
    const before = trafficPatches(bot).length;

    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE}`),
    );
    expect(modal.callback_id).toBe(CALLBACK_ID.operation);
    const shown = text({ blocks: modal.blocks });
    expect(shown).toContain(`from \`${V2}\` (${second} r1) to \`${V1}\` (${first} r1)`);
    // Sent: "Starting…" at once, then what began and where it is told.
    const begun = await sent(bot, APPROVER, modal);
    expect(begun).toContain(
      `*Rolling back* \`${SERVICE}\` in \`${PROJECT}\`: all of its traffic moves from \`${V2}\` (${second} r1) to \`${V1}\` (${first} r1).`,
    );
    expect(begun).toContain(
      `Progress follows in the thread of *${first}* in <#${REVIEW_CHANNEL}>.`,
    );

    await settle(async () => {
      const record = (await bot.store.serviceRecords(SERVICE, [PROJECT]))[0];
      expect(record?.operation?.state).toBe('done');
      expect(record?.live?.version).toBe(V1);
      expect(record?.live?.submissionId).toBe(first);
      expect(record?.history.at(-1)).toMatchObject({ version: V1, submissionId: first });
    });
    expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V1]: 1 });
    // The one traffic change, exactly as App Engine was asked for it.
    const patches = trafficPatches(bot).slice(before);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.path).toBe(`/v1/apps/${PROJECT}/services/${SERVICE}`);
    expect(patches[0]?.query.updateMask).toBe('split');
    // As google-gax's REST transport writes it: enums as numbers (shardBy 2 is IP).
    expect(patches[0]?.body).toEqual(SPLIT_TO_V1);
    // v1 was serving: it was not started again.
    expect(bot.appEngine.requestsTo('PATCH', /\/versions\//)).toHaveLength(0);

    // The thread of the submission that created v1: a status message updated in place,
    // and a closing reply with the URL and what serves, the approver and the owner mentioned.
    await settle(async () => {
      const replies = (await threadOf(bot, first)).map((r) => text(r));
      const status = replies.filter((r) => r.includes('Move all traffic to'));
      expect(status).toHaveLength(1);
      expect(status[0]).toContain('Done.');
      const end = replies.filter((r) => r.includes('now serves all traffic'));
      expect(end).toHaveLength(1);
      expect(end[0]).toContain(`\`${V1}\` (`);
      // The version's URL: the harness serves every version from its version stand-in.
      expect(end[0]).toContain(`<${bot.versions.url}|`);
      expect(end[0]).toContain(`<@${APPROVER}>`);
      expect(end[0]).toContain(`<@${PARTNER}>`);
    });
    const trail = await bot.store.serviceAudit(PROJECT, SERVICE);
    expect(trail.filter((e) => e.action === 'rollback').map((e) => e.detail)).toEqual([
      `rollback from ${V2} (${second} r1) to ${V1} (${first} r1)`,
      `rollback from ${V2} (${second} r1) to ${V1} (${first} r1): done`,
    ]);
    const audit = await bot.store.audit(first);
    expect(audit.filter((e) => e.action === 'rollback').map((e) => e.actor.userId)).toEqual([
      APPROVER,
      APPROVER,
    ]);
  });

  it('to a named version, started first when it is stopped: servingStatus PATCH before the traffic PATCH', async () => {
    const bot = await newBot();
    const [first] = await twoLive(bot);
    await stop(bot, V1);
    const before = bot.appEngine.requests.length;

    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE} --project ${PROJECT} ${V1}`),
    );
    expect(text({ blocks: modal.blocks })).toContain(`\`${V1}\` is stopped: it is started first`);
    expect(await sent(bot, APPROVER, modal)).toContain('*Rolling back*');

    await settle(() =>
      expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V1]: 1 }),
    );
    const patches = bot.appEngine.requests.slice(before).filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => [r.path, r.query.updateMask, r.body])).toEqual([
      [
        `/v1/apps/${PROJECT}/services/${SERVICE}/versions/${V1}`,
        'servingStatus',
        // SERVING is 1; the client writes the Version's empty maps too.
        { servingStatus: 1, betaSettings: {}, buildEnvVariables: {}, envVariables: {} },
      ],
      [`/v1/apps/${PROJECT}/services/${SERVICE}`, 'split', SPLIT_TO_V1],
    ]);
    expect(bot.appEngine.version(PROJECT, SERVICE, V1)?.servingStatus).toBe('SERVING');
    await settle(async () => {
      const replies = (await threadOf(bot, first)).map((r) => text(r));
      expect(replies.some((r) => r.includes('now serves all traffic'))).toBe(true);
    });
  });

  it("a stopped target that does not start: fails with App Engine's words, the traffic left where it was", async () => {
    const bot = await newBot();
    const [first] = await twoLive(bot);
    await stop(bot, V1);
    const words = 'The version failed to start: readiness check failed';
    bot.appEngine.scriptOperation({
      method: 'UpdateVersion',
      target: V1,
      error: { code: 9, message: words },
    });
    const before = trafficPatches(bot).length;
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE} ${V1}`),
    );
    expect(await sent(bot, APPROVER, modal)).toContain('*Rolling back*');
    await settle(async () => {
      const replies = (await threadOf(bot, first)).map((r) => text(r));
      const failed = replies.filter((r) => r.includes('failed:'));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toContain(words);
      expect(failed[0]).toContain(`\`${V2}\` (PG-0002 r1) keeps serving`);
    });
    expect(trafficPatches(bot).length).toBe(before);
    expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V2]: 1 });
    const record = (await bot.store.serviceRecords(SERVICE, [PROJECT]))[0];
    expect(record?.operation?.state).toBe('failed');
    expect(record?.live?.version).toBe(V2);
  });

  it('a named version App Engine does not have: says which versions it has', async () => {
    const bot = await newBot();
    await twoLive(bot);
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE} v-nope`),
    );
    const shown = text({ blocks: modal.blocks });
    expect(shown).toContain('App Engine has no version `v-nope`');
    expect(shown).toContain(`\`${V1}\`, \`${V2}\``);
  });

  it('clicked twice and the same confirmation retried by Slack: one traffic change; the others are told it is already under way', async () => {
    const bot = await newBot();
    const [first, second] = await twoLive(bot);
    const before = trafficPatches(bot).length;
    // Hold the traffic change, so the repeats come while it runs.
    bot.appEngine.scriptOperation({ method: 'UpdateService', target: SERVICE, hang: true });

    // Two Roll back clicks on the live message: two confirmations, both from v2 to v1.
    const live = await liveMessage(bot, second, ACTION_ID.rollback);
    const one = await confirmation(bot, APPROVER, () =>
      bot.click(APPROVER, ACTION_ID.rollback, second, { message: live }),
    );
    const two = await confirmation(bot, APPROVER, () =>
      bot.click(APPROVER, ACTION_ID.rollback, second, { message: live }),
    );
    expect(one.id).not.toBe(two.id);

    // The first sent, and Slack sending the very same request again (it heard no answer).
    const request = viewSubmission({
      userId: APPROVER,
      triggerId: bot.api.issueTrigger(APPROVER),
      view: {
        id: one.id,
        callback_id: one.callback_id,
        private_metadata: one.private_metadata,
        hash: one.hash,
        state: { values: viewStateValues(one.blocks, {}) },
      },
    });
    // Both answered at once; a second form shows the move already under way (the first
    // form was replaced by the second, as Slack's views.open does: nobody sees its outcome).
    const starting = { response_action: 'update', view: { callback_id: CALLBACK_ID.loading } };
    expect((await send(bot.url, request, { secret: SECRET })).body).toMatchObject(starting);
    const retried = await send(bot.url, request, { secret: SECRET, retryNum: 1 });
    expect(retried.body).toMatchObject(starting);
    expect(await sent(bot, APPROVER, two)).toContain(
      `Already rolling back from \`${V2}\` to \`${V1}\``,
    );
    // The traffic change asked for, and its operation stored (after App Engine answered).
    const name = await settle(async () => {
      const asked = (await bot.store.get(first))?.operation?.promoteOperation;
      if (!asked) throw new Error('no traffic change stored yet');
      return asked;
    });
    expect(trafficPatches(bot).length).toBe(before + 1);
    bot.appEngine.endOperation(name);
    await settle(async () => {
      const record = (await bot.store.serviceRecords(SERVICE, [PROJECT]))[0];
      expect(record?.operation?.state).toBe('done');
    });
    expect(trafficPatches(bot).length).toBe(before + 1);
    // One operation began: one start line on the trail.
    const starts = (await bot.store.serviceAudit(PROJECT, SERVICE)).filter(
      (e) => e.action === 'rollback' && !e.detail?.endsWith(': done'),
    );
    expect(starts).toHaveLength(1);
  });

  it('survives the crash of its instance (another finishes it), and a deploy approved meanwhile waits for it', async () => {
    const bot = await newBot();
    const [first] = await twoLive(bot);
    bot.appEngine.scriptOperation({ method: 'UpdateService', target: SERVICE, hang: true });
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE}`),
    );
    expect(await sent(bot, APPROVER, modal)).toContain('*Rolling back*');
    const name = await settle(async () => {
      const started = (await bot.store.get(first))?.operation?.promoteOperation;
      if (!started) throw new Error('no traffic change asked for yet');
      return started;
    });
    await bot.kill();
    const other = await bot.another();
    try {
      // A deploy approved now waits for the rollback, which holds the service.
      const third = await submitAndApprove(other);
      await settle(async () => {
        const turn = (await other.store.get(third))?.pipeline?.turn;
        expect(turn).toMatchObject({ state: 'waiting', for: first });
      });
      bot.appEngine.endOperation(name);
      await settle(async () => {
        const record = (await other.store.serviceRecords(SERVICE, [PROJECT]))[0];
        expect(record?.operation?.state).toBe('done');
        // Finished by the instance still alive.
        const ended = other.logs.filter((l) => l.message === 'operation ended');
        expect(ended.map((l) => [l.submissionId, l.phase])).toEqual([[first, 'done']]);
      });
      await reaches(other, third, 'live', 40_000);
      expect(trafficPatches(bot).map((r) => r.body)).toContainEqual(SPLIT_TO_V1);
    } finally {
      await other.close();
    }
  });

  it('a confirmation sent after the traffic moved elsewhere is refused as stale, audited', async () => {
    const bot = await newBot();
    const [first] = await twoLive(bot);
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE}`),
    );
    // Someone moves the traffic to v1 in the console before the confirmation is sent.
    await outsideTheBot(bot, '?updateMask=split', { split: { allocations: { [V1]: 1 } } });
    await settle(() =>
      expect(bot.appEngine.split(PROJECT, SERVICE)?.allocations).toEqual({ [V1]: 1 }),
    );
    expect(await sent(bot, APPROVER, modal)).toContain(
      `changed since this was shown (\`${V1}\` serves now)`,
    );
    const trail = await bot.store.serviceAudit(PROJECT, SERVICE);
    expect(trail.at(-1)).toMatchObject({
      action: 'refused',
      actor: { userId: APPROVER },
      detail: `rollback: stale, ${V1} serves now`,
    });
    expect((await bot.store.get(first))?.operation).toBeUndefined();
  });

  it("refuses a non-approver's rollback, audited on the service's trail", async () => {
    const bot = await newBot();
    await twoLive(bot);
    const before = trafficPatches(bot).length;
    const modal = await confirmation(bot, PARTNER, () =>
      bot.command(PARTNER, `rollback ${SERVICE}`),
    );
    expect(text({ blocks: modal.blocks })).toContain('Only Playground approvers');
    const trail = await bot.store.serviceAudit(PROJECT, SERVICE);
    expect(trail.at(-1)).toMatchObject({
      action: 'refused',
      actor: { userId: PARTNER },
      detail: `rollback ${SERVICE}: not an approver`,
    });
    expect(trafficPatches(bot).length).toBe(before);
  });

  it('with nothing to roll back to, says so', async () => {
    const bot = await newBot();
    const first = await submitAndApprove(bot);
    await reaches(bot, first, 'live');
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE}`),
    );
    expect(text({ blocks: modal.blocks })).toContain(
      `Nothing to roll back to: no earlier version of this service that the bot deployed is still on App Engine (\`${V1}\` serves now)`,
    );
    const trail = await bot.store.serviceAudit(PROJECT, SERVICE);
    expect(trail.at(-1)).toMatchObject({
      action: 'refused',
      detail: 'rollback: nothing_to_roll_back',
    });
  });

  it('while a deploy of the service runs: refused, naming the submission that deploys it', async () => {
    const bot = await newBot();
    const [first] = await twoLive(bot);
    // A third submission's deploy starts before the confirmation is sent, and hangs (its
    // approval comes first: the approval modal would replace an open confirmation).
    bot.appEngine.scriptDeploy({ hang: true });
    const third = await submitAndApprove(bot);
    await reaches(bot, third, 'deploying');
    await settle(async () =>
      expect((await bot.store.get(third))?.pipeline?.deployOperation).toBeDefined(),
    );
    const modal = await confirmation(bot, APPROVER, () =>
      bot.command(APPROVER, `rollback ${SERVICE}`),
    );
    expect(modal.callback_id).toBe(CALLBACK_ID.operation);
    expect(await sent(bot, APPROVER, modal)).toContain(`*${third}* is deploying \`${SERVICE}\``);
    const trail = await bot.store.serviceAudit(PROJECT, SERVICE);
    expect(trail.at(-1)).toMatchObject({
      action: 'refused',
      detail: `rollback: ${third} deploys ${SERVICE}`,
    });
    expect((await bot.store.get(first))?.operation).toBeUndefined();
  });
});

/** Stops a version through App Engine's API, as a person in the console would. */
async function stop(bot: Bot, version: string) {
  await outsideTheBot(bot, `/versions/${version}?updateMask=servingStatus`, {
    servingStatus: 'STOPPED',
  });
  await settle(() =>
    expect(bot.appEngine.version(PROJECT, SERVICE, version)?.servingStatus).toBe('STOPPED'),
  );
}

/** A PATCH of the service (`below`: a path under it, a query) straight to App Engine, polled once. */
async function outsideTheBot(bot: Bot, below: string, body: unknown) {
  const path = `/v1/apps/${PROJECT}/services/${SERVICE}${below}`;
  const answer = await fetch(`${bot.appEngine.url}${path}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const { name } = (await answer.json()) as { name: string };
  await fetch(`${bot.appEngine.url}/v1/${name}`);
}
