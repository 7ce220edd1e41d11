// One measurement: N pipelines in flight, one bot tracking them, counted over a window.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { forkBot } from './measured-bot.ts';
import type { BotReport } from './protocol.ts';
import { seedPipelines } from './seed.ts';
import { botEnv, startWorld } from './world.ts';

export interface PhaseResult {
  pipelines: number;
  seedMs: number;
  /** The seeding bot's warnings, by message. */
  seedWarnings: Record<string, number>;
  /** From the bot's start to its tracker holding every pipeline. */
  discoveryMs: number;
  windowMs: number;
  /** API calls per minute during the window, as the stand-ins recorded them. */
  perMinute: { cloudBuild: number; appEngine: number; slack: number };
  /** Slack calls during the window, by method (none expected while builds only run). */
  slackMethods: Record<string, number>;
  bot: BotReport;
}

/** Discovery of 5,000 pipelines takes a minute or so; this only catches a bot that never gets there. */
const DISCOVERY_TIMEOUT_MS = 600_000;

export async function runPhase(
  pipelines: number,
  windowMs: number,
  firestoreHost: string,
): Promise<PhaseResult> {
  const world = await startWorld();
  // A Firestore project per phase: the bot finds this phase's pipelines only.
  const env = botEnv(world, firestoreHost, `bench-${pipelines}-${randomBytes(4).toString('hex')}`);
  try {
    const seedStart = Date.now();
    const seedWarnings = await seedPipelines(env, world, pipelines);
    const seedMs = Date.now() - seedStart;

    const bot = forkBot(env);
    try {
      await bot.started;
      const discoveryStart = Date.now();
      await bot.holding(pipelines, DISCOVERY_TIMEOUT_MS);
      const discoveryMs = Date.now() - discoveryStart;

      bot.startWindow();
      const from = Date.now();
      await delay(windowMs);
      const to = Date.now();
      const report = await bot.stop();

      const inWindow = <T extends { time: number }>(records: T[]) =>
        records.filter((r) => r.time >= from && r.time < to);
      const perMinute = (records: { time: number }[]) =>
        (inWindow(records).length * 60_000) / (to - from);
      const slackMethods: Record<string, number> = {};
      for (const call of inWindow(world.slack.calls)) {
        slackMethods[call.method] = (slackMethods[call.method] ?? 0) + 1;
      }
      return {
        pipelines,
        seedMs,
        seedWarnings,
        discoveryMs,
        windowMs: to - from,
        perMinute: {
          cloudBuild: perMinute(world.cloudBuild.requests),
          appEngine: perMinute(world.appEngine.requests),
          slack: perMinute(world.slack.calls),
        },
        slackMethods,
        bot: report,
      };
    } catch (error) {
      bot.kill();
      throw error;
    }
  } finally {
    await world.close();
  }
}
