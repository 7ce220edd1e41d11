import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../src/lib/work-queue.ts';

/** A task that records when it runs and ends when `release` is called. */
function held(log: string[], name: string) {
  let release!: () => void;
  const ended = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await ended;
      log.push(`end ${name}`);
    },
    release: () => release(),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('WorkQueue', () => {
  it('runs at most `concurrency` tasks at once, the others in the order they came', async () => {
    const queue = new WorkQueue(2);
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => held(log, name)) as [
      ReturnType<typeof held>,
      ReturnType<typeof held>,
      ReturnType<typeof held>,
      ReturnType<typeof held>,
    ];
    const runs = [a, b, c, d].map((t) => queue.run(t.task));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    b.release();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    for (const t of [a, c, d]) t.release();
    await Promise.all(runs);
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start a',
      'start b',
      'start c',
      'start d',
    ]);
  });

  it('a failing task frees its slot and gives its caller the error', async () => {
    const queue = new WorkQueue(1);
    const failed = queue.run(() => Promise.reject(new Error('no')));
    const next = queue.run(async () => 'next');
    await expect(failed).rejects.toThrow('no');
    await expect(next).resolves.toBe('next');
  });

  it('a task with startWithinMs starts once it has waited that long, beside the running one', async () => {
    const queue = new WorkQueue(1);
    const log: string[] = [];
    const slow = held(log, 'slow');
    const first = queue.run(slow.task);
    const late = queue.run(async () => log.push('late'), { startWithinMs: 30 });
    await tick();
    expect(log).toEqual(['start slow']);
    await late;
    expect(log).toEqual(['start slow', 'late']);
    // The slot count stays right: one task at a time again once both ended.
    slow.release();
    await first;
    const other = held(log, 'x');
    const y = held(log, 'y');
    const runs = [queue.run(other.task), queue.run(y.task)];
    await tick();
    expect(log.slice(-1)).toEqual(['start x']);
    other.release();
    y.release();
    await Promise.all(runs);
  });

  it('while a hold is on, a waiting task starts only when it is released', async () => {
    const queue = new WorkQueue(2, { yieldMs: 60_000 });
    const log: string[] = [];
    const release = queue.hold();
    const run = queue.run(async () => log.push('follow-up'));
    await tick();
    expect(log).toEqual([]);
    release();
    release(); // a second release of the same hold changes nothing
    await run;
    expect(log).toEqual(['follow-up']);
    // With no hold, the next task starts at once.
    await queue.run(async () => log.push('next'));
    expect(log).toEqual(['follow-up', 'next']);
  });

  it('after the last hold ends, a waiting task starts only once quietMs passed without one', async () => {
    const queue = new WorkQueue(1, { yieldMs: 60_000, quietMs: 40 });
    const log: string[] = [];
    const first = queue.hold();
    const run = queue.run(async () => log.push('follow-up'));
    first();
    const released = performance.now();
    // A request that comes within the quiet time holds it back again.
    await tick();
    const second = queue.hold();
    await tick();
    second();
    const secondReleased = performance.now();
    await tick();
    expect(log).toEqual([]);
    await run;
    expect(log).toEqual(['follow-up']);
    expect(performance.now() - secondReleased).toBeGreaterThanOrEqual(35);
    expect(performance.now() - released).toBeGreaterThanOrEqual(45);
  });

  it('a held task starts once it has waited yieldMs, in order, even if the hold stays', async () => {
    const queue = new WorkQueue(1, { yieldMs: 40 });
    const log: string[] = [];
    queue.hold(); // never released, as when answers keep coming
    const started = performance.now();
    const runs = ['a', 'b'].map((name) => queue.run(async () => log.push(name)));
    await tick();
    expect(log).toEqual([]);
    await Promise.all(runs);
    expect(log).toEqual(['a', 'b']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('a hold does not delay a task bound to startWithinMs past that bound', async () => {
    const queue = new WorkQueue(1, { yieldMs: 60_000 });
    queue.hold();
    const started = performance.now();
    await queue.run(async () => undefined, { startWithinMs: 30 });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
