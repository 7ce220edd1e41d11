// The outbox's deliverer against the Firestore emulator and the Slack stand-in failing on
// cue: each message once and in order, retried while a failure may pass (Retry-After
// honoured), recorded with advice when it cannot, found again by its key when its answer
// was lost, taken over from a dead instance, shared by two instances; the status message
// posted once and updated in place with the newest state, at most once per window.
// (It replaces the tests of the ProgressReporter, whose in-memory coalescing it took over.)
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKLIST, type PipelineRun } from '../../src/domain/pipeline-run.ts';
import type { Submission } from '../../src/domain/submission.ts';
import { createLogger } from '../../src/log.ts';
import {
  decisionMessages,
  type MessageIntent,
  milestoneMessages,
  submittedMessages,
} from '../../src/ports/notifier.ts';
import { SlackMessages } from '../../src/slack/announce.ts';
import { Deliverer, type DelivererOptions } from '../../src/slack/deliverer.ts';
import { statusMessage } from '../../src/slack/views/progress.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { eventually } from '../helpers/eventually.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import {
  APPROVER,
  client,
  PARTNER,
  REVIEW_CHANNEL,
  sharedStandIn,
} from '../local/slack-api/fixtures.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { hold, newSubmission, requestId } from '../store/fixtures.ts';

const fs = useTestFirestore();
const slack = sharedStandIn();
const NOW = new Date('2025-03-04T14:05:00Z');
const WINDOW = 200;

type LogLine = Record<string, unknown> & { severity: string; message: string };

const running: Deliverer[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
});

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

/** A store and a running deliverer on it, with fast tuning. */
function start(options: Partial<DelivererOptions> & { store?: FirestoreStore } = {}) {
  const store = options.store ?? new FirestoreStore(fs.db);
  const { logger: log, lines } = logger();
  const messages = new SlackMessages({
    client: client(slack.api, { rejectRateLimitedCalls: true }),
    reviewChannel: REVIEW_CHANNEL,
    logger: log,
    now: () => NOW,
  });
  const deliverer = new Deliverer({
    store,
    messages,
    owner: `d-${Math.random().toString(36).slice(2, 8)}`,
    logger: log,
    leaseMs: 2_000,
    discoverMs: 100,
    backoffMs: 50,
    maxBackoffMs: 400,
    updateIntervalMs: WINDOW,
    callTimeoutMs: 300,
    ...options,
  });
  deliverer.run();
  running.push(deliverer);
  return { store, deliverer, lines };
}

async function submitted(store: FirestoreStore): Promise<Submission> {
  const { submission } = await store.create({
    ...newSubmission({ partner: { userId: PARTNER } }),
    messages: submittedMessages({ revision: 1 }, { userId: PARTNER }),
  });
  return submission;
}

/** The submission once its review message is posted (its thread set). */
function posted(store: FirestoreStore, id: string): Promise<Submission> {
  return eventually(async () => {
    const current = await store.get(id);
    if (!current?.thread) throw new Error(`${id} has no thread yet`);
    return current;
  }, 15_000);
}

const roots = () => slack.api.messages(REVIEW_CHANNEL);
const dms = (user: string) =>
  slack.api.callsTo('chat.postMessage').filter((c) => c.args.channel === user && c.ok);
const text = (m: { text?: string } | undefined) => m?.text ?? '';

