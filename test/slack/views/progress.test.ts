// The pipeline's Slack messages: the live checklist, the milestone replies and the
// partner's DM. Content (icons, durations, links, buttons), escaping of partner text, and
// Slack's limits through the stand-in's Block Kit validator.
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import {
  CHECKLIST,
  freshSteps,
  LOG_TAIL_LINES,
  type PipelineRun,
  type StepName,
  type StepState,
  versionConsoleUrl,
} from '../../../src/domain/pipeline-run.ts';
import type { Submission } from '../../../src/domain/submission.ts';
import { validateMessageBlocks } from '../../../src/local/slack-api/blocks.ts';
import { MAX_TEXT } from '../../../src/local/slack-api/methods/chat.ts';
import { ACTION_ID } from '../../../src/slack/views/ids.ts';
import {
  checklistLine,
  logTailBlock,
  milestoneMessage,
  partnerOutcomeMessage,
  STEP_ICON,
  statusMessage,
} from '../../../src/slack/views/progress.ts';
import { sampleRun } from '../../helpers/sample-run.ts';
import { APPROVER, PARTNER, submission } from './fixtures.ts';

const T0 = new Date('2025-03-04T14:05:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LOG_URL = 'https://console.cloud.google.com/cloud-build/builds/b-123?project=pg-bot-1';
const VERSION_URL = 'https://pg-0042-r1-dot-my-service-dot-pg-prod.appspot.com';
const CONSOLE_URL = versionConsoleUrl('pg-prod', 'my-service', 'pg-0042-r1');

function run(overrides: Partial<PipelineRun> = {}): PipelineRun {
  return sampleRun({ attempt: 2, ...overrides });
}

/** Steps in the given states, each started 10 s after the previous one and taking 8 s. */
function steps(states: Partial<Record<StepName, StepState>>): PipelineRun['steps'] {
  const all = freshSteps();
  CHECKLIST.forEach((step, i) => {
    const state = states[step];
    if (!state) return;
    all[step] = { state };
    if (state === 'pending' || state === 'skipped') return;
    all[step].startedAt = at(i * 10);
    if (state !== 'running') all[step].endedAt = at(i * 10 + 8);
  });
  return all;
}

const live = () =>
  run({
    steps: steps({
      render: 'done',
      wrap: 'done',
      test: 'done',
      push: 'done',
      deploy: 'done',
      promote: 'done',
      verify: 'done',
    }),
    buildLogUrl: LOG_URL,
    consoleUrl: CONSOLE_URL,
    versionUrl: VERSION_URL,
    imageDigest: `sha256:${'a'.repeat(64)}`,
  });

const failedAtTest = (overrides: Partial<PipelineRun> = {}) =>
  run({
    steps: steps({ render: 'done', wrap: 'done', test: 'failed' }),
    buildLogUrl: LOG_URL,
    failure: {
      step: 'test',
      detail: 'check_service.py exited with 1',
      logTail: ['Step #2 - "test": collecting', 'AssertionError: expected 3 bands, got 4'],
    },
    ...overrides,
  });

/** Every mrkdwn and plain text of a message, joined, for "contains" checks. */
function allText(message: { text: string; blocks?: KnownBlock[] }): string {
  const texts: string[] = [message.text];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      if (typeof obj.text === 'string') texts.push(obj.text);
      Object.values(obj).forEach(walk);
    }
  };
  walk(message.blocks ?? []);
  return texts.filter((t) => t !== '').join('\n');
}

function buttons(message: { blocks?: KnownBlock[] }) {
  return (message.blocks ?? []).flatMap((block) =>
    block.type === 'actions'
      ? block.elements.map((e) => e as { action_id: string; value?: string; style?: string })
      : [],
  );
}

function checklistOf(message: { blocks: KnownBlock[] }): string[] {
  const text = allText({ text: '', blocks: message.blocks.slice(1, -1) });
  return text.split('\n').filter((line) => line.includes('*'));
}

