// Benchmark of the outbox (issue 11): the time from a state change (a new submission
// committed to Firestore) to its review message landing in Slack, p50 / p95 over N
// submissions, through the outbox (written in the change's transaction, posted by the
// deliverer) against a direct post right after the commit (what the request's follow-up
// did before). Both run in the same process, alternately, against the same emulator and
// Slack stand-in, with the deliverer's production tuning. A measurement: nothing asserts.
//
//   node bench/outbox.ts                  (200 submissions each way, ~1 min)
//   BENCH_SUBMISSIONS=50 node bench/outbox.ts
//
// Uses FIRESTORE_EMULATOR_HOST when set; otherwise starts (and stops) an emulator.
import { webApi } from '@slack/bolt';
import { type SlackApiStandIn, startSlackApi } from '../src/local/slack-api/server.ts';
import { createLogger } from '../src/log.ts';
import { submittedMessages } from '../src/ports/notifier.ts';
import { SlackMessages } from '../src/slack/announce.ts';
import { Deliverer } from '../src/slack/deliverer.ts';
import { receivedMessage } from '../src/slack/views/messages.ts';
import { reviewMessage } from '../src/slack/views/review-message.ts';
import { createFirestore } from '../src/store/firestore-client.ts';
import { FirestoreStore } from '../src/store/firestore-store.ts';
import { withEmulator } from './emulator.ts';
import { spec } from './seed.ts';
import { fixed, table } from './table.ts';
import { PARTNER, REVIEW_CHANNEL } from './world.ts';

const TOKEN = 'xoxb-bench-token';
const count = Number(process.env.BENCH_SUBMISSIONS ?? 200);
if (!Number.isInteger(count) || count <= 0) {
  throw new Error(`BENCH_SUBMISSIONS must be a positive whole number, got ${count}`);
}

/** Resolves with the time the next top-level message lands in the review channel. */
function nextReviewPost(api: SlackApiStandIn): Promise<number> {
  return new Promise((resolve) => {
    const stop = api.onChange((event) => {
      if (event.kind !== 'message' || event.action !== 'posted') return;
      if (event.channel !== REVIEW_CHANNEL) return;
      stop();
      resolve(performance.now());
    });
  });
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

await withEmulator(async () => {
  const api = await startSlackApi({
    botToken: TOKEN,
    users: [{ id: PARTNER, name: 'pat', real_name: 'Pat Partner' }],
  });
  const db = createFirestore({ projectId: `bench-outbox-${Date.now()}` });
  const store = new FirestoreStore(db);
  const logger = createLogger('warn');
  const client = new webApi.WebClient(TOKEN, {
    slackApiUrl: api.url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const messages = new SlackMessages({ client, reviewChannel: REVIEW_CHANNEL, logger });
  const deliverer = new Deliverer({ store, messages, owner: 'bench', logger });
  deliverer.run();

  const partner = { userId: PARTNER };
  const timings = { outbox: [] as number[], direct: [] as number[] };
  console.error(`${count} submissions each way, alternately…`);
  for (let i = 0; i < count * 2; i += 1) {
    const viaOutbox = i % 2 === 1;
    const landed = nextReviewPost(api);
    const { submission } = await store.create({
      partner,
      spec: spec(i),
      warnings: [],
      requestId: `bench:${i}:${Date.now()}`,
      ...(viaOutbox ? { messages: submittedMessages({ revision: 1 }, partner) } : {}),
    });
    const committed = performance.now();
    if (!viaOutbox) {
      // The old follow-up: post, store the thread, tell the partner.
      const posted = await client.chat.postMessage({
        channel: REVIEW_CHANNEL,
        ...reviewMessage(submission),
      });
      await store.setThread(submission.id, { channel: REVIEW_CHANNEL, ts: posted.ts ?? '' });
      await client.chat.postMessage({ channel: PARTNER, ...receivedMessage(submission) });
    }
    (viaOutbox ? timings.outbox : timings.direct).push((await landed) - committed);
    // The next change starts once this one's messages are all out, either way.
    await deliverer.idle();
  }
  await deliverer.stop();

  const rows = (['direct', 'outbox'] as const).map((way) => {
    const sorted = [...timings[way]].sort((a, b) => a - b);
    return [
      way === 'direct' ? 'direct post after the commit' : 'outbox (deliverer)',
      String(sorted.length),
      fixed(percentile(sorted, 50)),
      fixed(percentile(sorted, 95)),
      fixed(sorted.at(-1) ?? Number.NaN),
    ];
  });
  console.log('state change committed -> review message in Slack, ms');
  console.log(table(['path', 'n', 'p50', 'p95', 'max'], rows));
  await api.close();
  await store.drain();
  await db.terminate();
});
