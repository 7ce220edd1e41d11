// ProgressReporter against the real WebClient and the Slack Web API stand-in: the status
// message in the thread, coalesced in-place updates (one per window, newest state only,
// never two in flight), Slack 429 during updates (nothing lost, order kept), flush,
// milestones in the thread and the partner's DM, and errors that never reach the tracker.
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHECKLIST, type PipelineRun, type StepName } from '../../src/domain/pipeline-run.ts';
import type { Submission } from '../../src/domain/submission.ts';
import type { SlackApiStandIn } from '../../src/local/slack-api/server.ts';
import type { RecordedCall } from '../../src/local/slack-api/types.ts';
import { createLogger } from '../../src/log.ts';
import { ProgressReporter } from '../../src/slack/progress.ts';
import {
  milestoneMessage,
  partnerOutcomeMessage,
  statusMessage,
} from '../../src/slack/views/progress.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import {
  APPROVER,
  client,
  PARTNER,
  REVIEW_CHANNEL,
  standIn,
  type WebClient,
} from '../local/slack-api/fixtures.ts';

const NOW = new Date('2025-03-04T14:05:00Z');
const now = () => NOW;
const WINDOW = 300;

type LogLine = Record<string, unknown> & { severity: string; message: string };

function logger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

function submissionIn(thread: { channel: string; ts: string }): Submission {
  return {
    id: 'PG-0042',
    status: 'building',
    partner: { userId: PARTNER, name: 'Pat Partner' },
    revision: 1,
    revisions: [
      {
        number: 1,
        spec: sampleSpec(),
        warnings: [],
        submittedBy: { userId: PARTNER },
        submittedAt: NOW,
      },
    ],
    thread,
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/**
 * Twelve distinct states of one run, in order: each step running then done, then live.
 * `states[i]` is what the tracker would hand over at its i-th change.
 */
function progression(): PipelineRun[] {
  const states: PipelineRun[] = [];
  const run = sampleRun({
    buildLogUrl: 'https://console.cloud.google.com/cloud-build/builds/b-1?project=pg-bot-1',
  });
  let t = NOW.getTime() - 600_000;
  const step = (name: StepName, state: 'running' | 'done') => {
    t += 7_000;
    run.steps[name] =
      state === 'running'
        ? { state, startedAt: new Date(t) }
        : { ...run.steps[name], state, endedAt: new Date(t) };
    states.push(structuredClone(run));
  };
  for (const name of CHECKLIST) {
    step(name, 'running');
    step(name, 'done');
  }
  const last = states[states.length - 1];
  if (last) last.versionUrl = 'https://pg-0042-r1-dot-my-service-dot-pg-prod.appspot.com';
  return states;
}

interface Setup {
  api: SlackApiStandIn;
  web: WebClient;
  submission: Submission;
  states: PipelineRun[];
  lines: LogLine[];
  reporter: ProgressReporter;
  /** Posts the status message (state 0) and stores where it is in every state. */
  post(): Promise<{ channel: string; ts: string }>;
  /** Index in `states` shown by a recorded chat.update call. */
  stateOf(call: RecordedCall): number;
  /** The status message as the stand-in stores it now. */
  stored(): { text: string; blocks?: unknown[] };
}

const opened: SlackApiStandIn[] = [];
const reporters: ProgressReporter[] = [];

afterEach(async () => {
  for (const reporter of reporters.splice(0)) reporter.close();
  await Promise.all(opened.splice(0).map((api) => api.close()));
});

async function setup(
  options: { web?: (api: SlackApiStandIn) => WebClient; minIntervalMs?: number } = {},
): Promise<Setup> {
  const { api, web: defaultWeb } = await standIn();
  opened.push(api);
  const web = options.web ? options.web(api) : defaultWeb;
  const root = await web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'PG-0042 review' });
  const submission = submissionIn({ channel: REVIEW_CHANNEL, ts: root.ts ?? '' });
  const states = progression();
  const { logger: log, lines } = logger();
  const reporter = new ProgressReporter({
    client: web,
    logger: log,
    minIntervalMs: options.minIntervalMs ?? WINDOW,
    now,
  });
  reporters.push(reporter);
  const rendered = states.map((s) => JSON.stringify(statusMessage(submission, s, NOW).blocks));
  const setupValue: Setup = {
    api,
    web,
    submission,
    states,
    lines,
    reporter,
    async post() {
      const first = states[0] as PipelineRun;
      const where = await reporter.postStatus(submission, first);
      for (const s of states) s.statusMessage = where;
      return where;
    },
    stateOf(call) {
      const index = rendered.indexOf(JSON.stringify(call.args.blocks));
      if (index < 0) throw new Error('a chat.update call with blocks of no known state');
      return index;
    },
    stored() {
      const replies = api.messages(REVIEW_CHANNEL)[0]?.replies ?? [];
      const status = replies.find((m) => m.ts === states[0]?.statusMessage?.ts);
      if (!status) throw new Error('no status message in the thread');
      return status;
    },
  };
  return setupValue;
}

