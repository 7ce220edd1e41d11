// Posting Show log's answer. It answers a click, as an ephemeral answer does, so it is not a
// message owed through the outbox: it is posted from here, after the ack, within a deadline.
// First as a file (files.uploadV2: files.getUploadURLExternal, the bytes to its upload URL,
// files.completeUploadExternal with the channel and thread); when that fails, as a
// code-block snippet in a message; when that fails too, the caller tells the clicker why.
import type { FailedStepLog } from '../../app/show-log.ts';
import { withDeadline } from '../../lib/deadline.ts';
import type { Logger } from '../../log.ts';
import type { HandlerContext } from '../context.ts';
import { classify } from '../slack-errors.ts';
import { logComment, logFileContent, logFileName, logSnippetMessage } from '../views/log-file.ts';

/**
 * Longest each way of posting may take (the upload's three calls together, then the
 * snippet). Past it the clicker hears of it; an upload still under way may then land after
 * the snippet, the one case where both are posted.
 */
export const LOG_POST_DEADLINE_MS = 20_000;

/** Where the log goes: the conversation of the button, in its thread when it was in one. */
export interface LogPlace {
  channel: string;
  threadTs?: string;
}

export type LogPosted = { as: 'file' | 'snippet' } | { as: 'nothing'; why: string };

export async function postLog(
  ctx: { client: HandlerContext['client']; logger: Logger },
  place: LogPlace,
  log: FailedStepLog,
  deadlineMs = LOG_POST_DEADLINE_MS,
): Promise<LogPosted> {
  const thread = place.threadTs ? { thread_ts: place.threadTs } : {};
  const name = logFileName(log);
  let why: string;
  try {
    await within(deadlineMs, 'the upload', () =>
      ctx.client.filesUploadV2({
        channel_id: place.channel,
        ...thread,
        filename: name,
        title: name,
        content: logFileContent(log),
        initial_comment: logComment(log),
      }),
    );
    return { as: 'file' };
  } catch (error) {
    why = classify(error).reason;
    ctx.logger.warn({ err: error, reason: why }, 'log file not uploaded; posting a snippet');
  }
  try {
    await within(deadlineMs, 'the snippet', () =>
      ctx.client.chat.postMessage({
        channel: place.channel,
        ...thread,
        ...logSnippetMessage(log, why),
      }),
    );
    return { as: 'snippet' };
  } catch (error) {
    const reason = classify(error).reason;
    ctx.logger.error({ err: error, reason }, 'log snippet not posted');
    return { as: 'nothing', why: reason };
  }
}

/** `work()`, or an error saying what took longer than `ms`. */
function within<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  return withDeadline(work(), ms, () => new Error(`${what} took longer than ${ms} ms`));
}
