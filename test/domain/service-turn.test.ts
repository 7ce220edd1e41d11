import { describe, expect, it } from 'vitest';
import {
  askTurn,
  goesBefore,
  holdingRun,
  leaveTurn,
  queuedTurn,
  runsOn,
  type ServiceLock,
  serviceLockId,
  waitingRun,
} from '../../src/domain/service-turn.ts';
import type { Submission } from '../../src/domain/submission.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const T0 = new Date('2026-03-02T10:00:00Z');
const T1 = new Date('2026-03-02T10:01:00Z');
const T2 = new Date('2026-03-02T10:02:00Z');
const T3 = new Date('2026-03-02T10:03:00Z');
const NONE: ReadonlySet<string> = new Set();

function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    id: 'PG-0042',
    status: 'building',
    partner: { userId: 'U1' },
    revision: 1,
    revisions: [
      {
        number: 1,
        spec: sampleSpec(),
        warnings: [],
        submittedBy: { userId: 'U1' },
        submittedAt: T0,
      },
    ],
    approval: { project: 'pg-prod', promote: true, by: { userId: 'UA' }, at: T1 },
    createdAt: T0,
    updatedAt: T1,
    pipeline: sampleRun(),
    ...overrides,
  };
}

describe('the line for a service', () => {
  it('names the lock by project and service', () => {
    expect(serviceLockId('pg-prod', 'my-service')).toBe('pg-prod~my-service');
  });

  it('places a first attempt at its approval, a retry when it asks', () => {
    expect(queuedTurn(submission(), sampleRun(), T3)).toEqual({ id: 'PG-0042', at: T1 });
    expect(queuedTurn(submission(), sampleRun({ attempt: 2 }), T3)).toEqual({
      id: 'PG-0042',
      at: T3,
    });
  });

  it('the holder goes first, then those approved earlier; a later approval joins behind', () => {
    const lock: ServiceLock = {
      holder: 'PG-0001',
      since: T0,
      queue: [
        { id: 'PG-0002', at: T1 },
        { id: 'PG-0004', at: T3 },
      ],
    };
    expect(goesBefore(lock, { id: 'PG-0003', at: T2 })).toEqual(['PG-0001', 'PG-0002']);
    expect(goesBefore(lock, { id: 'PG-0004', at: T0 })).toEqual(['PG-0001', 'PG-0002']);
    const asked = askTurn(lock, { id: 'PG-0003', at: T2 }, 'PG-0001', NONE, T3);
    expect(asked.answer).toEqual({ kind: 'waiting', for: 'PG-0001' });
    expect(asked.lock.queue.map((e) => e.id)).toEqual(['PG-0002', 'PG-0003', 'PG-0004']);
    expect(asked.lock.holder).toBe('PG-0001');
    // Asking again keeps the place.
    expect(askTurn(asked.lock, { id: 'PG-0003', at: T3 }, 'PG-0001', NONE, T3).lock).toEqual(
      asked.lock,
    );
  });

  it('a free service goes to the first who asks, and the holder keeps it when asking again', () => {
    expect(goesBefore(undefined, { id: 'PG-0001', at: T0 })).toEqual([]);
    const { lock, answer } = askTurn(undefined, { id: 'PG-0001', at: T0 }, undefined, NONE, T1);
    expect(answer).toEqual({ kind: 'holding' });
    expect(lock).toEqual({ holder: 'PG-0001', since: T1, queue: [] });
    expect(goesBefore(lock, { id: 'PG-0001', at: T0 })).toEqual([]);
    expect(askTurn(lock, { id: 'PG-0001', at: T0 }, undefined, NONE, T3).lock.since).toEqual(T1);
  });

  it('those found ended lose their place; the next in line then goes', () => {
    const lock: ServiceLock = {
      holder: 'PG-0001',
      since: T0,
      queue: [
        { id: 'PG-0002', at: T1 },
        { id: 'PG-0003', at: T2 },
      ],
    };
    // The holder crashed without giving up and PG-0002 was cancelled: PG-0003 goes.
    const ended = new Set(['PG-0001', 'PG-0002']);
    const asked = askTurn(lock, { id: 'PG-0003', at: T2 }, undefined, ended, T3);
    expect(asked).toEqual({
      answer: { kind: 'holding' },
      lock: { holder: 'PG-0003', since: T3, queue: [] },
    });
    // Only the holder ended: PG-0003 waits for PG-0002, who is next.
    const next = askTurn(lock, { id: 'PG-0003', at: T2 }, 'PG-0002', new Set(['PG-0001']), T3);
    expect(next.answer).toEqual({ kind: 'waiting', for: 'PG-0002' });
    expect(next.lock).toEqual({ queue: lock.queue });
  });

  it('leaving gives the service up or the place in line; an empty lock is removed', () => {
    const lock: ServiceLock = { holder: 'PG-0001', since: T0, queue: [{ id: 'PG-0002', at: T1 }] };
    expect(leaveTurn(lock, 'PG-0001')).toEqual({ queue: [{ id: 'PG-0002', at: T1 }] });
    expect(leaveTurn(lock, 'PG-0002')).toEqual({ holder: 'PG-0001', since: T0, queue: [] });
    expect(leaveTurn(lock, 'PG-0009')).toEqual(lock);
    expect(leaveTurn({ holder: 'PG-0001', queue: [] }, 'PG-0001')).toBeUndefined();
  });

  it('only a working pipeline on the same project and service keeps its place', () => {
    const s = submission();
    expect(runsOn(s, 'pg-prod', 'my-service')).toBe(true);
    expect(runsOn(undefined, 'pg-prod', 'my-service')).toBe(false);
    for (const status of ['live', 'failed', 'cancelled'] as const) {
      expect(runsOn({ ...s, status }, 'pg-prod', 'my-service')).toBe(false);
    }
    expect(runsOn(s, 'pg-dev', 'my-service')).toBe(false);
    expect(runsOn(s, 'pg-prod', 'other')).toBe(false);
    const { pipeline: _p, ...notStarted } = s;
    expect(runsOn(notStarted, 'pg-prod', 'my-service')).toBe(false);
  });
});

describe('the run’s turn', () => {
  it('waits since it first had to, and remembers for whom once it holds', () => {
    const waiting = waitingRun(sampleRun(), 'PG-0001', T1);
    expect(waiting.turn).toEqual({ state: 'waiting', for: 'PG-0001', since: T1 });
    const later = waitingRun(waiting, 'PG-0002', T2);
    expect(later.turn).toEqual({ state: 'waiting', for: 'PG-0002', since: T1 });
    expect(holdingRun(later, T3).turn).toEqual({
      state: 'holding',
      since: T3,
      waited: { for: 'PG-0002', since: T1 },
    });
    expect(holdingRun(sampleRun(), T3).turn).toEqual({ state: 'holding', since: T3 });
  });
});
