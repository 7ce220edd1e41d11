// Benchmark of the answer to Slack (issue 15): time to the HTTP response for
// `/playground help`, `/playground submit` (opens the modal), the submit modal's
// view_submission (stores a submission) and the Approve click, at 1, 10 and 50 concurrent
// clients, for the real bot (createBot, as `npm start` wires it) and for a bare Bolt app
// that only acks (bench/ack-server.ts), behind the same Slack stand-in
// (bench/ack-slack.ts), each in a process of its own; correctly signed requests;
// interleaved rounds (the two take turns going first), medians over the rounds of each
// round's percentiles. A row's requests are made and signed, and its clients' connections
// opened, before its clock starts; it starts once both apps are quiet (no Slack call and
// no more CPU than their timers for 1 s: the bot's earlier follow-ups are done); the
// follow-up calls Slack refused are counted, and each app's garbage-collection pauses
// while the row ran (V8's own figures, from inside the app). In the same run: one single-document
// Firestore transaction on the emulator (p99), and stored submissions per second: each
// round ends with 1,000 view_submissions from 50 clients (BENCH_SUSTAINED), their stores
// counted. A measurement: nothing asserts beyond that count.
//
//   node bench/ack.ts                 (5 rounds of 300 requests per row and app, ~14 min)
//   BENCH_ROUNDS=3 BENCH_REQUESTS=200 BENCH_ONLY=Approve node bench/ack.ts  (rows naming it)
//   BENCH_PROFILE=1 node bench/ack.ts       (a CPU profile of the bot in /tmp/ackprof)
//
// Uses FIRESTORE_EMULATOR_HOST when set; otherwise starts (and stops) an emulator.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Firestore } from '@google-cloud/firestore';
import { startRegistry } from '../src/local/registry/server.ts';
import {
  blockActions,
  type SlackRequest,
  send,
  slackHeaders,
  slashCommand,
  viewStateValues,
  viewSubmission,
} from '../src/local/slack-api/payloads.ts';
import type { MessageWithReplies, StoredView } from '../src/local/slack-api/types.ts';
import { ACTION_ID, CALLBACK_ID } from '../src/slack/views/ids.ts';
import { createFirestore } from '../src/store/firestore-client.ts';
import { VALID_FORM } from '../test/slack/fill.ts';
import type { Question } from './ack-slack.ts';
import { closedLoop, percentile } from './closed-loop.ts';
import { withEmulator } from './emulator.ts';
import { fixed, ratio } from './table.ts';
import { APPROVER, botEnv, PARTNER, REVIEW_CHANNEL, startWorld } from './world.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** A row's requests per round: 300, since a p99 of 100 is nearly their slowest answer. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const CLIENTS = [1, 10, 50];
/**
 * Submissions per round in the throughput load (50 clients, 20 each): a row's requests are
 * a few per client, so its rate is mostly the first and last answers' latency, not a rate.
 */
const SUSTAINED = Number(process.env.BENCH_SUSTAINED ?? 1000);
const STORES = 'submit modal `view_submission` (stores)';
const CHANNEL = 'CBENCHGEN1';
const PERCENTILES = [0.5, 0.95, 0.99] as const;

type Target = 'bot' | 'bare';

/**
 * On a machine of two cores or more, Slack's side (this process, which times the clients,
 * the Slack stand-in and the emulator, which it starts) runs on core 1 and the app measured
 * on core 0, as they would on machines of their own: what the stand-in does for a bot's
 * call (views.open checks a whole modal, about 2 ms) is not counted as the bot's. Each app
 * is measured alone, so both get the same core. BENCH_PIN=0 turns it off.
 */
const PINNED = availableParallelism() >= 2 && process.env.BENCH_PIN !== '0' && pinToSlackCore();

/** Pins this process (and what it starts later) to core 1; false without taskset. */
function pinToSlackCore(): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    console.error("taskset (util-linux) not found: the apps share the cores with Slack's side");
    return false;
  }
}

