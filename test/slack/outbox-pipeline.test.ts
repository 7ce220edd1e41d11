// The pipeline's messages failing once, against the running bot and the Slack stand-in:
// the status message's post and its updates, each milestone reply (started, failed, live,
// cancelled). In the end the attempt has one status message, showing where it ended, and
// each milestone was posted exactly once (counted by the outbox key in its metadata).
import { expect, it } from 'vitest';
import type { SlackFault } from '../../src/local/slack-api/faults.ts';
import { reaches, submitAndApprove } from '../pipeline/flow-helpers.ts';
import { type Bot, botPerTest, eventually, keyOf, PARTNER, REVIEW_CHANNEL } from './harness.ts';

const FAULT: SlackFault = { kind: 'error', error: 'internal_error' };

const startOne = botPerTest();

/** The posts Slack took, and the ones that met the fault, carrying that key. */
const posted = (b: Bot, key: string) =>
  b.api.callsTo('chat.postMessage').filter((c) => c.ok && keyOf(c.args) === key);
const failedPosts = (b: Bot, key: string) =>
  b.api.callsTo('chat.postMessage').filter((c) => c.fault === FAULT && keyOf(c.args) === key);

/** How a run is made to end as the milestone says, and that end reached. */
async function run(b: Bot, end: 'live' | 'failed' | 'cancelled'): Promise<string> {
  if (end === 'failed') {
    b.cloudBuild.script('next', { steps: { test: { status: 'FAILURE', logs: ['FAIL'] } } });
  }
  if (end === 'cancelled') b.cloudBuild.script('next', { steps: { wrap: { durationMs: 60_000 } } });
  const id = await submitAndApprove(b);
  if (end === 'cancelled') {
    await reaches(b, id, 'building');
    // Cancelled once its status message is posted, so the cancel is shown by updating it
    // (on a loaded machine the first post could otherwise already show the end).
    await eventually(
      async () => expect((await b.store.get(id))?.pipeline?.statusMessage).toBeDefined(),
      15_000,
    );
    expect((await b.command(PARTNER, `cancel ${id}`)).status).toBe(200);
  }
  await reaches(b, id, end, 30_000);
  return id;
}

/** One status message for the attempt, stored as such, showing how the run ended. */
async function oneStatusMessage(b: Bot, id: string, end: string): Promise<void> {
  await eventually(
    async () => {
      const ref = (await b.store.get(id))?.pipeline?.statusMessage;
      const [root] = b.api.messages(REVIEW_CHANNEL);
      const status = root?.replies.find((r) => r.ts === ref?.ts);
      expect(status?.text).toContain(`: ${end}`);
    },
    15_000,
    100,
  );
  expect(posted(b, 'a1_status')).toHaveLength(1);
}

const ENDS = ['live', 'failed', 'cancelled'] as const;

it.each(
  ENDS.flatMap((end) => ['a1_status', 'a1_started', `a1_${end}`].map((key) => ({ end, key }))),
)(
  'a run ending $end: the post of $key failing once is posted once',
  async ({ end, key }) => {
    const b = await startOne();
    b.api.fail('chat.postMessage', FAULT, { match: (args) => keyOf(args) === key });
    const id = await run(b, end);
    await oneStatusMessage(b, id, end);
    for (const milestone of ['a1_started', `a1_${end}`]) {
      await eventually(() => expect(posted(b, milestone)).toHaveLength(1), 15_000, 100);
    }
    expect(failedPosts(b, key)).toHaveLength(1);
    // Later retries, had any been owed, would have come by now: still once each.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const once of ['a1_status', 'a1_started', `a1_${end}`]) {
      expect(posted(b, once)).toHaveLength(1);
    }
  },
  45_000,
);

it.each(ENDS)(
  'a run ending %s: every other update of the status message failing, the message ends right, alone',
  async (end) => {
    const b = await startOne();
    // The status message's updates (not the root's): the 1st, 3rd, 5th... fail, so each
    // failed update is followed by one that goes through.
    let updates = 0;
    b.api.fail('chat.update', FAULT, {
      times: 1_000,
      match: (args) => {
        const [root] = b.api.messages(REVIEW_CHANNEL);
        if (args.ts === root?.ts) return false;
        updates += 1;
        return updates % 2 === 1;
      },
    });
    const id = await run(b, end);
    await oneStatusMessage(b, id, end);
    const failed = b.api.callsTo('chat.update').filter((c) => c.fault === FAULT);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const milestone of ['a1_started', `a1_${end}`]) {
      await eventually(() => expect(posted(b, milestone)).toHaveLength(1), 15_000, 100);
    }
  },
  45_000,
);
