import type { Logger } from './log.ts';

/**
 * What the process does with errors nothing caught, so none passes silently:
 *
 * - A stray rejected promise is logged at error level with its stack (Cloud Logging shows
 *   it; Error Reporting groups it) and the bot keeps serving: the rejection ended only the
 *   work of that promise, and Node's default (ending the process) would let one bad request
 *   take every other request and pipeline down with it.
 * - An uncaught exception is logged at fatal level with its stack, then the process exits
 *   with 1. After one, Node cannot say what state the process is in (a half-done write, a
 *   lock held), so it is not safe to go on; App Engine starts a new instance, and pipelines
 *   are taken over through their leases, as after a kill -9.
 */
export function handleProcessErrors(logger: Logger, proc: NodeJS.Process = process): void {
  proc.on('unhandledRejection', (reason) => {
    logger.error(
      reason instanceof Error ? { err: reason } : { reason: String(reason) },
      'unhandled promise rejection (the bot keeps running)',
    );
  });
  proc.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception: exiting');
    proc.exit(1);
  });
}
