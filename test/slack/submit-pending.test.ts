// The submit modal is answered once the submission is stored; its image is resolved after
// the answer and the review post waits for the digest. A submission whose instance stopped
// in between (stored, image still pending) is finished by the pending-images sweep of any
// instance, and posted once.
import { afterEach, describe, expect, it } from 'vitest';
import { submittedMessages } from '../../src/ports/notifier.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import { VALID_FORM } from './fill.ts';
import {
  APPROVER,
  type Bot,
  eventually,
  FAST_DELIVERY,
  FORM_IMAGE,
  PARTNER,
  REVIEW_CHANNEL,
  startBot,
} from './harness.ts';

let bot: Bot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

/** Looks every 100 ms; a submission pending for half a second counts as stranded. */
async function started(): Promise<Bot> {
  bot = await startBot({}, { ...FAST_DELIVERY, pendingImages: { everyMs: 100, graceMs: 500 } });
  return bot;
}

const roots = (b: Bot) => b.api.messages(REVIEW_CHANNEL);

async function posted(b: Bot, id: string) {
  return eventually(async () => {
    const stored = await b.store.get(id);
    const [root] = roots(b);
    if (!root || !stored?.thread) throw new Error('not posted yet');
    return { root: JSON.stringify(root.blocks), stored };
  }, 20_000);
}

describe('a submission whose image is resolved after the answer', () => {
  it('is posted for review once, with the digest', async () => {
    const b = await started();
    await b.command(PARTNER, 'submit');
    const answer = await b.submit(PARTNER, VALID_FORM);
    expect(answer.status).toBe(200);
    const { root, stored } = await posted(b, 'PG-0001');
    const digest = b.registry.digestOf(FORM_IMAGE.repository, FORM_IMAGE.tag) ?? '';
    expect(stored.revisions[0]?.image).toMatchObject({ kind: 'resolved', digest });
    expect(root).toContain(digest.slice(0, 19));
    // The sweep looked meanwhile; the review post is still owed once.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(roots(b)).toHaveLength(1);
  });

  it('left pending by an instance that stopped: finished by the sweep, posted once', async () => {
    const b = await started();
    // What a stopped instance left: stored and answered, its image never asked.
    const { submission } = await b.store.create({
      partner: { userId: PARTNER, name: 'pat' },
      spec: sampleSpec(),
      warnings: [],
      requestId: 'view:V-stranded',
      imagePending: true,
      messages: submittedMessages({ revision: 1 }, { userId: PARTNER, name: 'pat' }),
    });
    const { root, stored } = await posted(b, submission.id);
    expect(stored.revisions[0]?.image).toMatchObject({ kind: 'resolved' });
    expect(root).toContain('sha256:');
    expect(b.logs.some((l) => l.message === 'finishing a submission left pending')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(roots(b)).toHaveLength(1);
    const dms = b.api.callsTo('chat.postMessage').filter((c) => c.args.channel === PARTNER);
    expect(dms).toHaveLength(1);
  });

  it('a resubmission is answered before its registry says anything, and posted once it has', async () => {
    const b = await started();
    await b.command(PARTNER, 'submit');
    await b.submit(PARTNER, VALID_FORM);
    const { stored } = await posted(b, 'PG-0001');
    const [root] = roots(b);
    if (!root || !stored.thread) throw new Error('no review post');
    await b.click(APPROVER, 'request_changes', 'PG-0001', {
      message: { ts: root.ts, channel: root.channel, blocks: root.blocks ?? [] },
    });
    await b.submit(APPROVER, { reason: 'Please use padding 32.' });
    await eventually(async () =>
      expect((await b.store.get('PG-0001'))?.status).toBe('changes_requested'),
    );
    await b.click(PARTNER, 'resubmit', 'PG-0001');
    await b.modal(PARTNER);
    // The registry stops answering: the answer must not wait for it.
    b.registry.stall(20);
    const answer = await b.submit(PARTNER, { PADDING: '32' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    const resubmitted = await b.store.get('PG-0001');
    expect(resubmitted).toMatchObject({ status: 'submitted', revision: 2 });
    expect(resubmitted?.revisions[1]?.image).toBeUndefined();
    const replies = () =>
      roots(b)[0]?.replies.filter((r) => /Revision 2 submitted/.test(r.text ?? '')) ?? [];
    expect(replies()).toEqual([]);
    // Past the registry's deadline the revision is recorded unresolved, and its reply posted.
    const finished = await eventually(async () => {
      const now = await b.store.get('PG-0001');
      if (!now?.revisions[1]?.image) throw new Error('not recorded yet');
      return now;
    }, 20_000);
    expect(finished.revisions[1]?.image).toMatchObject({ kind: 'unresolved', code: 'unavailable' });
    await eventually(() => expect(replies()).toHaveLength(1), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(replies()).toHaveLength(1);
  });
});