const updates = (api: SlackApiStandIn) => api.callsTo('chat.update');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Non-decreasing: no older state was sent after a newer one. */
function inOrder(indexes: number[]): boolean {
  return indexes.every((value, i) => i === 0 || value >= (indexes[i - 1] ?? 0));
}

/** Counts chat.update calls in flight at once, through the real client. */
function trackConcurrency(web: WebClient): { max: () => number } {
  let current = 0;
  let max = 0;
  const original = web.chat.update.bind(web.chat);
  vi.spyOn(web.chat, 'update').mockImplementation(async (args) => {
    current += 1;
    max = Math.max(max, current);
    try {
      return await original(args);
    } finally {
      current -= 1;
    }
  });
  return { max: () => max };
}

describe('ProgressReporter.postStatus', () => {
  it('posts the status message as a reply in the thread and says where it is', async () => {
    const s = await setup();
    const where = await s.post();
    expect(where.channel).toBe(REVIEW_CHANNEL);
    const thread = s.api.messages(REVIEW_CHANNEL)[0];
    expect(thread?.replies).toHaveLength(1);
    expect(thread?.replies[0]?.ts).toBe(where.ts);
    expect(thread?.replies[0]?.thread_ts).toBe(s.submission.thread?.ts);
    const expected = statusMessage(s.submission, s.states[0] as PipelineRun, NOW);
    expect(s.stored().text).toBe(expected.text);
    expect(s.stored().blocks).toEqual(JSON.parse(JSON.stringify(expected.blocks)));
  });

  it('throws (and logs with the submission id) when Slack refuses', async () => {
    const s = await setup();
    const orphan = { ...s.submission, thread: { channel: REVIEW_CHANNEL, ts: '1.000000' } };
    await expect(s.reporter.postStatus(orphan, s.states[0] as PipelineRun)).rejects.toThrow(
      /thread_not_found/,
    );
    expect(s.lines).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', submissionId: 'PG-0042' }),
    );
    const noThread: Submission = { ...s.submission };
    delete noThread.thread;
    await expect(s.reporter.postStatus(noThread, s.states[0] as PipelineRun)).rejects.toThrow(
      /no review thread/,
    );
  });
});

