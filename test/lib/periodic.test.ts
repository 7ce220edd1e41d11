import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Periodic } from '../../src/lib/periodic.ts';

describe('Periodic', () => {
  it('never runs two rounds at once, keeps going after a failure, and stop waits for the round', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    let finished = 0;
    const errors: unknown[] = [];
    const periodic = new Periodic(
      5,
      async () => {
        rounds += 1;
        running += 1;
        most = Math.max(most, running);
        await delay(30);
        running -= 1;
        finished += 1;
        if (rounds === 1) throw new Error('first round fails');
      },
      (error) => errors.push(error),
    );
    periodic.run();
    await delay(150);
    await periodic.stop();
    const afterStop = rounds;
    await delay(50);

    expect(most).toBe(1);
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('first round fails');
    // stop() returned only after the round in progress ended, and no round started after it.
    expect(finished).toBe(afterStop);
    expect(rounds).toBe(afterStop);
  });
});
