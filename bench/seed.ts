// Puts N pipelines in flight the way approvals do, without going through Slack forms:
// each submission is created, gets its review thread and approval through the store, and
// is started by a seeding bot's tracker (lease, stored run, createBuild, status message).
// That tracker then polls each build until its stored run shows it running, so the
// measured bot sees nothing change: its polls are the steady state of long builds, not the
// one-off catch-up of a build that just left the queue. The seeding bot gives its leases
// back when it stops, and the measured bot finds every pipeline by discovery, as after a
// restart.
import { setTimeout as delay } from 'node:timers/promises';
import { type Bot, createBot } from '../src/bot.ts';
import { readConfig } from '../src/config.ts';
import type { SubmissionSpec } from '../src/domain/submission-spec/index.ts';
import { countingLogger } from './log-counts.ts';
import { APPROVER, PARTNER, REVIEW_CHANNEL, TARGET_PROJECT } from './world.ts';

/** Submissions seeded at once: enough to overlap the round trips, few enough to not queue. */
const BATCH = 25;

/** The seeding bot polls as fast as the stand-ins allow; only the measured bot is measured. */
const SEEDING = {
  tickMs: 20,
  callsPerMinute: 600_000,
  backoff: { initialMs: 20, factor: 1, maxMs: 20 },
};

const OBSERVE_TIMEOUT_MS = 120_000;

export function spec(i: number): SubmissionSpec {
  return {
    image: 'eu.gcr.io/theplayground_repo/my_service:1.0.3',
    service: `bench-svc-${i}`,
    ZOOM_LEVEL: 16,
    PADDING: 24,
    PREDICTOR_CLASS: 'MyPredictor',
    PREDICTOR_PACKAGE: 'my_package.my_module',
    resources: { cpu: 4, memory_gb: 3.2, disk_size_gb: 10 },
    gunicorn: { workers: 2, backlog: 6, timeout: 60 },
    describe: {},
  };
}

/** Creates, threads, approves and starts submission number `i`. */
async function startOne(bot: Bot, i: number): Promise<void> {
  const { submission } = await bot.store.create({
    partner: { userId: PARTNER },
    spec: spec(i),
    warnings: [],
    requestId: `bench-${i}`,
  });
  const root = await bot.slack.app.client.chat.postMessage({
    channel: REVIEW_CHANNEL,
    text: submission.id,
  });
  await bot.store.setThread(submission.id, { channel: REVIEW_CHANNEL, ts: root.ts as string });
  const { submission: approved } = await bot.store.apply(submission.id, 'approve', {
    actor: { userId: APPROVER },
    requestId: `bench-approve-${i}`,
    patch: {
      approval: {
        project: TARGET_PROJECT,
        promote: true,
        by: { userId: APPROVER },
        at: new Date(),
      },
    },
  });
  await bot.tracker.start(approved);
}

/** How many in-flight pipelines have a stored run whose build is seen running. */
async function running(bot: Bot): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const page = await bot.store.inFlight({ limit: 200, ...(after ? { after } : {}) });
    count += page.filter((p) => p.submission.pipeline?.steps.wrap.state === 'running').length;
    if (page.length < 200) return count;
    after = page.at(-1)?.submission.id;
  }
}

/**
 * Seeds `count` in-flight pipelines with running builds for the bot configured by `env`.
 * Returns the seeding bot's warnings, by message.
 */
export async function seedPipelines(env: Record<string, string>, count: number) {
  const { logger, counts } = countingLogger();
  const bot = createBot(readConfig(env), logger, SEEDING);
  await bot.slack.start(0);
  try {
    for (let from = 0; from < count; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => from + k);
      await Promise.all(batch.map((i) => startOne(bot, i)));
    }
    bot.tracker.run();
    const deadline = Date.now() + OBSERVE_TIMEOUT_MS;
    while ((await running(bot)) < count) {
      if (Date.now() > deadline) throw new Error('the seeded builds were not seen running');
      await delay(250);
    }
  } finally {
    await bot.stop();
  }
  return counts;
}