describe('statusMessage', () => {
  const sub = submission({ status: 'building' });

  it('has the headline: id, attempt, project and version', () => {
    const message = statusMessage(sub, run(), T0);
    const headline = allText({ text: '', blocks: message.blocks.slice(0, 1) });
    expect(headline).toBe('*PG-0042* · attempt 2 · deploying to `pg-prod` as version `pg-0042-r1`');
  });

  it("shows Cloud Build's note on the build, escaped, and nothing when there is none", () => {
    const note = 'Simulated build: <only> examples/ run here';
    const withNote = allText(statusMessage(sub, run({ buildNote: note }), T0));
    expect(withNote).toContain(
      ':information_source: Simulated build: &lt;only&gt; examples/ run here',
    );
    expect(allText(statusMessage(sub, run(), T0))).not.toContain(':information_source:');
  });

  it('lists the seven steps in order, each with the icon of its state', () => {
    const message = statusMessage(
      sub,
      run({
        steps: steps({
          render: 'done',
          wrap: 'done',
          test: 'failed',
          push: 'cancelled',
          deploy: 'skipped',
        }),
      }),
      at(100),
    );
    const lines = checklistOf(message);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^:white_check_mark: \*Render the bundle\*/);
    expect(lines[1]).toMatch(/^:white_check_mark: \*Wrap the image\*/);
    expect(lines[2]).toMatch(/^:x: \*Acceptance test\*/);
    expect(lines[3]).toMatch(/^:no_entry_sign: \*Push the image\*/);
    expect(lines[4]).toMatch(/^:heavy_minus_sign: \*Deploy to App Engine\*/);
    expect(lines[5]).toMatch(/^:white_large_square: \*Promote traffic\*/);
    expect(lines[6]).toMatch(/^:white_large_square: \*Live check\*/);
    expect(STEP_ICON.running).toBe(':hourglass_flowing_sand:');
  });

  it('shows durations of started steps; a running one counts up to now', () => {
    const r = run({ steps: steps({ render: 'done', wrap: 'running' }) });
    // render took 8 s; wrap started at 10 s.
    expect(checklistLine(r, 'render', at(500))).toContain(' · 8s');
    expect(checklistLine(r, 'wrap', at(82))).toContain(
      ':hourglass_flowing_sand: *Wrap the image* · 1m 12s',
    );
    expect(checklistLine(r, 'wrap', at(18))).toContain(' · 8s');
    expect(checklistLine(r, 'test', at(82))).toBe(':white_large_square: *Acceptance test*');
  });

  it('links the build log on build steps once started, the console on App Engine steps', () => {
    const r = run({
      steps: steps({ render: 'done', wrap: 'done', test: 'running' }),
      buildLogUrl: LOG_URL,
      consoleUrl: CONSOLE_URL,
    });
    const log = `<${LOG_URL}|build log>`;
    expect(checklistLine(r, 'render', T0)).not.toContain('build log');
    expect(checklistLine(r, 'wrap', T0)).toContain(log);
    expect(checklistLine(r, 'test', T0)).toContain(log);
    // Not started yet: no link.
    expect(checklistLine(r, 'push', T0)).not.toContain('build log');
    expect(checklistLine(r, 'deploy', T0)).not.toContain('console');

    const deploying = run({
      steps: steps({ render: 'done', wrap: 'done', test: 'done', push: 'done', deploy: 'running' }),
      buildLogUrl: LOG_URL,
      consoleUrl: CONSOLE_URL,
    });
    const consoleLink = `<${CONSOLE_URL.replace(/&/g, '&amp;')}|App Engine console>`;
    expect(checklistLine(deploying, 'push', T0)).toContain(log);
    expect(checklistLine(deploying, 'deploy', T0)).toContain(consoleLink);
    expect(checklistLine(deploying, 'deploy', T0)).not.toContain('build log');
  });

  it('shows the service URL once live, and says whether traffic moved', () => {
    const message = statusMessage(sub, live(), at(500));
    const text = allText(message);
    expect(checklistOf(message)[5]).toContain(`<${VERSION_URL}|${VERSION_URL}>`);
    expect(text).toContain('deployed to `pg-prod`');
    expect(text).toContain(
      `Live at <${VERSION_URL}|${VERSION_URL}>: traffic moved to this version`,
    );
    expect(message.text).toBe(`PG-0042 · attempt 2: live at ${VERSION_URL}`);

    const noPromote = live();
    noPromote.promote = false;
    noPromote.steps.promote = { state: 'skipped' };
    const other = statusMessage(sub, noPromote, at(500));
    expect(checklistOf(other)[4]).toContain(`<${VERSION_URL}|${VERSION_URL}>`);
    expect(checklistOf(other)[5]).toMatch(
      /^:heavy_minus_sign: \*Promote traffic\* \(not asked for/,
    );
    expect(allText(other)).toContain('reachable at its own URL; the current version keeps serving');
  });

  it('summarises progress and failure', () => {
    const running = statusMessage(
      sub,
      run({ steps: steps({ render: 'done', wrap: 'done', test: 'running' }) }),
      at(30),
    );
    expect(allText(running)).toContain(':gear: Acceptance test running · 2 of 7 steps done');
    expect(running.text).toBe('PG-0042 · attempt 2: 2 of 7 steps done');

    const failed = statusMessage(sub, failedAtTest(), at(30));
    expect(allText(failed)).toContain(
      ':x: Failed at *Acceptance test*: `check_service.py exited with 1`',
    );
    expect(failed.text).toBe('PG-0042 · attempt 2: failed at Acceptance test');
  });

  it('says whom a run waits for while another pipeline has its service', () => {
    const waiting = run({ turn: { state: 'waiting', for: 'PG-0041', since: T0 } });
    const message = statusMessage(submission({ status: 'approved' }), waiting, at(90));
    expect(allText({ text: '', blocks: message.blocks.slice(0, 1) })).toBe(
      '*PG-0042* · attempt 2 · to deploy to `pg-prod` as version `pg-0042-r1`',
    );
    expect(allText(message)).toContain(
      ':hourglass: Waiting for *PG-0041* (deploying `my-service` in `pg-prod`) to finish: one pipeline per service at a time, this one starts when it ends.',
    );
    expect(message.text).toBe(
      'PG-0042 · attempt 2: waiting for PG-0041 (deploying my-service in pg-prod) to finish',
    );
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    // Cancelled while waiting: the cancel is what it shows.
    const cancelled = statusMessage(sub, { ...waiting, steps: steps({ render: 'cancelled' }) }, T0);
    expect(allText(cancelled)).not.toContain('Waiting for');
    expect(cancelled.text).toBe('PG-0042 · attempt 2: cancelled');
  });

  it('escapes partner text and stays within Slack limits with hostile values', () => {
    const hostile = submission({
      status: 'building',
      spec: { service: '<!channel>', image: `<!here>&${'x'.repeat(3000)}` },
    });
    const r = failedAtTest({
      project: '<!channel>',
      versionId: '<@U0EVIL001>`',
      failure: { step: 'test', detail: `<!channel> ${'&'.repeat(5000)}` },
      buildLogUrl: `https://example.com/?a=1&b=<x>|y${'z'.repeat(2000)}`,
    });
    const message = statusMessage(hostile, r, at(30));
    const text = allText(message);
    expect(text).not.toMatch(/<!channel>|<!here>|<@U0EVIL001>/);
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
  });
});

