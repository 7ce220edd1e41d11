// Each message a decision owes failing once, against the running bot and the Slack
// stand-in: the root message's update, the thread reply, the partner's DM, for approve,
// reject, request changes and cancel. Each is said exactly once after the failure, and the
// thread keeps its order.
import { expect, it } from 'vitest';
import type { SlackFault } from '../../src/local/slack-api/faults.ts';
import { VALID_FORM } from './fill.ts';
import { APPROVER, type Bot, botPerTest, eventually, PARTNER, REVIEW_CHANNEL } from './harness.ts';

const FAULT: SlackFault = { kind: 'error', error: 'internal_error' };

const startOne = botPerTest();

/** How each decision is taken, the thread reply and the partner's DM it owes. */
const DECISIONS = {
  approve: { reply: /Approved by/, dm: /was approved/ },
  reject: { reply: /Rejected by/, dm: /was rejected/ },
  request_changes: { reply: /Changes requested by/, dm: /asked for changes/ },
  cancel: { reply: /Cancelled by/, dm: /was cancelled/ },
} as const;
type Decision = keyof typeof DECISIONS;

async function decide(b: Bot, decision: Decision, id: string): Promise<void> {
  if (decision === 'cancel') {
    expect((await b.command(PARTNER, `cancel ${id}`)).status).toBe(200);
    return;
  }
  await b.click(APPROVER, decision, id);
  const typed: Record<string, string> =
    decision === 'approve' ? {} : { reason: 'Please use padding 32.' };
  expect((await b.submit(APPROVER, typed)).text).toBe('');
}

/** Which call of the decision's messages fails: the root's update, the reply, the DM. */
function failOnce(b: Bot, message: 'root' | 'reply' | 'dm', rootTs: string): void {
  if (message === 'root') {
    b.api.fail('chat.update', FAULT, { match: (args) => args.ts === rootTs });
    return;
  }
  const channel = message === 'dm' ? PARTNER : REVIEW_CHANNEL;
  b.api.fail('chat.postMessage', FAULT, {
    match: (args) => args.channel === channel && (message === 'dm' || args.thread_ts === rootTs),
  });
}

const posts = (b: Bot, channel: string, text: RegExp) =>
  b.api
    .callsTo('chat.postMessage')
    .filter((c) => c.ok && c.args.channel === channel && text.test(String(c.args.text)));

const cases = (Object.keys(DECISIONS) as Decision[]).flatMap((decision) =>
  (['root', 'reply', 'dm'] as const).map((message) => ({ decision, message })),
);

it.each(cases)(
  '$decision: its $message failing once is said once, in order',
  async ({ decision, message }) => {
    const b = await startOne();
    await b.command(PARTNER, 'submit');
    await b.submit(PARTNER, VALID_FORM);
    const { id, rootTs } = await eventually(async () => {
      const [mine] = await b.store.listByPartner(PARTNER, { limit: 1 });
      // The partner's "received" DM is out too, so the next DM is the decision's.
      if (!mine?.thread || posts(b, PARTNER, /./).length === 0) throw new Error('not yet');
      return { id: mine.id, rootTs: mine.thread.ts };
    }, 15_000);
    failOnce(b, message, rootTs);
    await decide(b, decision, id);

    const { reply, dm } = DECISIONS[decision];
    await eventually(
      () => {
        const [root] = b.api.messages(REVIEW_CHANNEL);
        expect(root?.edited).toBeDefined();
        expect(root?.replies.filter((r) => reply.test(r.text))).toHaveLength(1);
        expect(posts(b, PARTNER, dm)).toHaveLength(1);
      },
      15_000,
      100,
    );
    // The failure happened, on the call meant, and was retried.
    const failed = b.api.calls.filter((c) => c.fault === FAULT);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.method).toBe(message === 'root' ? 'chat.update' : 'chat.postMessage');
    expect(b.api.messages(REVIEW_CHANNEL)).toHaveLength(1);
    // The decision's reply comes first in the thread: before anything the pipeline says.
    const replies = () => b.api.messages(REVIEW_CHANNEL)[0]?.replies ?? [];
    expect(replies().findIndex((r) => reply.test(r.text))).toBe(0);
    if (decision === 'approve') {
      await eventually(() =>
        expect(replies().some((r) => /Pipeline started/.test(r.text))).toBe(true),
      );
      expect(replies().findIndex((r) => reply.test(r.text))).toBe(0);
    }
    // Said once: a second look, after any further retry would have come, finds nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(replies().filter((r) => reply.test(r.text))).toHaveLength(1);
    expect(posts(b, PARTNER, dm)).toHaveLength(1);
  },
  30_000,
);
