import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../src/lib/keyed-lock.ts';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedLock', () => {
  it('runs calls on one key one at a time, in order', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let running = 0;
    await Promise.all(
      [1, 2, 3, 4].map((n) =>
        lock.run('k', async () => {
          running += 1;
          expect(running).toBe(1);
          log.push(`start ${n}`);
          await tick();
          log.push(`end ${n}`);
          running -= 1;
        }),
      ),
    );
    expect(log).toEqual([
      'start 1',
      'end 1',
      'start 2',
      'end 2',
      'start 3',
      'end 3',
      'start 4',
      'end 4',
    ]);
    expect(lock.size).toBe(0);
  });

  it('runs different keys side by side', async () => {
    const lock = new KeyedLock();
    let both = false;
    let a = false;
    let looked!: () => void;
    const bLooked = new Promise<void>((resolve) => (looked = resolve));
    await Promise.all([
      lock.run('a', async () => {
        a = true;
        // Held until b has looked: b can only look if it runs while a does.
        await bLooked;
        a = false;
      }),
      lock.run('b', async () => {
        await expect.poll(() => a).toBe(true);
        both = a;
        looked();
      }),
    ]);
    expect(both).toBe(true);
  });

  it('moves on after a failure and after an early release', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('k', async () => {
      throw new Error('no');
    });
    await expect(failed).rejects.toThrow('no');
    expect(await lock.run('k', async () => 'next')).toBe('next');

    let slowDone = false;
    const slow = lock.run('k', async (release) => {
      release();
      await tick(30);
      slowDone = true;
    });
    const after = lock.run('k', async () => slowDone);
    expect(await after).toBe(false); // got in before the slow one finished
    await slow;
    expect(lock.size).toBe(0);
  });
});