describe('logTailBlock', () => {
  it('keeps the last lines in a code block, escaped, without backticks or colour codes', () => {
    const block = logTailBlock([
      'one',
      '\u001b[31mred <!channel>\u001b[0m',
      'end ``` here',
      '',
      '',
    ]);
    expect(block).toBe('```\none\nred &lt;!channel&gt;\nend ˋˋˋ here\n```');
  });

  it('keeps the newest lines within the line and character budgets, marking the cut', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    const block = logTailBlock(lines) ?? '';
    expect(block.startsWith('```\n…\nline 475\n')).toBe(true);
    expect(block.endsWith('line 499\n```')).toBe(true);
    expect(block.split('\n').filter((l) => l.startsWith('line '))).toHaveLength(LOG_TAIL_LINES);
    // Escaped text counts as sent: fewer of these long lines fit, the newest ones.
    const wide = logTailBlock(lines.map((l) => `${l} ${'&'.repeat(50)}`)) ?? '';
    expect(wide).toContain('line 499 &amp;');
    expect([...wide].length).toBeLessThanOrEqual(2600);
    const huge = logTailBlock(
      Array.from({ length: 50 }, () => '<'.repeat(5000)),
      {
        maxChars: 2600,
      },
    );
    expect([...(huge ?? '')].length).toBeLessThanOrEqual(2600);
    expect(logTailBlock([])).toBeUndefined();
    expect(logTailBlock(undefined)).toBeUndefined();
    expect(logTailBlock(['', '  '])).toBeUndefined();
  });
});