describe('ProgressReporter.update', () => {
  it('coalesces: 10 rapid updates send the first at once, then only the newest after the window', async () => {
    const s = await setup();
    await s.post();
    const concurrency = trackConcurrency(s.web);
    const started = performance.now();
    for (let i = 1; i <= 10; i++) s.reporter.update(s.submission, s.states[i] as PipelineRun);

    await vi.waitFor(() => expect(updates(s.api)).toHaveLength(1), { interval: 5 });
    expect(performance.now() - started).toBeLessThan(WINDOW);
    expect(s.stateOf(updates(s.api)[0] as RecordedCall)).toBe(1);

    await s.reporter.flush();
    const calls = updates(s.api);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => s.stateOf(c))).toEqual([1, 10]);
    expect(calls.every((c) => c.ok)).toBe(true);
    expect((calls[1]?.time ?? 0) - (calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(WINDOW - 50);
    expect(concurrency.max()).toBe(1);

    const newest = statusMessage(s.submission, s.states[10] as PipelineRun, NOW);
    expect(s.stored().text).toBe(newest.text);
    expect(s.stored().blocks).toEqual(JSON.parse(JSON.stringify(newest.blocks)));

    // Nothing else goes out afterwards.
    await sleep(WINDOW + 100);
    expect(updates(s.api)).toHaveLength(2);
    expect(s.reporter.pendingCount()).toBe(0);
  });

  it('keeps to one update per window under a steady stream of changes', async () => {
    const s = await setup();
    await s.post();
    const started = performance.now();
    for (let i = 1; i < s.states.length; i++) {
      s.reporter.update(s.submission, s.states[i] as PipelineRun);
      await sleep(60);
    }
    await s.reporter.flush();
    const elapsed = performance.now() - started;
    const calls = updates(s.api);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(elapsed / WINDOW) + 1);
    expect(calls.length).toBeLessThan(s.states.length - 1);
    for (let i = 1; i < calls.length; i++) {
      expect((calls[i]?.time ?? 0) - (calls[i - 1]?.time ?? 0)).toBeGreaterThanOrEqual(WINDOW - 50);
    }
    const indexes = calls.map((c) => s.stateOf(c));
    expect(inOrder(indexes)).toBe(true);
    expect(indexes.at(-1)).toBe(s.states.length - 1);
  });

  it('snapshots the state handed over: later changes to the objects are not shown by accident', async () => {
    const s = await setup();
    await s.post();
    const run = structuredClone(s.states[1] as PipelineRun);
    s.reporter.update(s.submission, s.states[2] as PipelineRun);
    s.reporter.update(s.submission, run);
    run.versionId = 'changed-later';
    await s.reporter.flush();
    expect(updates(s.api).map((c) => s.stateOf(c))).toEqual([2, 1]);
  });

  it('survives 429 with Retry-After when the client retries: nothing lost, order kept', async () => {
    const s = await setup({
      // The app's own client retries; here with short pauses besides Retry-After.
      web: (api) => client(api, { retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 20 } }),
    });
    await s.post();
    const concurrency = trackConcurrency(s.web);
    s.api.rateLimit('chat.update', { times: 2, retryAfterSec: 1 });

    s.reporter.update(s.submission, s.states[1] as PipelineRun);
    for (let i = 2; i < s.states.length; i++) {
      await sleep(80);
      s.reporter.update(s.submission, s.states[i] as PipelineRun);
    }
    await s.reporter.flush();

    const calls = updates(s.api);
    const last = s.states.length - 1;
    expect(calls.map((c) => [c.status, s.stateOf(c)])).toEqual([
      [429, 1],
      [429, 1],
      [200, 1],
      [200, last],
    ]);
    // The client waited Retry-After between attempts.
    expect((calls[1]?.time ?? 0) - (calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(950);
    expect((calls[2]?.time ?? 0) - (calls[1]?.time ?? 0)).toBeGreaterThanOrEqual(950);
    expect(concurrency.max()).toBe(1);
    const newest = statusMessage(s.submission, s.states[last] as PipelineRun, NOW);
    expect(s.stored().blocks).toEqual(JSON.parse(JSON.stringify(newest.blocks)));
    expect(s.reporter.pendingCount()).toBe(0);
  });

  it('survives 429 when the client gives up: the newest state is retried, never an older one', async () => {
    // retries: 0 — the client waits Retry-After, then rejects; the reporter tries again.
    const s = await setup();
    await s.post();
    const concurrency = trackConcurrency(s.web);
    s.api.rateLimit('chat.update', { times: 2, retryAfterSec: 1 });

    s.reporter.update(s.submission, s.states[1] as PipelineRun);
    for (let i = 2; i <= 6; i++) {
      await sleep(80);
      s.reporter.update(s.submission, s.states[i] as PipelineRun);
    }
    await vi.waitFor(() => expect(s.reporter.pendingCount()).toBe(0), {
      timeout: 15_000,
      interval: 50,
    });
    // A late change after the storm still goes out.
    const last = s.states.length - 1;
    s.reporter.update(s.submission, s.states[last] as PipelineRun);
    await s.reporter.flush();

    const calls = updates(s.api);
    expect(calls.map((c) => [c.status, s.stateOf(c)])).toEqual([
      [429, 1],
      [429, 6],
      [200, 6],
      [200, last],
    ]);
    expect(inOrder(calls.map((c) => s.stateOf(c)))).toBe(true);
    expect(concurrency.max()).toBe(1);
    const newest = statusMessage(s.submission, s.states[last] as PipelineRun, NOW);
    expect(s.stored().blocks).toEqual(JSON.parse(JSON.stringify(newest.blocks)));
    const warnings = s.lines.filter((l) => l.severity === 'WARNING');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ submissionId: 'PG-0042', failures: 1 });
    expect(warnings[1]).toMatchObject({ submissionId: 'PG-0042', failures: 2 });
  });

  it('honours Retry-After itself when the client rejects rate-limited calls', async () => {
    const s = await setup({ web: (api) => client(api, { rejectRateLimitedCalls: true }) });
    await s.post();
    s.api.rateLimit('chat.update', { times: 1, retryAfterSec: 1 });
    s.reporter.update(s.submission, s.states[3] as PipelineRun);
    await vi.waitFor(() => expect(s.reporter.pendingCount()).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });
    const calls = updates(s.api);
    expect(calls.map((c) => [c.status, s.stateOf(c)])).toEqual([
      [429, 3],
      [200, 3],
    ]);
    expect((calls[1]?.time ?? 0) - (calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(950);
    expect(s.lines).toContainEqual(
      expect.objectContaining({
        severity: 'WARNING',
        submissionId: 'PG-0042',
        reason: 'ratelimited',
      }),
    );
  });

  it('never throws into the tracker: a refused update is logged and waits for the next one', async () => {
    const s = await setup();
    await s.post();
    const gone = { channel: REVIEW_CHANNEL, ts: '1.000001' };
    const run = { ...(s.states[2] as PipelineRun), statusMessage: gone };
    expect(() => s.reporter.update(s.submission, run)).not.toThrow();
    await s.reporter.flush();
    expect(updates(s.api).map((c) => c.error)).toEqual(['message_not_found']);
    expect(s.lines).toContainEqual(
      expect.objectContaining({
        severity: 'WARNING',
        submissionId: 'PG-0042',
        reason: 'message_not_found',
      }),
    );
    // Kept, not retried on its own (the same content would fail the same way)...
    expect(s.reporter.pendingCount()).toBe(1);
    await sleep(WINDOW * 2);
    expect(updates(s.api)).toHaveLength(1);
    // ...and tried again with the newest state at the next update.
    s.reporter.update(s.submission, { ...(s.states[3] as PipelineRun), statusMessage: gone });
    await s.reporter.flush();
    expect(updates(s.api)).toHaveLength(2);

    // A run without a status message is ignored, with a warning.
    const bare = { ...(s.states[1] as PipelineRun) };
    delete bare.statusMessage;
    expect(() => s.reporter.update(s.submission, bare)).not.toThrow();
    expect(s.lines.at(-1)).toMatchObject({ severity: 'WARNING', submissionId: 'PG-0042' });
  });
});