/** Forks `entry` with `args` (on core 0 when `onAppCore`); resolves with the child and the first thing it tells. */
function forkChild<T>(
  entry: string,
  args: string[],
  env: Record<string, string>,
  execArgv: string[] = [],
  onAppCore = false,
): Promise<{ child: ChildProcess; told: T }> {
  const pin = PINNED && onAppCore;
  const child = fork(new URL(entry, import.meta.url), args, {
    env: { ...process.env, ...env },
    // fork runs `execPath ...execArgv entry ...args`: taskset then execs Node itself.
    ...(pin ? { execPath: 'taskset' } : {}),
    execArgv: pin ? ['-c', '0', process.execPath, ...execArgv] : execArgv,
    // The bot's log (warnings: JSON lines on stdout) is not the report's.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (told: T) => resolve({ child, told }));
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before it started`)));
  });
}

/** The Slack stand-in's process, asked over IPC. */
async function startSlack(token: string) {
  const { child, told } = await forkChild<{ url: string }>('./ack-slack.ts', [], {
    SLACK_BOT_TOKEN: token,
  });
  let next = 0;
  const waiting = new Map<number, (answer: unknown) => void>();
  child.on('message', (m: { id?: number; answer: unknown }) => {
    if (m.id !== undefined) waiting.get(m.id)?.(m.answer);
    waiting.delete(m.id ?? -1);
  });
  const ask = <T>(question: Question, ...args: string[]) =>
    new Promise<T>((resolve) => {
      const id = next++;
      waiting.set(id, resolve as (answer: unknown) => void);
      child.send({ id, ask: question, args });
    });
  return { url: told.url, child, ask };
}
type Slack = Awaited<ReturnType<typeof startSlack>>;

/**
 * The CPU time (ms, user + system) `child`, an app's process, has used so far, and the time
 * its garbage collections paused it (ms).
 */
function usage(child: ChildProcess): Promise<{ cpuMs: number; gcMs: number }> {
  return new Promise((resolve) => {
    const told = (m: { cpuUs?: number; gcMs?: number }) => {
      if (m.cpuUs === undefined) return;
      child.off('message', told);
      resolve({ cpuMs: m.cpuUs / 1000, gcMs: m.gcMs ?? 0 });
    };
    child.on('message', told);
    child.send('cpu');
  });
}

const cpuMs = async (child: ChildProcess) => (await usage(child)).cpuMs;

/** An app's CPU ms per second while nothing is asked of it (its timers: heartbeats, polls). */
async function idleCpu(child: ChildProcess, forMs = 3000): Promise<number> {
  const before = await cpuMs(child);
  await sleep(forMs);
  return ((await cpuMs(child)) - before) / (forMs / 1000);
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/** A row's requests, made before its clock starts: `count` of them, as Slack sends them. */
type Make = (count: number) => Promise<SlackRequest[]>;

/** Sends `body` (a POST) or nothing (a GET); resolves with the HTTP status once the answer is read. */
function call(
  agent: Agent,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const method = body === undefined ? 'GET' : 'POST';
    const req = httpRequest(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    // Slack gives up after 3 seconds; a bench that waits longer still ends.
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer from ${url} in 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `count` requests made by `make` and sent to `url` by `clients` concurrent callers: each
 * one's ms to the HTTP response, and the total. All are made and signed first (one
 * question to the Slack stand-in for their triggers, not two per request), so a client's
 * clock waits for nothing of this process's but the other clients' sends and answers.
 */
async function load(count: number, clients: number, make: Make, url: string, secret: string) {
  const signed = (await make(count)).map((request) => ({
    body: request.body,
    headers: slackHeaders(request, { secret }),
  }));
  // The clients' connections, kept alive through the row and opened before its clock, as
  // load tools do (wrk, autocannon): measured, the first answer on a new connection took
  // 45-143 ms at 50 clients (median), the rest 22-45 ms at p99, so 50 new ones in a row of
  // 300 were its p95 and p99. New ones each row: a server ends a connection idle for 5 s,
  // and one reused as it does so fails. A GET of / is the same 404 from either app.
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  try {
    await Promise.all(Array.from({ length: clients }, () => call(agent, new URL('/', url).href)));
    return await closedLoop(
      clients,
      count,
      (n) => signed[n] as (typeof signed)[number],
      async ({ body, headers }) => {
        const status = await call(agent, url, body, headers);
        if (status !== 200) throw new Error(`HTTP ${status} from ${url}`);
      },
    );
  } finally {
    agent.destroy();
  }
}

/** CPU an app may use in a quiet second, its timers' (about 5 ms in a second when idle). */
const QUIET_CPU_MS_PER_S = 30;

/**
 * Resolves once, for `quietMs`, the stand-in had no call and `apps` used no more CPU than
 * their timers do: the bot's follow-ups are done, those that only use Firestore (a stored
 * submission's take about 13 ms of CPU each, and no Slack call shows them) as well as those
 * that call Slack. Says so when it gives up.
 */
async function settled(slack: Slack, apps: ChildProcess[], quietMs = 1000, maxMs = 120_000) {
  const until = performance.now() + maxMs;
  const cpuNow = () => Promise.all(apps.map(cpuMs));
  let [calls, cpu] = [await slack.ask<number>('calls'), await cpuNow()];
  while (performance.now() < until) {
    await sleep(quietMs);
    const [nowCalls, nowCpu] = [await slack.ask<number>('calls'), await cpuNow()];
    const busy = nowCpu.some((ms, i) => ms - (cpu[i] ?? 0) > (QUIET_CPU_MS_PER_S * quietMs) / 1000);
    if (nowCalls === calls && !busy) return;
    [calls, cpu] = [nowCalls, nowCpu];
  }
  console.error(`the apps were still busy after ${maxMs / 1000} s: measuring anyway`);
}

type SubmitView = Parameters<typeof viewSubmission>[0]['view'];

/** The four requests, as Slack sends them: fresh triggers and view ids. */
function requests(slack: Slack, submitView: SubmitView, approveId: string) {
  const triggers = (user: string, count: number) =>
    slack.ask<string[]>('triggers', user, String(count));
  const command =
    (text: string): Make =>
    async (count) => {
      const [triggerIds, responseUrls] = await Promise.all([
        triggers(PARTNER, count),
        slack.ask<string[]>('responseUrls', PARTNER, CHANNEL, String(count)),
      ]);
      return triggerIds.map((triggerId, i) =>
        slashCommand({
          userId: PARTNER,
          text,
          channelId: CHANNEL,
          triggerId,
          responseUrl: responseUrls[i] ?? '',
        }),
      );
    };
  return {
    '`/playground help`': command('help'),
    '`/playground submit` (opens the modal)': command('submit'),
    // A view id of its own each: the bot takes a repeated one for Slack's retry.
    [STORES]: async (count) =>
      (await triggers(PARTNER, count)).map((triggerId, i) =>
        viewSubmission({
          userId: PARTNER,
          triggerId,
          view: { ...submitView, id: `VBENCH${process.hrtime.bigint()}${i}` },
        }),
      ),
    'Approve click': async (count) =>
      (await triggers(APPROVER, count)).map((triggerId) =>
        blockActions({
          userId: APPROVER,
          actionId: ACTION_ID.approve,
          blockId: 'actions',
          value: approveId,
          triggerId,
        }),
      ),
  } satisfies Record<string, Make>;
}

/** Polls `find` every 50 ms until it gives something. */
async function poll<T>(find: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let tries = 0; tries < 400; tries++) {
    const found = await find();
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`the bot ${what}`);
}

/** The submit modal as the bot opens it, filled in with a valid form. */
async function submitModal(slack: Slack, botUrl: string, secret: string): Promise<SubmitView> {
  const open = requests(slack, {} as SubmitView, '')['`/playground submit` (opens the modal)'];
  const [request] = await open(1);
  if (request) await send(botUrl, request, { secret });
  const view = await poll(async () => {
    const top = (await slack.ask<StoredView[]>('openViews', PARTNER)).at(-1);
    return top && top.callback_id !== CALLBACK_ID.loading ? top : undefined;
  }, 'opened no submit modal');
  const { callback_id, private_metadata, hash } = view;
  const values = viewStateValues(view.blocks, VALID_FORM);
  return { id: '', callback_id, private_metadata, hash, state: { values } };
}

/** A submission the bot posted for review (its id is the Approve button's value). */
function postedId(slack: Slack): Promise<string> {
  return poll(async () => {
    const [posted] = await slack.ask<MessageWithReplies[]>('messages', REVIEW_CHANNEL);
    return posted && /PG-\d+/.exec(JSON.stringify(posted))?.[0];
  }, 'posted no submission for review');
}

/**
 * Submissions stored per second by the bot under SUSTAINED view_submissions from 50 clients,
 * every answer checked: the submissions collection grew by exactly that many (an answer given
 * before the store, e.g. the slow-database advice, would not count).
 */
async function throughput(db: Firestore, make: Make, url: string, secret: string) {
  const count = async () => (await db.collection('submissions').count().get()).data().count;
  const before = await count();
  const { totalMs } = await load(SUSTAINED, 50, make, url, secret);
  const grew = (await count()) - before;
  if (grew !== SUSTAINED) throw new Error(`${SUSTAINED} answers stored ${grew} submissions`);
  return (SUSTAINED * 1000) / totalMs;
}

/** Each one's ms: `count` single-document transactions (get, then set), `clients` at once. */
async function transactions(projectId: string, count: number, clients: number) {
  const firestore = createFirestore({ projectId });
  const docs = firestore.collection('bench-transactions');
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const doc = docs.doc(`d${next++}`);
        const t = performance.now();
        await firestore.runTransaction(async (tx) => {
          const current = await tx.get(doc);
          tx.set(doc, { n: (current.data()?.n ?? 0) + 1 });
        });
        times.push(performance.now() - t);
      }
    }),
  );
  await firestore.terminate();
  return times.sort((a, b) => a - b);
}

await withEmulator(async (host) => {
  const world = await startWorld();
  const registry = await startRegistry({
    images: [{ repository: 'theplayground_repo/my_service', tag: '1.0.3' }],
  });
  const projectId = `bench-ack-${Date.now()}`;
  const base = botEnv(world, host, projectId);
  const { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: secret } = base;
  const slack = await startSlack(token);
  const env = { ...base, SLACK_API_URL: slack.url, REGISTRY_API_URL: registry.url };
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/ackprof'] : [];
  const server = async (kind: Target, execArgv: string[] = []) => {
    const { child, told } = await forkChild<{ port: number }>(
      './ack-server.ts',
      [kind],
      env,
      execArgv,
      true,
    );
    return { child, url: `http://127.0.0.1:${told.port}/slack/events` };
  };
  const servers = { bot: await server('bot', profile), bare: await server('bare') };
  const apps = [servers.bot.child, servers.bare.child];
  const db = createFirestore({ projectId });
  try {
    const view = await submitModal(slack, servers.bot.url, secret);
    const [first] = await requests(slack, view, '')[STORES](1);
    if (first) await send(servers.bot.url, first, { secret });
    const all = Object.entries(requests(slack, view, await postedId(slack)));
    const only = process.env.BENCH_ONLY;
    const kinds = all.filter(([name]) => !only || name.includes(only));
    // Warm-up, not measured: both apps load their code and open their connections.
    for (const [, make] of kinds) {
      for (const target of ['bot', 'bare'] as const) {
        await load(20, 1, make, servers[target].url, secret);
      }
    }
    const stores = kinds.find(([name]) => name === STORES);
    await settled(slack, apps);
    const idle = { bot: await idleCpu(servers.bot.child), bare: await idleCpu(servers.bare.child) };
    // Per row, per app: each round's percentiles; its CPU ms per request; how busy the
    // app's core was while the row ran, %; its garbage-collection pauses meanwhile, ms.
    const rows = new Map<string, Record<Target, number[][]>>();
    const [cpu, busy, gc] = [figures(), figures(), figures()];
    const stored = { burst: [] as number[], sustained: [] as number[] };
    // The bot's follow-up calls Slack refused (an expired trigger, say), by `method: error`.
    const refused = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      console.error(`round ${round + 1} of ${ROUNDS}…`);
      for (const [name, make] of kinds) {
        for (const clients of CLIENTS) {
          const key = `${name}|${clients}`;
          const row = rows.get(key) ?? { bot: [], bare: [] };
          rows.set(key, row);
          const order: Target[] = round % 2 ? ['bare', 'bot'] : ['bot', 'bare'];
          for (const target of order) {
            await settled(slack, apps);
            const { child, url } = servers[target];
            const callsBefore = await slack.ask<number>('calls');
            const [before, since] = [await usage(child), performance.now()];
            const { times, totalMs } = await load(REQUESTS, clients, make, url, secret);
            row[target].push(PERCENTILES.map((p) => percentile(times, p)));
            const during = await usage(child);
            // At 50 clients about 100: the core is the queue, and p99 its length times one answer
            // (the CPU counts the row's connection-opening GETs too, a few per cent).
            busy.of(key)[target].push(((during.cpuMs - before.cpuMs) * 100) / totalMs);
            gc.of(key)[target].push(during.gcMs - before.gcMs);
            // Follow-ups included: once they are done, less what its timers took meanwhile.
            await settled(slack, apps);
            const seconds = (performance.now() - since) / 1000;
            const used = (await cpuMs(child)) - before.cpuMs - idle[target] * seconds;
            for (const call of await slack.ask<string[]>('refused', String(callsBefore))) {
              refused.set(call, (refused.get(call) ?? 0) + 1);
            }
            cpu.of(key)[target].push(used / REQUESTS);
            if (target === 'bot' && name === STORES && clients === 50) {
              stored.burst.push((REQUESTS * 1000) / totalMs);
            }
          }
        }
      }
      if (stores) stored.sustained.push(await throughput(db, stores[1], servers.bot.url, secret));
      await settled(slack, apps);
    }
    const tx = await transactions(projectId, 1000, 50);
    console.log(report(rows, { cpu: cpu.all, busy: busy.all, gc: gc.all }, stored, tx, refused));
    console.log(
      `idle CPU, ms a second: bot ${fixed(idle.bot, 1)}, bare Bolt ${fixed(idle.bare, 1)}`,
    );
  } finally {
    for (const { child } of [servers.bot, servers.bare, slack]) child.kill();
    await Promise.all([world.close(), registry.close(), db.terminate()]);
  }
});

