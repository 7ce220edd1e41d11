// Benchmark of the answer to Slack (issue 15): time to the HTTP response for
// `/playground help`, `/playground submit` (opens the modal), the submit modal's
// view_submission (stores a submission) and the Approve click, at 1, 10 and 50 concurrent
// clients, for the real bot and for a bare Bolt app that only acks, each in a process of
// its own (bench/ack-server.ts) behind the same Slack stand-in; correctly signed
// requests; interleaved rounds, medians over the rounds. In the same run: one
// single-document Firestore transaction on the emulator (p99), and stored submissions/s.
// A measurement, not a test: nothing here asserts.
//
//   node bench/ack.ts                          (5 rounds of 100 requests per row and app)
//   BENCH_ROUNDS=3 BENCH_REQUESTS=100 BENCH_ONLY=Approve node bench/ack.ts   (rows naming it)
//
// Uses FIRESTORE_EMULATOR_HOST when set; otherwise starts (and stops) an emulator.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '../src/local/registry/server.ts';
import {
  blockActions,
  type SlackRequest,
  send,
  slashCommand,
  viewStateValues,
  viewSubmission,
} from '../src/local/slack-api/payloads.ts';
import { ACTION_ID, CALLBACK_ID } from '../src/slack/views/ids.ts';
import { createFirestore } from '../src/store/firestore-client.ts';
import { VALID_FORM } from '../test/slack/fill.ts';
import { withEmulator } from './emulator.ts';
import { fixed, ratio } from './table.ts';
import { APPROVER, botEnv, PARTNER, REVIEW_CHANNEL, startWorld, type World } from './world.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const CLIENTS = [1, 10, 50];
const ENTRY = fileURLToPath(new URL('./ack-server.ts', import.meta.url));
const CHANNEL = 'CBENCHGEN1';

type Target = 'bot' | 'bare';
interface Server {
  url: string;
  process: ChildProcess;
}

