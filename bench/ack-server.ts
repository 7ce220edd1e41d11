// One of the two apps bench/ack.ts measures, in a process of its own: `bot`, the real bot
// (createBot, as `npm start` and the tests wire it) on the environment it is given, or
// `bare`, a Bolt app on the same token, secret and Slack stand-in that only acks. Tells
// its port over IPC, then serves (and tells its CPU time and garbage-collection pauses when
// asked) until bench/ack.ts ends it.
import { PerformanceObserver } from 'node:perf_hooks';
import { App } from '@slack/bolt';
import { createBot } from '../src/bot.ts';
import { readConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';

const kind = process.argv[2];
const send = process.send?.bind(process);
if (!send || (kind !== 'bot' && kind !== 'bare')) {
  throw new Error('bench/ack-server.ts bot|bare is started by bench/ack.ts');
}

async function startBare(env: NodeJS.ProcessEnv): Promise<unknown> {
  const app = new App({
    token: env.SLACK_BOT_TOKEN ?? '',
    signingSecret: env.SLACK_SIGNING_SECRET ?? '',
    clientOptions: { slackApiUrl: env.SLACK_API_URL ?? '' },
  });
  app.command(/.*/, ({ ack }) => ack());
  app.action(/.*/, ({ ack }) => ack());
  app.view(/.*/, ({ ack }) => ack());
  return app.start(0);
}

const server = (
  kind === 'bot'
    ? await createBot(readConfig(process.env), createLogger('warn')).start(0)
    : await startBare(process.env)
) as import('node:http').Server;
const address = server.address();
send({ port: typeof address === 'object' && address ? address.port : 0 });
// The time its garbage collections stopped this process so far (ms), as V8 reports them.
let gcMs = 0;
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
// The CPU this process has used (µs, user + system) and its GC pauses, when bench/ack.ts asks.
process.on('message', (question) => {
  if (question !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  send({ cpuUs: user + system, gcMs });
});
// A clean exit, so that --cpu-prof (BENCH_PROFILE) writes its profile.
process.on('SIGTERM', () => process.exit(0));
