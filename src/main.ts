import { ConfigError, readConfig } from './config.ts';
import { createLogger } from './log.ts';
import { HandoverPipeline } from './pipeline/handover.ts';
import { createSlackApp } from './slack/app.ts';
import { createFirestore } from './store/firestore-client.ts';
import { FirestoreStore } from './store/firestore-store.ts';

/** Thin entry point: configuration, adapters, the Bolt receiver, clean shutdown. */
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
  const firestore = createFirestore({ projectId: config.gcp.project });
  const store = new FirestoreStore(firestore);
  const pipeline = new HandoverPipeline(logger);
  const slack = createSlackApp({ config, store, pipeline, logger });
  await slack.start(config.port);
  logger.info({ port: config.port, socketMode: Boolean(config.slack.appToken) }, 'ready');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await slack.stop();
    await firestore.terminate();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

await main();
