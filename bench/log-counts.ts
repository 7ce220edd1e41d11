import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/log.ts';

/**
 * A logger at `warn` that counts its lines by message instead of printing them: at 500
 * pipelines a repeated warning would bury the report, and its count is what matters.
 */
export function countingLogger(): { logger: Logger; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        const message = String((JSON.parse(line) as { message?: unknown }).message);
        counts[message] = (counts[message] ?? 0) + 1;
      }
      done();
    },
  });
  return { logger: createLogger('warn', sink), counts };
}