describe('milestoneMessage', () => {
  const sub = submission({ status: 'building' });

  it('started: the attempt and the image being built', () => {
    const message = milestoneMessage(sub, run(), 'started');
    expect(message.text).toBe(
      ':gear: Pipeline started (attempt 2): building `europe-docker.pkg.dev/pg-bot-1/playground/my-service:pg-0042-r1`',
    );
    expect(message.blocks).toBeUndefined();
  });

  it('started after waiting for the service: for whom and how long', () => {
    const turn = {
      state: 'holding' as const,
      since: at(200),
      waited: { for: 'PG-0041', since: T0 },
    };
    expect(milestoneMessage(sub, run({ turn }), 'started').text).toBe(
      ':gear: Pipeline started (attempt 2) after waiting 3m 20s for *PG-0041* to finish: building `europe-docker.pkg.dev/pg-bot-1/playground/my-service:pg-0042-r1`',
    );
  });

  it('failed: the step, the detail, the log tail, the build log, the partner, Retry, Cancel, Edit and resubmit and Show log', () => {
    const message = milestoneMessage(sub, failedAtTest(), 'failed');
    const text = allText(message);
    expect(text).toContain(':x: *PG-0042* failed at *Acceptance test* (attempt 2).');
    expect(text).toContain('>check_service.py exited with 1');
    expect(text).toContain(
      'Last lines of the log:\n```\nStep #2 - "test": collecting\nAssertionError: expected 3 bands, got 4\n```',
    );
    expect(text).toContain(`<${LOG_URL}|Build log>`);
    expect(text).toContain(`<@${PARTNER}>`);
    expect(text).toContain('Retry starts a new build of the same revision.');
    const [retry, cancel, resubmit, showLog] = buttons(message);
    expect(retry).toMatchObject({ action_id: ACTION_ID.retry, value: 'PG-0042', style: 'primary' });
    expect(cancel).toMatchObject({ action_id: ACTION_ID.cancel, value: 'PG-0042' });
    // The partner's way on: a fixed revision, reviewed again in this thread.
    expect(resubmit).toMatchObject({ action_id: ACTION_ID.resubmit, value: 'PG-0042' });
    expect(showLog).toMatchObject({ action_id: ACTION_ID.show_log, value: 'PG-0042:2' });
    expect(text).toContain('you can edit and resubmit it as revision');
    expect(ACTION_ID.retry).toBe('retry');
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
  });

  it('failed at deploy: links the App Engine console and says the image is reused', () => {
    const r = run({
      steps: steps({ render: 'done', wrap: 'done', test: 'done', push: 'done', deploy: 'failed' }),
      buildLogUrl: LOG_URL,
      consoleUrl: CONSOLE_URL,
      imageDigest: `sha256:${'b'.repeat(64)}`,
      failure: { step: 'deploy', detail: 'readiness check failed' },
    });
    const text = allText(milestoneMessage(sub, r, 'failed'));
    expect(text).toContain('failed at *Deploy to App Engine*');
    expect(text).toContain('App Engine console>');
    expect(text).not.toContain('Build log');
    expect(text).not.toContain('Last lines of the log');
    expect(text).toContain('Retry reuses the image already pushed');
  });

  it('live: the URL, promoted or not, the partner mentioned', () => {
    const message = milestoneMessage(sub, live(), 'live');
    const text = allText(message);
    expect(text).toContain(
      `:large_green_circle: *PG-0042* is live: <${VERSION_URL}|${VERSION_URL}>`,
    );
    expect(text).toContain('Traffic moved to this version.');
    expect(text).toContain(`<@${PARTNER}>`);

    const noPromote = live();
    noPromote.promote = false;
    noPromote.steps.promote = { state: 'skipped' };
    expect(allText(milestoneMessage(sub, noPromote, 'live'))).toContain(
      'Reachable at its own URL; the current version keeps serving.',
    );
  });

  it('cancelled: who cancelled', () => {
    const r = run({ steps: steps({ render: 'done', wrap: 'cancelled' }) });
    expect(milestoneMessage(sub, r, 'cancelled', { by: { userId: APPROVER } }).text).toBe(
      `:no_entry_sign: Pipeline cancelled by <@${APPROVER}> during *Wrap the image* (attempt 2). Nothing more is deployed from it.`,
    );
    const byEvent: Submission = {
      ...sub,
      lastEvent: { at: T0, actor: { userId: PARTNER }, action: 'cancel' },
    };
    expect(milestoneMessage(byEvent, r, 'cancelled').text).toContain(`cancelled by <@${PARTNER}>`);
  });

  it('escapes hostile failure text and log lines and stays within Slack limits', () => {
    const r = failedAtTest({
      failure: {
        step: 'test',
        detail: `<!channel> <@U0EVIL001> ${'&<>'.repeat(3000)}`,
        logTail: Array.from({ length: 2000 }, (_, i) => `<!here> ${i} \`\`\` ${'&'.repeat(900)}`),
      },
    });
    for (const message of [
      milestoneMessage(sub, r, 'failed'),
      partnerOutcomeMessage(sub, r, 'failed'),
    ]) {
      expect(allText(message)).not.toMatch(/<!channel>|<!here>|<@U0EVIL001>/);
      expect(validateMessageBlocks(message.blocks)).toEqual([]);
      expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
    }
  });
});