describe('ProgressReporter.flush', () => {
  it('resolves at once when nothing is pending, else once the newest state is shown', async () => {
    const s = await setup();
    await s.post();
    await s.reporter.flush();
    expect(updates(s.api)).toHaveLength(0);

    s.reporter.update(s.submission, s.states[1] as PipelineRun);
    await s.reporter.flush();
    expect(updates(s.api)).toHaveLength(1);

    // Within the window: flush waits for it rather than breaking it.
    const started = performance.now();
    s.reporter.update(s.submission, s.states[4] as PipelineRun);
    s.reporter.update(s.submission, s.states[5] as PipelineRun);
    await s.reporter.flush();
    expect(performance.now() - started).toBeGreaterThanOrEqual(WINDOW - 100);
    expect(updates(s.api).map((c) => s.stateOf(c))).toEqual([1, 5]);
    expect(s.reporter.pendingCount()).toBe(0);
    const newest = statusMessage(s.submission, s.states[5] as PipelineRun, NOW);
    expect(s.stored().blocks).toEqual(JSON.parse(JSON.stringify(newest.blocks)));
  });

  it('flushes every status message at once', async () => {
    const s = await setup();
    await s.post();
    const other = await s.web.chat.postMessage({ channel: REVIEW_CHANNEL, text: 'PG-0043' });
    // Another thread (same id, so the states render alike and can be recognised).
    const second = {
      ...s.submission,
      thread: { channel: REVIEW_CHANNEL, ts: other.ts ?? '' },
    };
    const where = await s.reporter.postStatus(second, s.states[0] as PipelineRun);
    for (const i of [1, 2, 3]) {
      s.reporter.update(s.submission, s.states[i] as PipelineRun);
      s.reporter.update(second, { ...(s.states[i + 3] as PipelineRun), statusMessage: where });
    }
    await s.reporter.flush();
    const calls = updates(s.api);
    expect(calls).toHaveLength(4);
    const byMessage = (ts: string) =>
      calls.filter((c) => c.args.ts === ts).map((c) => s.stateOf(c));
    expect(byMessage(s.states[0]?.statusMessage?.ts ?? '')).toEqual([1, 3]);
    expect(byMessage(where.ts)).toEqual([4, 6]);
  });
});

