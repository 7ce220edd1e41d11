import { createBot } from './bot.ts';
import { ConfigError, readConfig } from './config.ts';
import { createLogger } from './log.ts';

/** Thin entry point: configuration, the bot (src/bot.ts), clean shutdown. */
async function main(): Promise<void> {
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
  const bot = createBot(config, logger);
  await bot.start(config.port);
  logger.info({ port: config.port, socketMode: Boolean(config.slack.appToken) }, 'ready');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await bot.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

await main();