describe('partnerOutcomeMessage', () => {
  const sub = submission({ status: 'live' });

  it('live: the URL and how to try it', () => {
    const message = partnerOutcomeMessage(sub, live(), 'live');
    const text = allText(message);
    expect(text).toContain(
      `*PG-0042* (\`my-service\`) is live on the Playground: <${VERSION_URL}|`,
    );
    expect(text).toContain(`\`\`\`curl ${VERSION_URL}/api/v1/health\`\`\``);
    expect(text).toContain('It now serves all traffic of `my-service`.');
    expect(text).not.toContain('pg-prod`');
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
  });

  it('failed: the step, what to do, and the log tail; no internal links', () => {
    const message = partnerOutcomeMessage(sub, failedAtTest(), 'failed');
    const text = allText(message);
    expect(text).toContain('could not be deployed: the *Acceptance test* step failed.');
    expect(text).toContain('The acceptance test runs your predictor');
    expect(text).toContain('may retry it');
    expect(text).toContain('AssertionError: expected 3 bands, got 4');
    expect(text).not.toContain(LOG_URL);
    // Fix it and submit again, in the same thread: the form filled with the last revision.
    // …and the failed step's last lines, for this attempt.
    expect(buttons(message)).toEqual([
      expect.objectContaining({
        action_id: ACTION_ID.resubmit,
        value: 'PG-0042',
        style: 'primary',
      }),
      expect.objectContaining({ action_id: ACTION_ID.show_log, value: 'PG-0042:2' }),
    ]);
    expect(text).toContain(`Resubmitting creates revision ${sub.revision + 1}`);
  });
});