/** One figure per round for each row (by its key) and app. */
function figures() {
  const all = new Map<string, Record<Target, number[]>>();
  const of = (key: string) => {
    const row = all.get(key) ?? { bot: [], bare: [] };
    all.set(key, row);
    return row;
  };
  return { all, of };
}

/** The markdown table: medians over the rounds of each round's percentiles. */
function report(
  rows: Map<string, Record<Target, number[][]>>,
  { cpu, busy, gc }: Record<'cpu' | 'busy' | 'gc', Map<string, Record<Target, number[]>>>,
  stored: { burst: number[]; sustained: number[] },
  tx: number[],
  refused: Map<string, number>,
) {
  const ms = (rounds: number[][]) =>
    PERCENTILES.map((_, i) => median(rounds.map((r) => r[i] ?? 0)));
  const cells = (values: number[]) => values.map((x) => fixed(x, 0)).join(' / ');
  const lines = [
    `${ROUNDS} rounds of ${REQUESTS} requests per row and app; medians of each round's percentiles, ms; ${PINNED ? "apps on core 0, Slack's side on core 1" : 'not pinned to cores'}`,
    '',
    '| request | clients | bot p50 / p95 / p99 | bare Bolt p50 / p95 / p99 | p99 ratio | CPU ms per request, bot / bare | core busy in the row, %, bot / bare | GC pauses in the row, ms, bot / bare |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, row] of rows) {
    const [name, clients] = key.split('|');
    const bot = ms(row.bot);
    const bare = ms(row.bare);
    const both = (per: Map<string, Record<Target, number[]>>, digits: number) => {
      const { bot, bare } = per.get(key) ?? { bot: [], bare: [] };
      return `${fixed(median(bot), digits)} / ${fixed(median(bare), digits)}`;
    };
    lines.push(
      `| ${name} | ${clients} | ${cells(bot)} | ${cells(bare)} | ${ratio(bot[2] ?? 0, bare[2], 2)} | ${both(cpu, 2)} | ${both(busy, 0)} | ${both(gc, 1)} |`,
    );
  }
  lines.push(
    '',
    `one single-document Firestore transaction (emulator, 50 at once): p50 ${fixed(percentile(tx, 0.5), 0)} ms, p99 ${fixed(percentile(tx, 0.99), 0)} ms`,
    `stored submissions per second (view_submission, 50 clients, median of rounds): ${fixed(median(stored.sustained), 0)} over ${SUSTAINED} requests (rounds: ${stored.sustained.map((n) => fixed(n, 0)).join(', ')}); ${fixed(median(stored.burst), 0)} over the row's ${REQUESTS}`,
    `the bot's follow-up calls that Slack refused: ${[...refused].map(([call, n]) => `${n} × ${call}`).join(', ') || 'none'}`,
  );
  return lines.join('\n');
}