describe('ProgressReporter.milestone', () => {
  function dmOf(api: SlackApiStandIn) {
    const call = api.callsTo('chat.postMessage').find((c) => c.args.channel === PARTNER);
    const channel = (call?.response as { channel?: string } | undefined)?.channel;
    return channel ? api.messages(channel) : [];
  }

  it('started: a thread reply after the status message is up to date; no DM', async () => {
    const s = await setup();
    await s.post();
    s.reporter.update(s.submission, s.states[1] as PipelineRun);
    s.reporter.update(s.submission, s.states[2] as PipelineRun);
    const result = await s.reporter.milestone(s.submission, s.states[2] as PipelineRun, 'started');
    expect(result.partnerNotified).toBe(false);
    const methods = s.api.calls.slice(-3).map((c) => c.method);
    expect(methods).toEqual(['chat.update', 'chat.update', 'chat.postMessage']);
    expect(updates(s.api).map((c) => s.stateOf(c))).toEqual([1, 2]);
    const replies = s.api.messages(REVIEW_CHANNEL)[0]?.replies ?? [];
    expect(replies.map((m) => m.text)).toEqual([
      statusMessage(s.submission, s.states[2] as PipelineRun, NOW).text,
      milestoneMessage(s.submission, s.states[2] as PipelineRun, 'started').text,
    ]);
    expect(result.posted?.ts).toBe(replies[1]?.ts);
    expect(dmOf(s.api)).toEqual([]);
  });

  it('failed: the reply with Retry and Cancel in the thread, and a DM to the partner', async () => {
    const s = await setup();
    await s.post();
    const run: PipelineRun = {
      ...(s.states[4] as PipelineRun),
      failure: { step: 'test', detail: 'exit 1', logTail: ['Traceback', 'ValueError: bands'] },
    };
    run.steps = { ...run.steps, test: { ...run.steps.test, state: 'failed' } };
    s.reporter.update(s.submission, run);
    const result = await s.reporter.milestone(s.submission, run, 'failed');
    expect(result.partnerNotified).toBe(true);
    const reply = s.api.messages(REVIEW_CHANNEL)[0]?.replies.at(-1);
    const expected = milestoneMessage(s.submission, run, 'failed');
    expect(reply?.text).toBe(expected.text);
    expect(reply?.blocks).toEqual(JSON.parse(JSON.stringify(expected.blocks)));
    const actions = reply?.blocks?.find((b) => b.type === 'actions') as
      | { elements: { action_id: string; value: string }[] }
      | undefined;
    expect(actions?.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['retry', 'PG-0042'],
      ['cancel', 'PG-0042'],
    ]);
    const dm = dmOf(s.api);
    expect(dm).toHaveLength(1);
    expect(dm[0]?.text).toBe(partnerOutcomeMessage(s.submission, run, 'failed').text);
    expect(JSON.stringify(dm[0]?.blocks)).toContain('ValueError: bands');
  });

  it('live: the URL in the thread and to the partner', async () => {
    const s = await setup();
    await s.post();
    const run = s.states.at(-1) as PipelineRun;
    const result = await s.reporter.milestone(s.submission, run, 'live');
    expect(result).toMatchObject({ partnerNotified: true });
    const reply = s.api.messages(REVIEW_CHANNEL)[0]?.replies.at(-1);
    expect(reply?.text).toContain(run.versionUrl);
    expect(reply?.text).toContain(`<@${PARTNER}>`);
    expect(JSON.stringify(dmOf(s.api)[0]?.blocks)).toContain(
      `curl ${run.versionUrl}/api/v1/health`,
    );
  });

  it('cancelled: who cancelled, no DM', async () => {
    const s = await setup();
    await s.post();
    const result = await s.reporter.milestone(
      s.submission,
      s.states[3] as PipelineRun,
      'cancelled',
      {
        by: { userId: APPROVER },
      },
    );
    expect(result.partnerNotified).toBe(false);
    expect(s.api.messages(REVIEW_CHANNEL)[0]?.replies.at(-1)?.text).toContain(
      `cancelled by <@${APPROVER}>`,
    );
    expect(dmOf(s.api)).toEqual([]);
  });

  it('a failed DM is logged and reported; a failed thread reply throws so it can be tried again', async () => {
    const s = await setup();
    await s.post();
    const run = s.states.at(-1) as PipelineRun;
    const stranger: Submission = { ...s.submission, partner: { userId: 'UNOBODY001' } };
    const result = await s.reporter.milestone(stranger, run, 'live');
    expect(result.partnerNotified).toBe(false);
    expect(result.posted).toBeDefined();
    expect(s.lines).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', submissionId: 'PG-0042', milestone: 'live' }),
    );

    const lost: Submission = {
      ...s.submission,
      thread: { channel: REVIEW_CHANNEL, ts: '1.000002' },
    };
    await expect(s.reporter.milestone(lost, run, 'live')).rejects.toThrow(/thread_not_found/);
    // Nothing was sent to the partner for the attempt that failed.
    expect(
      s.api.callsTo('chat.postMessage').filter((c) => c.args.channel === PARTNER),
    ).toHaveLength(0);
  });
});

beforeEach(() => {
  vi.restoreAllMocks();
});