describe('the review message and the partner', () => {
  it('posts a new submission once, sets its thread, then tells the partner with a link', async () => {
    const { store } = start();
    const { id } = await submitted(store);
    const current = await posted(store, id);
    expect(roots()).toHaveLength(1);
    expect(current.thread).toEqual({ channel: REVIEW_CHANNEL, ts: roots()[0]?.ts });
    await eventually(() => expect(dms(PARTNER)).toHaveLength(1));
    expect(JSON.stringify(dms(PARTNER)[0]?.args)).toContain('review thread');
    // Each post carries its key, so a lost answer can be found again.
    expect(slack.api.callsTo('chat.postMessage')[0]?.args.metadata).toEqual({
      event_type: 'playground_message',
      event_payload: { submission: id, key: 'r1_review' },
    });
  });

  it('retries a failure that may pass until Slack takes it, and posts once', async () => {
    slack.api.fail('chat.postMessage', { kind: 'error', error: 'internal_error' }, { times: 2 });
    const { store, lines } = start();
    const { id } = await submitted(store);
    await posted(store, id);
    expect(roots()).toHaveLength(1);
    await eventually(() => expect(dms(PARTNER)).toHaveLength(1));
    expect(
      lines.filter((l) => l.message === 'message not delivered yet; will try again'),
    ).toHaveLength(2);
  });

  it('waits as long as Retry-After says before trying again', async () => {
    slack.api.fail('chat.postMessage', { kind: 'ratelimited', retryAfterSec: 1 });
    const { store } = start();
    const { id } = await submitted(store);
    await posted(store, id);
    const [refused, took] = slack.api.callsTo('chat.postMessage');
    expect(refused?.status).toBe(429);
    expect((took?.time ?? 0) - (refused?.time ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(roots()).toHaveLength(1);
  });

  it('records an error no retry fixes, with advice, logs it, and still says the rest', async () => {
    slack.api.fail('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const { store, lines } = start();
    const { id } = await submitted(store);
    await eventually(() => expect(dms(PARTNER)).toHaveLength(1));
    const [failed] = await store.undeliverable();
    expect(failed?.submission.id).toBe(id);
    expect(failed?.entry).toMatchObject({
      key: 'r1_review',
      state: 'failed',
      error: 'not_in_channel',
    });
    expect(failed?.entry.advice).toMatch(/invite the bot/);
    expect(
      lines.some((l) => l.severity === 'ERROR' && /not_in_channel; invite/.test(l.message)),
    ).toBe(true);
    // Never tried again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      slack.api.callsTo('chat.postMessage').filter((c) => c.args.channel === REVIEW_CHANNEL),
    ).toHaveLength(1);
    expect(roots()).toHaveLength(0);
  });

  it('finds a post whose answer was lost by its key, and does not post it again', async () => {
    // Slack carries the post out after 500 ms; the deliverer gave up on it at 300 ms.
    slack.api.fail('chat.postMessage', { kind: 'stall', ms: 500 });
    const { store, lines } = start();
    const { id } = await submitted(store);
    const current = await posted(store, id);
    expect(roots()).toHaveLength(1);
    expect(current.thread?.ts).toBe(roots()[0]?.ts);
    expect(lines.some((l) => l.message === 'message found posted; not posting again')).toBe(true);
    expect(slack.api.callsTo('conversations.history').length).toBeGreaterThan(0);
  });

  it('posts anyway, with a warning, when Slack will not let it look (no history scope)', async () => {
    slack.api.fail('chat.postMessage', { kind: 'stall', ms: 500 });
    slack.api.fail('conversations.history', { kind: 'error', error: 'missing_scope' });
    const { store, lines } = start();
    const { id } = await submitted(store);
    await posted(store, id);
    expect(lines.some((l) => /could not look for an earlier post/.test(l.message))).toBe(true);
    // Once too often (the stalled post landed too) rather than never.
    await eventually(() => expect(roots()).toHaveLength(2));
  });
});

describe('instances', () => {
  it('waits for a dead instance’s lease to expire, then delivers what it left', async () => {
    const store = new FirestoreStore(fs.db);
    const { id } = await submitted(store);
    expect(await store.leaseOutbox(id, 'dead-instance', 1_000)).toBe(true);
    const started = Date.now();
    start({ store });
    await posted(store, id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(roots()).toHaveLength(1);
  });

  it('two instances delivering at once say each message once', async () => {
    const a = start();
    const b = start({ store: new FirestoreStore(fs.db) });
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) ids.push((await submitted(i % 2 ? a.store : b.store)).id);
    for (const id of ids) await posted(a.store, id);
    await eventually(() => expect(dms(PARTNER)).toHaveLength(8), 10_000);
    expect(roots()).toHaveLength(8);
    const keys = slack.api
      .callsTo('chat.postMessage')
      .filter((c) => c.ok)
      .map((c) => JSON.stringify(c.args.metadata));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('decisions', () => {
  it('updates the root, replies in the thread, tells the partner, in that order, each once after a failure', async () => {
    const { store } = start();
    const { id } = await submitted(store);
    await posted(store, id);
    await eventually(() => expect(dms(PARTNER)).toHaveLength(1));
    slack.api.fail('chat.update', { kind: 'error', error: 'internal_error' });
    slack.api.fail(
      'chat.postMessage',
      { kind: 'error', error: 'service_unavailable' },
      { times: 2 },
    );
    const decision = { action: 'reject' as const, actor: { userId: APPROVER }, reason: 'No.' };
    await store.apply(id, 'reject', {
      actor: decision.actor,
      requestId: requestId(),
      patch: { reason: 'No.' },
      messages: decisionMessages(decision),
    });
    await eventually(() => expect(dms(PARTNER)).toHaveLength(2));
    const [root] = roots();
    expect(JSON.stringify(root?.blocks)).toMatch(/Rejected/);
    expect(root?.replies.map((r) => text(r))).toEqual([expect.stringMatching(/Rejected by/)]);
    const ok = slack.api.calls.filter((c) => c.ok && c.method.startsWith('chat.'));
    expect(ok.map((c) => c.method).slice(-3)).toEqual([
      'chat.update',
      'chat.postMessage',
      'chat.postMessage',
    ]);
  });
});

describe('the pipeline status message', () => {
  /** A submission with its thread and a pipeline lease, and ten states of its run. */
  async function pipeline() {
    const env = start();
    const { id } = await submitted(env.store);
    await posted(env.store, id);
    // A run lives only under an approval (the store refuses it otherwise).
    const by = { userId: APPROVER };
    const approval = { project: 'pg-prod', promote: true, by, at: NOW };
    await env.store.apply(id, 'approve', {
      actor: by,
      requestId: requestId(),
      patch: { approval },
    });
    await hold(env.store, id, 'tracker');
    const states: PipelineRun[] = [];
    const run = sampleRun();
    for (const step of CHECKLIST.slice(0, 5)) {
      run.steps[step] = { state: 'done', startedAt: NOW, endedAt: NOW };
      states.push(structuredClone(run));
    }
    const save = (state: PipelineRun, messages: MessageIntent[]) =>
      env.store.saveRun(id, 'tracker', state, undefined, messages);
    return { ...env, id, states, save };
  }

  const status = (attempt = 1): MessageIntent[] => [{ kind: 'status', attempt }];
  /** The status message's text ("PG-0042 · attempt 1: 5 of 7 steps done"). */
  const STATUS = /^PG-\d+ · attempt 1:/;
  const replies = () => roots()[0]?.replies ?? [];

  it('is posted once before the milestone, then updated in place with the newest state, once per window', async () => {
    const { store, id, states, save } = await pipeline();
    await save(states[0] as PipelineRun, milestoneMessages(1, 'started'));
    for (const state of states.slice(1)) await save(state, status());
    await eventually(async () => {
      const shown = replies().find((r) => STATUS.test(text(r)));
      const current = await store.get(id);
      expect(JSON.stringify(shown?.blocks)).toBe(
        JSON.stringify(statusMessage(current as Submission, states[4] as PipelineRun, NOW).blocks),
      );
      expect(replies()).toHaveLength(2);
    });
    // One status message, before the "Pipeline started" reply; its ts on the run.
    const [first, second] = replies();
    expect(text(first)).toMatch(STATUS);
    expect(text(second)).toMatch(/Pipeline started/);
    expect(replies()).toHaveLength(2);
    expect((await store.get(id))?.pipeline?.statusMessage?.ts).toBe(first?.ts);
    const times = slack.api
      .callsTo('chat.update')
      .filter((c) => c.ok)
      .map((c) => c.time);
    expect(times.length).toBeLessThan(states.length);
    for (let i = 1; i < times.length; i += 1) {
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(WINDOW - 20);
    }
  });

  it('a status update failing once is sent again, and still shows the newest state', async () => {
    const { store, id, states, save } = await pipeline();
    await save(states[0] as PipelineRun, milestoneMessages(1, 'started'));
    await eventually(() => expect(replies()).toHaveLength(2));
    slack.api.fail('chat.update', { kind: 'ratelimited', retryAfterSec: 1 });
    await save(states[1] as PipelineRun, status());
    await save(states[4] as PipelineRun, status());
    await eventually(async () => {
      const current = await store.get(id);
      const shown = replies()[0];
      expect(JSON.stringify(shown?.blocks)).toBe(
        JSON.stringify(statusMessage(current as Submission, states[4] as PipelineRun, NOW).blocks),
      );
    }, 5_000);
    expect(replies()).toHaveLength(2);
  });

  it('each milestone failing once is posted once; failed also updates the root and tells the partner', async () => {
    const { states, save } = await pipeline();
    slack.api.fail('chat.postMessage', { kind: 'error', error: 'internal_error' }, { times: 2 });
    await save(states[0] as PipelineRun, milestoneMessages(1, 'started'));
    const failed = {
      ...(states[1] as PipelineRun),
      failure: { step: 'test' as const, detail: 'the check failed' },
      announced: { started: 1 },
    };
    slack.api.fail('chat.postMessage', { kind: 'http', status: 503 });
    await save(failed, milestoneMessages(1, 'failed'));
    await eventually(() => expect(dms(PARTNER)).toHaveLength(2));
    const texts = replies().map((r) => text(r));
    expect(texts.filter((t) => /Pipeline started/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /^PG-\d+ failed/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => STATUS.test(t))).toHaveLength(1);
    // The root message is brought up to date for an end.
    expect(roots()[0]?.edited).toBeDefined();
  });
});
