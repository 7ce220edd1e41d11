import { describe, expect, it } from 'vitest';
import { type FailedStepLog, SHOW_LOG_LINES } from '../../../src/app/show-log.ts';
import { validateMessageBlocks } from '../../../src/local/slack-api/blocks.ts';
import {
  logComment,
  logFileContent,
  logFileName,
  logSnippetMessage,
  noLogMessage,
} from '../../../src/slack/views/log-file.ts';
import { parseShowLogValue } from '../../../src/slack/views/show-log-button.ts';
import { sampleRun } from '../../helpers/sample-run.ts';
import { submission } from './fixtures.ts';

const ESC = String.fromCharCode(27);

function log(lines: string[], overrides: Partial<FailedStepLog> = {}): FailedStepLog {
  return {
    submission: submission({ pipeline: sampleRun({ attempt: 2 }) }),
    attempt: 2,
    step: 'test',
    source: 'build',
    lines,
    ...overrides,
  };
}

describe('the log file', () => {
  it('is named for the submission, attempt and step', () => {
    expect(logFileName(log([]))).toBe('PG-0042-attempt-2-test.log');
  });

  it('holds the last 200 lines, colour codes and control characters removed, tabs kept', () => {
    const lines = Array.from(
      { length: 240 },
      (_, i) => `${ESC}[1;31mline\t${i + 1}${ESC}[0m\u0007`,
    );
    const content = logFileContent(log([...lines, 'two\r\nlines', '']));
    const kept = content.trimEnd().split('\n');
    expect(kept).toHaveLength(SHOW_LOG_LINES);
    expect(kept.at(-3)).toBe('line\t240');
    expect(kept.slice(-2)).toEqual(['two', 'lines']);
    const controls = [...content].filter((ch) => {
      const c = ch.charCodeAt(0);
      return c !== 9 && c !== 10 && (c < 32 || c === 127);
    });
    expect(controls).toEqual([]);
  });

  it('says where the lines come from', () => {
    expect(logComment(log([]))).toContain(
      'The last lines of the build log of *PG-0042* (attempt 2) at *Acceptance test*',
    );
    expect(logComment(log([], { source: 'app_engine', step: 'deploy' }))).toContain(
      'App Engine logged for version `pg-0042-r1`',
    );
    expect(logComment(log([], { source: 'failure' }))).toContain('this is what the failure said');
  });
});

describe('the snippet fallback', () => {
  it('keeps the newest lines within one section, mrkdwn-safe, and says why', () => {
    const lines = Array.from(
      { length: 200 },
      (_, i) => `<@U123> *bold* \`tick\` ${'x'.repeat(60)} ${i + 1}`,
    );
    const message = logSnippetMessage(log(lines), 'not_in_channel');
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('`not_in_channel`');
    expect(shown).toContain(' 200\\n```');
    expect(shown).not.toContain('<@U123>');
    expect(shown).not.toContain(' 1\\n');
  });
});

describe('the button value and the answers without a log', () => {
  it('reads PG-0042:2, and anything else as attempt 0', () => {
    expect(parseShowLogValue('PG-0042:2')).toEqual({ id: 'PG-0042', attempt: 2 });
    expect(parseShowLogValue('PG-0042')).toEqual({ id: 'PG-0042', attempt: 0 });
    expect(parseShowLogValue(undefined)).toEqual({ id: '', attempt: 0 });
  });

  it('says why there is no log to show', () => {
    const base = { kind: 'no_log' as const, id: 'PG-0042', attempt: 1 };
    expect(noLogMessage({ ...base, reason: 'other_attempt', current: 3 }).text).toBe(
      'PG-0042 is at attempt 3 now; the log of attempt 1 is no longer kept here. The thread has the latest.',
    );
    expect(noLogMessage({ ...base, reason: 'no_run' }).text).toContain('resubmitted since');
    expect(noLogMessage({ ...base, reason: 'not_failed' }).text).toContain('has not failed');
  });
});