/** Forks bench/ack-server.ts `kind`; resolves once it listens. */
function startServer(kind: Target, env: Record<string, string>): Promise<Server> {
  const child = fork(ENTRY, [kind], {
    env: { ...process.env, ...env },
    execArgv:
      kind === 'bot' && process.env.BENCH_PROFILE
        ? ['--cpu-prof', '--cpu-prof-dir=/tmp/ackprof']
        : [],
    // The bot's log (warnings: JSON lines on stdout) is not the report's.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) =>
      resolve({ url: `http://127.0.0.1:${m.port}/slack/events`, process: child }),
    );
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}) before listening`)));
  });
}

/** Percentile `p` (0–1) of sorted `values`. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const PERCENTILES = [0.5, 0.95, 0.99] as const;

/** `count` runs of `one` by `clients` concurrent callers: each run's ms, and the total ms. */
async function load(count: number, clients: number, one: (i: number) => Promise<void>) {
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await one(i);
        times.push(performance.now() - t);
      }
    }),
  );
  return { times: times.sort((a, b) => a - b), totalMs: performance.now() - started };
}

/** The four requests, each as Slack would send its `i`-th: fresh triggers and view ids. */
function requests(world: World, submitView: SubmitView, approveId: () => string) {
  const command = (text: string) => () =>
    slashCommand({
      userId: PARTNER,
      text,
      channelId: CHANNEL,
      triggerId: world.slack.issueTrigger(PARTNER),
      responseUrl: world.slack.issueResponseUrl({ userId: PARTNER, channelId: CHANNEL }),
    });
  return {
    '`/playground help`': command('help'),
    '`/playground submit` (opens the modal)': command('submit'),
    // A view id of its own each: the bot takes a repeated one for Slack's retry.
    'submit modal `view_submission` (stores)': (i: number) =>
      viewSubmission({
        userId: PARTNER,
        triggerId: world.slack.issueTrigger(PARTNER),
        view: { ...submitView, id: `VBENCH${process.hrtime.bigint()}${i}` },
      }),
    'Approve click': () =>
      blockActions({
        userId: APPROVER,
        actionId: ACTION_ID.approve,
        blockId: 'actions',
        value: approveId(),
        triggerId: world.slack.issueTrigger(APPROVER),
      }),
  } satisfies Record<string, (i: number) => SlackRequest>;
}

type SubmitView = Parameters<typeof viewSubmission>[0]['view'];

/** The submit modal as the bot opens it, filled in with a valid form. */
async function submitModal(world: World, bot: Server, secret: string): Promise<SubmitView> {
  const request = requests(world, {} as SubmitView, () => '')[
    '`/playground submit` (opens the modal)'
  ];
  await send(bot.url, request(), { secret });
  for (let tries = 0; tries < 100; tries++) {
    const view = world.slack.openViews(PARTNER).at(-1);
    if (view && view.callback_id !== CALLBACK_ID.loading) {
      const { callback_id, private_metadata, hash } = view;
      return {
        id: '',
        callback_id,
        private_metadata,
        hash,
        state: { values: viewStateValues(view.blocks, VALID_FORM) },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the bot opened no submit modal');
}

/** A submission the bot posted for review (its id is the Approve button's value). */
async function postedId(world: World): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const posted = world.slack.messages(REVIEW_CHANNEL).at(0);
    const id = posted && /PG-\d+/.exec(JSON.stringify(posted))?.[0];
    if (id) return id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the bot posted no submission for review');
}

/** p50 and p99 of `count` single-document transactions (get, then set) at `clients` at once. */
async function transactions(projectId: string, count: number, clients: number) {
  const firestore = createFirestore({ projectId });
  const docs = firestore.collection('bench-transactions');
  const { times } = await load(count, clients, async (i) => {
    await firestore.runTransaction(async (tx) => {
      const doc = docs.doc(`d${i % clients}-${i}`);
      const current = await tx.get(doc);
      tx.set(doc, { n: (current.data()?.n ?? 0) + 1 });
    });
  });
  await firestore.terminate();
  return times;
}

await withEmulator(async (host) => {
  const world = await startWorld();
  const registry = await startRegistry({
    images: [{ repository: 'theplayground_repo/my_service', tag: '1.0.3' }],
  });
  const projectId = `bench-ack-${Date.now()}`;
  const env = { ...botEnv(world, host, projectId), REGISTRY_API_URL: registry.url };
  const secret = env.SLACK_SIGNING_SECRET;
  const servers = { bot: await startServer('bot', env), bare: await startServer('bare', env) };
  try {
    const view = await submitModal(world, servers.bot, secret);
    await send(
      servers.bot.url,
      viewSubmission({
        userId: PARTNER,
        triggerId: world.slack.issueTrigger(PARTNER),
        view: { ...view, id: 'VBENCHFIRST' },
      }),
      { secret },
    );
    const approveId = await postedId(world);
    const only = process.env.BENCH_ONLY;
    const kinds = Object.fromEntries(
      Object.entries(requests(world, view, () => approveId)).filter(
        ([name]) => !only || name.includes(only),
      ),
    );
    // per row: per target, the percentiles of each round
    // Warm-up, not measured: both apps load their code and open their connections.
    for (const make of Object.values(kinds)) {
      for (const target of ['bot', 'bare'] as const) {
        await load(20, 1, (i) => send(servers[target].url, make(i), { secret }).then(() => {}));
      }
    }
    const rows = new Map<string, Record<Target, number[][]>>();
    const stored: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      console.error(`round ${round + 1} of ${ROUNDS}…`);
      for (const [name, make] of Object.entries(kinds)) {
        for (const clients of CLIENTS) {
          const key = `${name}|${clients}`;
          const row = rows.get(key) ?? { bot: [], bare: [] };
          rows.set(key, row);
          // Interleaved: the two apps take turns going first.
          const order: Target[] = round % 2 ? ['bare', 'bot'] : ['bot', 'bare'];
          for (const target of order) {
            const { times, totalMs } = await load(REQUESTS, clients, async (i) => {
              const answer = await send(servers[target].url, make(i), { secret });
              if (answer.status !== 200) throw new Error(`${target} ${name}: ${answer.status}`);
            });
            row[target].push(PERCENTILES.map((p) => percentile(times, p)));
            if (target === 'bot' && name.includes('view_submission') && clients === 50) {
              stored.push((REQUESTS * 1000) / totalMs);
            }
          }
        }
      }
    }
    const tx = await transactions(projectId, 1000, 50);
    console.log(report(rows, stored, tx));
  } finally {
    for (const server of Object.values(servers)) server.process.kill();
    await Promise.all([world.close(), registry.close()]);
  }
});

/** The markdown table: medians over the rounds of each round's percentiles. */
function report(rows: Map<string, Record<Target, number[][]>>, stored: number[], tx: number[]) {
  const ms = (rounds: number[][]) =>
    PERCENTILES.map((_, i) => median(rounds.map((r) => r[i] ?? 0)));
  const lines = [
    `${ROUNDS} rounds of ${REQUESTS} requests per row and app; medians of each round's percentiles, ms`,
    '',
    '| request | clients | bot p50 / p95 / p99 | bare Bolt p50 / p95 / p99 | p99 ratio |',
    '|---|---|---|---|---|',
  ];
  for (const [key, row] of rows) {
    const [name, clients] = key.split('|');
    const bot = ms(row.bot);
    const bare = ms(row.bare);
    const cells = (v: number[]) => v.map((x) => fixed(x, 0)).join(' / ');
    lines.push(
      `| ${name} | ${clients} | ${cells(bot)} | ${cells(bare)} | ${ratio(bot[2] ?? 0, bare[2])} |`,
    );
  }
  lines.push(
    '',
    `one single-document Firestore transaction (emulator, 50 at once): p50 ${fixed(percentile(tx, 0.5), 0)} ms, p99 ${fixed(percentile(tx, 0.99), 0)} ms`,
    `stored submissions per second (view_submission, 50 clients, median of rounds): ${fixed(median(stored), 0)}`,
  );
  return lines.join('\n');
}
