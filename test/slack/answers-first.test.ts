// What a handler does after its answer waits while other requests are being answered
// (src/lib/work-queue.ts `hold`, taken by the receiver for each request until its response
// is sent): a real Bolt app behind the guarded receiver, correctly signed requests.
import type { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/lib/work-queue.ts';
import { send, slashCommand } from '../helpers/slack-requests.ts';
import { eventsUrl, guardedBoltApp, PARTNER, SECRET } from './harness.ts';

describe('follow-ups yield to answers being made', () => {
  let app: App;
  let url: string;
  const followUps = new WorkQueue(4, { yieldMs: 60_000 });
  const log: string[] = [];
  let answerSlow!: () => void;

  beforeAll(async () => {
    app = guardedBoltApp({ followUps });
    app.command('/playground', async ({ ack, command }) => {
      if (command.text === 'slow') {
        await new Promise<void>((resolve) => (answerSlow = resolve));
        log.push('slow answered');
        await ack();
        return;
      }
      await ack();
      log.push('fast answered');
      await followUps.run(async () => log.push('follow-up'));
    });
    url = await eventsUrl(app);
  });
  afterAll(() => app.stop());

  const request = (text: string) =>
    send(
      url,
      slashCommand({ userId: PARTNER, text, channelId: 'CFIRST0001', triggerId: `t.${text}` }),
      { secret: SECRET },
    );

  it('starts a follow-up only once the request still being answered has its response', async () => {
    const slow = request('slow');
    await expect.poll(() => answerSlow).toBeDefined();
    expect((await request('fast')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log).toEqual(['fast answered']);
    answerSlow();
    expect((await slow).status).toBe(200);
    await expect.poll(() => log).toEqual(['fast answered', 'slow answered', 'follow-up']);
  });
});
