import type { DoctorReport } from './app/doctor.ts';
import { createBot } from './bot.ts';
import { ConfigError, readConfig } from './config.ts';
import { startLocalWorkspace } from './local/workspace.ts';
import { createLogger, type Logger } from './log.ts';
import { handleProcessErrors } from './process-errors.ts';

/** Runs until SIGTERM / Ctrl-C, then `stop()`s and exits. */
function stopOnSignal(logger: Logger, stop: () => Promise<void>) {
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** The doctor's start-up summary: one warn line per problem, with its fix; one line overall. */
async function logSetupSummary(logger: Logger, check: () => Promise<DoctorReport>) {
  try {
    const report = await check();
    for (const found of report.checks) {
      if (found.status === 'ok') continue;
      const fields = { area: found.area, subject: found.subject, fix: found.fixes.join(' ; ') };
      if (found.status === 'problem') logger.warn(fields, `doctor: ${found.says}`);
      else logger.info(fields, `doctor, not checked: ${found.says}`);
    }
    logger.info(
      { checks: report.checks.length, problems: report.problems },
      report.problems === 0
        ? 'doctor: all checks of the set-up passed'
        : `doctor: ${report.problems} problem(s) in the set-up; \`playground-deploy doctor\` or \`/playground doctor\` lists them`,
    );
  } catch (error) {
    logger.warn({ err: error }, 'doctor: could not run');
  }
}

/** Thin entry point: production with Slack credentials, the local workspace without. */
async function main(): Promise<void> {
  const started = Date.now();
  if (!process.env.SLACK_BOT_TOKEN && !process.env.SLACK_SIGNING_SECRET) {
    const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
    handleProcessErrors(logger);
    console.error(
      '\n  LOCAL MODE: no SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET, so Slack, Cloud Build and App\n' +
        '  Engine are local stand-ins and Firestore is the emulator. Set the Slack variables to\n' +
        '  run against a real workspace (see README).\n',
    );
    const workspace = await startLocalWorkspace({
      logger,
      port: Number(process.env.PORT ?? 3000),
    });
    stopOnSignal(logger, workspace.stop);
    void logSetupSummary(logger, workspace.checkSetup);
    console.error(
      `\n  ready in ${((Date.now() - started) / 1000).toFixed(1)} s: open ${workspace.pageUrl}\n`,
    );
    return;
  }
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  handleProcessErrors(logger);
  const bot = createBot(config, logger);
  await bot.start(config.port);
  logger.info({ port: config.port, socketMode: Boolean(config.slack.appToken) }, 'ready');
  stopOnSignal(logger, bot.stop);
  // After start: the bot serves whatever the doctor finds, and says what to fix.
  void logSetupSummary(logger, bot.checkSetup);
}

await main();
