// Nothing said is lost, against the running bot (Bolt over HTTP, the Firestore emulator,
// the Slack stand-in failing on cue): the review post failing once, twice, for 30 s; the
// decision messages failing; a bot killed between a change and its post, and between a
// post and the storing of its ts; an error no retry fixes shown to approvers.
import { afterEach, describe, expect, it } from 'vitest';
import { appHomeOpened, send } from '../helpers/slack-requests.ts';
import { reaches } from '../pipeline/flow-helpers.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  FAST_TRACKING,
  PARTNER,
  REVIEW_CHANNEL,
  SECRET,
  startBot,
} from './harness.ts';

/** Retries in test time: 100 ms, doubled up to 1 s. */
const TUNING = { ...FAST_TRACKING, delivery: { backoffMs: 100, maxBackoffMs: 1_000 } };

const bots: Bot[] = [];
async function bot(): Promise<Bot> {
  const started = await startBot({}, TUNING);
  bots.push(started);
  return started;
}
afterEach(async () => {
  // Later instances first: the first one owns the stand-ins they use.
  for (const b of bots.splice(0).reverse()) await b.close();
});

async function submit(b: Bot): Promise<string> {
  await b.command(PARTNER, 'submit');
  const answer = await b.submit(PARTNER, VALID_FORM);
  expect(answer.status).toBe(200);
  return eventually(async () => {
    const [mine] = await b.store.listByPartner(PARTNER, { limit: 1 });
    if (!mine) throw new Error('not stored yet');
    return mine.id;
  });
}

/** The review channel's messages, the partner's DMs that Slack took. */
const roots = (b: Bot) => b.api.messages(REVIEW_CHANNEL);
const dms = (b: Bot) =>
  b.api.callsTo('chat.postMessage').filter((c) => c.ok && c.args.channel === PARTNER);

/** Posted once, its thread stored, the partner told with a link to it. */
async function announced(b: Bot, id: string, timeoutMs = 10_000) {
  await eventually(
    async () => {
      expect((await b.store.get(id))?.thread).toEqual({
        channel: REVIEW_CHANNEL,
        ts: roots(b)[0]?.ts,
      });
      expect(dms(b)).toHaveLength(1);
    },
    timeoutMs,
    100,
  );
  expect(roots(b)).toHaveLength(1);
  expect(JSON.stringify(dms(b)[0]?.args)).toContain('review thread');
}

describe('the review message', () => {
  it.each([1, 2])(
    'failing %i time(s) is posted once after, the thread set, the partner told',
    async (times) => {
      const b = await bot();
      b.api.fail('chat.postMessage', { kind: 'error', error: 'internal_error' }, { times });
      const id = await submit(b);
      await announced(b, id);
      const failed = b.api.callsTo('chat.postMessage').filter((c) => c.error === 'internal_error');
      expect(failed).toHaveLength(times);
    },
  );

  it('failing for 30 s is posted once Slack is back', async () => {
    const b = await bot();
    b.api.fail(
      'chat.postMessage',
      { kind: 'error', error: 'service_unavailable' },
      { forMs: 30_000 },
    );
    const started = Date.now();
    const id = await submit(b);
    await announced(b, id, 45_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30_000);
  }, 60_000);
});

describe('decisions', () => {
  it('the root update and the thread reply failing once: each said once, the partner told, the pipeline run', async () => {
    const b = await bot();
    const id = await submit(b);
    await announced(b, id);
    b.api.fail('chat.update', { kind: 'error', error: 'internal_error' });
    b.api.fail('chat.postMessage', { kind: 'error', error: 'fatal_error' });
    await b.click(APPROVER, 'approve', id);
    const answer = await b.submit(APPROVER, {});
    expect(answer.text).toBe('');
    await reaches(b, id, 'live', 30_000);
    await eventually(() => {
      const [root] = roots(b);
      expect(root?.replies.filter((r) => /Approved by/.test(r.text))).toHaveLength(1);
      expect(dms(b).filter((c) => /was approved/.test(String(c.args.text)))).toHaveLength(1);
      expect(root?.replies.filter((r) => /Pipeline started/.test(r.text))).toHaveLength(1);
    });
    expect(b.api.callsTo('chat.update').some((c) => c.error === 'internal_error')).toBe(true);
  }, 45_000);
});

describe('a bot killed', () => {
  it('between a change and its post: another instance posts it once', async () => {
    const first = await bot();
    // The first instance never gets a post through before it dies.
    first.api.fail('chat.postMessage', { kind: 'reset' }, { forMs: 6_000 });
    const id = await submit(first);
    await first.kill();
    const second = await first.another(TUNING);
    bots.push(second);
    await announced(second, id, 15_000);
    const delivered = (b: Bot) =>
      b.logs.some((l) => l.message === 'message delivered' && l.key === 'r1_review');
    expect([delivered(first), delivered(second)]).toEqual([false, true]);
  }, 30_000);

  it('between a post and the storing of its ts: found again by its key, not posted twice', async () => {
    const first = await bot();
    // Firestore goes away the moment Slack takes the review message, and the deliverer stops
    // as a crash would (its lease left to expire): the ts is never stored.
    let dead: Promise<void> | undefined;
    const stop = first.api.onChange((event) => {
      if (event.kind === 'message' && event.channel === REVIEW_CHANNEL) {
        void first.firestoreProxy.stop();
        dead ??= first.running.deliverer.stop({ release: false });
      }
    });
    const id = await submit(first);
    await eventually(() => expect(dead).toBeDefined());
    await dead;
    stop();
    await first.firestoreProxy.start();
    expect((await first.store.get(id))?.thread).toBeUndefined();
    await first.kill();
    const second = await first.another(TUNING);
    bots.push(second);
    await announced(second, id, 20_000);
    expect(second.logs.some((l) => l.message === 'message found posted; not posting again')).toBe(
      true,
    );
  }, 45_000);
});

describe('an error no retry fixes', () => {
  it('is recorded, logged with advice, and shown to approvers on the Home tab', async () => {
    const b = await bot();
    b.api.fail('chat.postMessage', { kind: 'error', error: 'is_archived' });
    const id = await submit(b);
    await eventually(async () => expect(await b.store.undeliverable()).toHaveLength(1));
    // Logged once it is recorded: by then, or just after.
    await eventually(() =>
      expect(
        b.logs.some(
          (l) => l.severity === 'ERROR' && /is_archived; unarchive/.test(String(l.message)),
        ),
      ).toBe(true),
    );
    // The partner is still told (without a link: there is no thread).
    await eventually(() => expect(dms(b)).toHaveLength(1));
    const answer = await send(
      b.url,
      appHomeOpened({ userId: APPROVER, channelId: 'D0000000002' }),
      {
        secret: SECRET,
      },
    );
    expect(answer.status).toBe(200);
    await eventually(() => {
      const home = JSON.stringify(b.api.home(APPROVER)?.blocks);
      expect(home).toContain('Messages Slack refused (1)');
      expect(home).toContain(id);
      expect(home).toContain('unarchive the review channel');
    });
    // A partner's Home shows nothing of it.
    await send(b.url, appHomeOpened({ userId: PARTNER, channelId: 'D0000000001' }), {
      secret: SECRET,
    });
    await eventually(() => expect(b.api.home(PARTNER)).toBeDefined());
    expect(JSON.stringify(b.api.home(PARTNER)?.blocks)).not.toContain('Messages Slack refused');
  });
});
