// The watchdog's sweep through the real bot, the emulator and the stand-ins: a pipeline
// that stores no progress for longer than its stall limit is told once in its thread
// (approvers mentioned, Cancel offered, audited), whoever holds its lease; one still
// stepped within its deadline is not. Limits of a few seconds (tracker tuning).
import { afterEach, describe, expect, it } from 'vitest';
import type { TrackerTuning } from '../../src/bot.ts';
import { ACTION_ID } from '../../src/slack/views/ids.ts';
import {
  APPROVER,
  APPROVER_GROUP,
  type Bot,
  eventually,
  FAST_DELIVERY,
  startBot,
} from '../slack/harness.ts';
import { hold } from '../store/fixtures.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';

const SWEEPING: TrackerTuning = {
  ...FAST_DELIVERY,
  sweepMs: 200,
  deadlines: { stallAfterMs: 2_000 },
};

const bots: Bot[] = [];
afterEach(async () => {
  // Later instances share the first one's stand-ins: closed first.
  for (const b of bots.reverse()) await b.close();
  bots.length = 0;
});

async function started(bot: Promise<Bot>): Promise<Bot> {
  const b = await bot;
  bots.push(b);
  return b;
}

/** The stall note in the thread, once delivered. */
function stallReply(b: Bot): Promise<string> {
  return eventually(() => {
    const [found] = stallReplies(b);
    if (!found) throw new Error('not told yet');
    return found;
  }, 20_000);
}

function stallReplies(b: Bot): string[] {
  return thread(b)
    .replies.map((r) => text(r))
    .filter((r) => r.includes('has made no progress'));
}

async function stalledEvents(b: Bot, id: string) {
  return (await b.store.audit(id)).filter((e) => e.action === 'stalled');
}

/** Lets a few more sweeps run. */
const severalSweeps = () => new Promise((resolve) => setTimeout(resolve, 1_500));

describe('the stalled-pipeline sweep', () => {
  it('tells once a pipeline whose steps keep failing on the instance that holds it', async () => {
    const b = await started(startBot({}, SWEEPING));
    // Cloud Build never takes the build: every step throws, nothing is stored.
    b.cloudBuild.unavailable(1_000_000, { method: 'POST', path: /\/builds$/ });
    const id = await submitAndApprove(b);

    const reply = await stallReply(b);
    expect(reply).toMatch(
      new RegExp(`\\*${id}\\* has made no progress at \\*Render the bundle\\* for \\d+s: `),
    );
    expect(reply).not.toContain('its deadline');
    expect(reply).toContain(`<@${APPROVER}>, <!subteam^${APPROVER_GROUP}>: look at it.`);
    expect(reply).toContain(`"action_id":"${ACTION_ID.cancel}"`);
    const [event] = await stalledEvents(b, id);
    expect(event?.detail).toMatch(
      new RegExp(
        `^no progress at render for \\d+s; lease held by ${b.running.tracker.owner} until `,
      ),
    );
    expect(b.running.tracker.held).toContain(id);

    await severalSweeps();
    expect(stallReplies(b)).toHaveLength(1);
    expect(await stalledEvents(b, id)).toHaveLength(1);

    // The way out it offers: an approver cancels it.
    await b.click(APPROVER, 'cancel', id);
    await reaches(b, id, 'cancelled');
  });

  it("finds a pipeline whose lease a dead instance holds, from another instance, with its step's deadline", async () => {
    const first = await started(startBot({}, FAST_DELIVERY));
    first.appEngine.scriptDeploy({ hang: true });
    const id = await submitAndApprove(first);
    await eventually(async () => {
      expect((await first.store.get(id))?.pipeline?.deployOperation).toBeDefined();
    }, 20_000);
    // The second instance looks for pipelines once, while the first still holds this one.
    const second = await started(
      first.another({
        ...SWEEPING,
        // Its deliverer still looks often: the dead one's outbox lease must lapse first.
        delivery: { ...SWEEPING.delivery, discoverMs: 100 },
        discoverMs: 3_600_000,
        deadlines: { deployMs: 1_000, stallAfterMs: 2_000 },
      }),
    );
    await first.kill();
    // An instance that took the lease for an hour and died: nobody steps the pipeline.
    await eventually(async () => {
      expect(await hold(second.store, id, 'bot-dead', 3_600_000)).toBe(true);
    }, 10_000);

    const reply = await stallReply(second);
    expect(reply).toMatch(
      new RegExp(
        `\\*${id}\\* has made no progress at \\*Deploy to App Engine\\* for \\d+s \\(its deadline is 1s\\): the bot may have lost track of it \\(attempt 1\\)\\.`,
      ),
    );
    const [event] = await stalledEvents(second, id);
    expect(event?.detail).toMatch(
      // Whoever held the lease last: the dead first instance, or the one that took it after.
      new RegExp(
        `^no progress at deploy for \\d+s \\(its deadline is 1s\\); lease held by (bot-dead|${first.running.tracker.owner}) until `,
      ),
    );
    expect(second.running.tracker.held).not.toContain(id);

    await severalSweeps();
    expect(stallReplies(second)).toHaveLength(1);
    expect(await stalledEvents(second, id)).toHaveLength(1);
  });

  it('does not tell a pipeline that is still stepped within its deadline', async () => {
    const b = await started(startBot({}, SWEEPING));
    // Longer than the stall limit without stored progress, but within the deploy deadline.
    b.appEngine.scriptDeploy({ durationMs: 3_500 });
    const id = await submitAndApprove(b);
    await reaches(b, id, 'live', 30_000);
    await severalSweeps();
    expect(await stalledEvents(b, id)).toEqual([]);
    expect(stallReplies(b)).toEqual([]);
  });
});
