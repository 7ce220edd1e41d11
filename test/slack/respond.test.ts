// answerWith, the one answer path of every handler: the answer first, the use case's
// follow-up work after it, in the follow-up queue.
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/lib/in-flight.ts';
import { WorkQueue } from '../../src/lib/work-queue.ts';
import { createLogger } from '../../src/log.ts';
import { answerWith } from '../../src/slack/respond.ts';

const FALLBACKS = { unavailable: 'unavailable', slow: 'slow' };

describe('answerWith', () => {
  it('answers at once and runs the follow-up in its turn in the queue, once', async () => {
    const followUps = new WorkQueue(1);
    const ctx = { logger: createLogger('silent'), inFlight: new InFlight(), followUps };
    // The queue's one slot is busy with earlier follow-up work.
    let release = () => {};
    const busy = followUps.run(() => new Promise<void>((resolve) => (release = resolve)));
    const replies: string[] = [];
    const ran: string[] = [];
    await answerWith(
      ctx,
      async () => ({
        outcome: 'stored',
        afterwards: async () => {
          ran.push('follow-up');
        },
      }),
      { draw: (o) => `drawn ${o}`, reply: async (a) => void replies.push(a), fallbacks: FALLBACKS },
    );
    // The handler returned with its answer given, while its follow-up waits for the slot.
    expect(replies).toEqual(['drawn stored']);
    expect(ran).toEqual([]);
    release();
    await busy;
    await ctx.inFlight.drain();
    expect(ran).toEqual(['follow-up']);
  });

  it('logs a follow-up that fails, after the answer was given', async () => {
    const lines: string[] = [];
    const logger = createLogger('error', { write: (line: string) => void lines.push(line) });
    const ctx = { logger, inFlight: new InFlight(), followUps: new WorkQueue(1) };
    const replies: string[] = [];
    await answerWith(
      ctx,
      async () => ({
        outcome: 'stored',
        afterwards: () => Promise.reject(new Error('registry gone')),
      }),
      { draw: (o) => o, reply: async (a) => void replies.push(a), fallbacks: FALLBACKS },
    );
    await ctx.inFlight.drain();
    expect(replies).toEqual(['stored']);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        message: 'follow-up failed',
        err: expect.objectContaining({ message: 'registry gone' }),
      }),
    ]);
  });
});
