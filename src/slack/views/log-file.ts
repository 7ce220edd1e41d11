// Show log, as Slack shows it (the button is show-log-button.ts): the log file (name,
// content, the comment above it), the code-block snippet when the file cannot be uploaded, and the
// answers to a click that gets no log. Pure builders.
import type { FailedStepLog, NoLog } from '../../app/show-log.ts';
import { SHOW_LOG_LINES } from '../../app/show-log.ts';
import { LIMITS, type Message, section } from './kit.ts';
import { plainLogLine } from './log-text.ts';
import { code, escapeMrkdwn } from './mrkdwn.ts';
import { logTailBlock, STEP_LABEL } from './progress.ts';

/** `PG-0042-attempt-2-test.log`: the file's name and title. */
export function logFileName(log: FailedStepLog): string {
  return `${log.submission.id}-attempt-${log.attempt}-${log.step}.log`;
}

/** The file's text: the last lines, one a line, without colour codes or control characters. */
export function logFileContent(log: FailedStepLog): string {
  const lines = log.lines
    .flatMap((line) => line.split(/\r?\n/))
    .map((line) => plainLogLine(line).trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `${lines.slice(-SHOW_LOG_LINES).join('\n')}\n`;
}

/** What the lines are, above the file or the snippet. */
export function logComment(log: FailedStepLog): string {
  const what = `*${escapeMrkdwn(log.submission.id)}* (attempt ${log.attempt}) at *${STEP_LABEL[log.step]}*`;
  const version = code(log.submission.pipeline?.versionId ?? '', 100);
  switch (log.source) {
    case 'build':
      return `:page_facing_up: The last lines of the build log of ${what}.`;
    case 'app_engine':
      return `:page_facing_up: The last lines App Engine logged for version ${version} of ${what}.`;
    case 'failure':
      return `:page_facing_up: No log lines could be read for ${what}; this is what the failure said.`;
  }
}

/** Room for the code block in one section, under Slack's 3,000 characters with the intro. */
const SNIPPET_MAX = LIMITS.sectionText - 400;

/** The log as a message, when the file cannot be uploaded: the newest lines that fit. */
export function logSnippetMessage(log: FailedStepLog, why: string): Message {
  const block = logTailBlock(log.lines, { maxLines: SHOW_LOG_LINES, maxChars: SNIPPET_MAX });
  const intro = `${logComment(log)}\n_The file could not be uploaded (${code(why, 80)}): the newest lines that fit are below._`;
  return {
    text: `${log.submission.id} attempt ${log.attempt}: the last lines of ${STEP_LABEL[log.step]}`,
    blocks: [section(intro), ...(block ? [section(block)] : [])],
  };
}

/** The clicker's answer when neither the file nor the snippet could be posted. */
export function logNotPostedMessage(log: FailedStepLog, why: string): Message {
  return {
    text: `:warning: The log of ${escapeMrkdwn(log.submission.id)} (attempt ${log.attempt}) could not be posted here: ${code(why, 80)}. Try again in a minute, or ask the Playground team.`,
  };
}

/** Show log for someone who is neither the partner nor an approver (or no such submission). */
export function logRefusedMessage(id: string): Message {
  return {
    text: `:lock: Only the partner who submitted ${code(id, 40) || 'it'} and the Playground team can read its log.`,
  };
}

/** Show log on an attempt that has no failed step to show any more. */
export function noLogMessage(outcome: NoLog): Message {
  const id = escapeMrkdwn(outcome.id);
  const attempt = `attempt ${outcome.attempt}`;
  switch (outcome.reason) {
    case 'no_run':
      return {
        text: `${id} has been resubmitted since ${attempt} failed; its log is no longer kept here.`,
      };
    case 'other_attempt':
      return {
        text: `${id} is at attempt ${outcome.current ?? '?'} now; the log of ${attempt} is no longer kept here. The thread has the latest.`,
      };
    case 'not_failed':
      return { text: `${id} ${attempt} has not failed: there is no failed step to show.` };
  }
}
