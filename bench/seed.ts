// Puts N pipelines in flight the way approvals do, without going through Slack forms:
// each submission is created, gets its review thread and approval through the store, and
// is started by a seeding bot's tracker (lease, stored run, createBuild, status message).
// That tracker then polls each build until its stored run shows it running, so the
// measured bot sees nothing change: its polls are the steady state of long builds, not the
// one-off catch-up of a build that just left the queue. The seeding bot ends its heartbeat
// when it stops, and the measured bot finds every pipeline by discovery, as after a
// restart. Past THROUGH_BOT pipelines, the rest are copies of the first (seed-clones.ts).
import { setTimeout as delay } from 'node:timers/promises';
import { type Bot, createBot } from '../src/bot.ts';
import { readConfig } from '../src/config.ts';
import { parseSubmissionId } from '../src/domain/submission.ts';
import type { SubmissionSpec } from '../src/domain/submission-spec/index.ts';
import { countingLogger } from './log-counts.ts';
import { seedClones } from './seed-clones.ts';
import { APPROVER, PARTNER, REVIEW_CHANNEL, TARGET_PROJECT, type World } from './world.ts';

/** Submissions seeded at once: enough to overlap the round trips, few enough to not queue. */
const BATCH = 25;

/** The seeding bot polls as fast as the stand-ins allow; only the measured bot is measured. */
const SEEDING = {
  tickMs: 20,
  callsPerMinute: 600_000,
  backoff: { initialMs: 20, factor: 1, maxMs: 20 },
};

const OBSERVE_TIMEOUT_MS = 120_000;

/** Pipelines seeded through the seeding bot; any more are copies of the first one. */
const THROUGH_BOT = 50;

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

/** Creates, threads, approves and starts submission number `i`; answers its id. */
async function startOne(bot: Bot, i: number): Promise<string> {
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
  return submission.id;
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
export async function seedPipelines(env: Record<string, string>, world: World, count: number) {
  const { logger, counts } = countingLogger();
  const bot = createBot(readConfig(env), logger, SEEDING);
  const ids: string[] = [];
  const throughBot = Math.min(count, THROUGH_BOT);
  await bot.slack.start(0);
  try {
    for (let from = 0; from < throughBot; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, throughBot - from) }, (_, k) => from + k);
      ids.push(...(await Promise.all(batch.map((i) => startOne(bot, i)))));
    }
    bot.tracker.run();
    bot.deliverer.run();
    const deadline = Date.now() + OBSERVE_TIMEOUT_MS;
    while ((await running(bot)) < throughBot) {
      if (Date.now() > deadline) throw new Error('the seeded builds were not seen running');
      await delay(250);
    }
    // Every message they owe posted, so the measured bot (and each copy) owes none.
    while ((await bot.store.undelivered({ limit: 1 })).length > 0) {
      if (Date.now() > deadline) throw new Error('the seeded messages were not delivered');
      await delay(250);
    }
  } finally {
    await bot.stop();
  }
  const [template] = ids;
  if (count > throughBot && template) {
    // Numbered after every id the bot used, so no copy overwrites a seeded submission.
    const last = Math.max(...ids.map((id) => Number(parseSubmissionId(id)?.slice(3))));
    const clones = count - throughBot;
    await seedClones(
      env,
      world.cloudBuild,
      { id: template, number: 0 },
      last + 1,
      clones,
      (n) => spec(n).service,
    );
  }
  return counts;
}
