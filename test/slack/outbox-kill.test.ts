// kill -9 of a bot process (node src/main.ts, the Slack stand-in and the Google stand-ins
// of the test, the Firestore emulator) at the two moments the outbox is for; another
// instance then delivers, and the review message is in the channel exactly once:
// (a) after the submission is committed and before its review message is posted: the post
//     hangs in the stand-in (never carried out) when the process is killed;
// (b) after Slack took the post and before the bot stored its ts: the process is killed the
//     moment the stand-in stores the message, before it answers; the second instance finds
//     the message by the key in its metadata instead of posting it again.
import type { ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { freePort } from '../../src/local/firestore-emulator.ts';
import { VALID_FORM } from './fill.ts';
import {
  type Bot,
  eventually,
  keyOf,
  PARTNER,
  REVIEW_CHANNEL,
  slackActions,
  spawnBot,
  startBot,
  FAST_DELIVERY as TUNING,
} from './harness.ts';

const bots: Bot[] = [];
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  for (const b of bots.splice(0).reverse()) await b.close();
});

/**
 * The stand-ins and Firestore project of a test, with no bot of its own delivering (the
 * in-process instance made with them, kept for its store, has its deliverer stopped), and
 * the bot process on them.
 */
async function processOnWorld() {
  const world = await startBot({}, TUNING);
  bots.push(world);
  await world.running.deliverer.stop();
  const port = await freePort();
  const bot = await spawnBot({ ...world.env, PORT: String(port), LOG_LEVEL: 'info' });
  child = bot.process;
  const url = `http://127.0.0.1:${port}/slack/events`;
  return { world, bot, slack: slackActions(world.api, url) };
}

async function submitTo(world: Bot, slack: ReturnType<typeof slackActions>): Promise<string> {
  await slack.command(PARTNER, 'submit');
  expect((await slack.submit(PARTNER, VALID_FORM)).status).toBe(200);
  return eventually(async () => {
    const [mine] = await world.store.listByPartner(PARTNER, { limit: 1 });
    if (!mine) throw new Error('not stored yet');
    return mine.id;
  }, 15_000);
}

function sigkill(process: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
  process.kill('SIGKILL');
  return exited;
}

/** A second instance takes over (once the killed one's leases ran out) and delivers once. */
async function deliveredOnceBy(world: Bot, id: string): Promise<Bot> {
  const second = await world.another(TUNING);
  bots.push(second);
  await eventually(
    async () => {
      const [root] = world.api.messages(REVIEW_CHANNEL);
      expect((await second.store.get(id))?.thread).toEqual({
        channel: REVIEW_CHANNEL,
        ts: root?.ts,
      });
      expect(
        world.api.callsTo('chat.postMessage').filter((c) => c.ok && c.args.channel === PARTNER),
      ).toHaveLength(1);
    },
    60_000,
    200,
  );
  expect(world.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  return second;
}

it('kill -9 between the change and its post: the second instance posts it once', async () => {
  const { world, bot, slack } = await processOnWorld();
  // The review post hangs unanswered and is never carried out.
  world.api.fail('chat.postMessage', { kind: 'stall' }, { match: (a) => keyOf(a) === 'r1_review' });
  const id = await submitTo(world, slack);
  await eventually(() =>
    expect(world.api.callsTo('chat.postMessage').filter((c) => c.fault)).toHaveLength(1),
  );
  await sigkill(bot.process);
  expect(bot.process.signalCode).toBe('SIGKILL');
  // Committed, not said.
  expect((await world.store.get(id))?.status).toBe('submitted');
  expect(world.api.messages(REVIEW_CHANNEL)).toEqual([]);
  const second = await deliveredOnceBy(world, id);
  expect(second.logs.some((l) => l.message === 'message delivered' && l.key === 'r1_review')).toBe(
    true,
  );
}, 120_000);

it('kill -9 between the post and the storing of its ts: found again by its key, not posted twice', async () => {
  const { world, bot, slack } = await processOnWorld();
  // Killed the moment the stand-in has stored the review message, before it answers.
  let killed: Promise<void> | undefined;
  const stop = world.api.onChange((event) => {
    if (event.kind === 'message' && event.channel === REVIEW_CHANNEL && event.action === 'posted') {
      killed ??= sigkill(bot.process);
    }
  });
  const id = await submitTo(world, slack);
  await eventually(() => expect(killed).toBeDefined(), 15_000);
  await killed;
  stop();
  expect(bot.process.signalCode).toBe('SIGKILL');
  expect(world.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
  // Slack has the message; the bot never learnt its ts.
  expect((await world.store.get(id))?.thread).toBeUndefined();
  const second = await deliveredOnceBy(world, id);
  expect(second.logs.some((l) => l.message === 'message found posted; not posting again')).toBe(
    true,
  );
  expect(
    world.api.callsTo('chat.postMessage').filter((c) => keyOf(c.args) === 'r1_review'),
  ).toHaveLength(1);
}, 120_000);
