// The Slack stand-in of bench/ack.ts, in a process of its own: what it does for the bot's
// calls (views.open validates a whole modal) must not slow the clients that time the
// answers. Tells its URL over IPC, then answers bench/ack.ts's questions (triggers,
// response URLs, a user's modals, a channel's messages, how many calls it had) the same way.
import { startSlackApi } from '../src/local/slack-api/server.ts';
import { APPROVER, PARTNER } from './world.ts';

const send = process.send?.bind(process);
if (!send) throw new Error('bench/ack-slack.ts is started by bench/ack.ts');

const api = await startSlackApi({
  botToken: process.env.SLACK_BOT_TOKEN ?? '',
  users: [
    { id: PARTNER, name: 'pat', real_name: 'Pat Partner' },
    { id: APPROVER, name: 'alex', real_name: 'Alex Approver' },
  ],
});

/** What bench/ack.ts may ask, by name. */
const QUESTIONS = {
  triggers: (user: string, count: string) =>
    Array.from({ length: Number(count) }, () => api.issueTrigger(user)),
  responseUrls: (user: string, channel: string, count: string) =>
    Array.from({ length: Number(count) }, () =>
      api.issueResponseUrl({ userId: user, channelId: channel }),
    ),
  openViews: (user: string) => api.openViews(user),
  messages: (channel: string) => api.messages(channel),
  calls: () => api.calls.length,
  /** The calls from `since` on that Slack refused: `method: error`. */
  refused: (since: string) =>
    api.calls.slice(Number(since)).flatMap((c) => (c.ok ? [] : [`${c.method}: ${c.error}`])),
};
export type Question = keyof typeof QUESTIONS;

process.on('message', ({ id, ask, args }: { id: number; ask: Question; args: string[] }) => {
  const answer = (QUESTIONS[ask] as (...a: string[]) => unknown)(...args);
  send({ id, answer });
});
process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
send({ url: api.url });
