import { describe, expect, it } from 'vitest';
import {
  APP_ENGINE_VERSION_LIMIT,
  housekeepingPlan,
  protectedVersions,
  roomPlan,
  unhealthyBecause,
  type VersionFacts,
} from '../../src/domain/version-lifecycle.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');

/** Versions v0, v1, … created a minute apart, serving unless listed as stopped; `live` has all traffic. */
function versions(count: number, stopped: number[] = [], live = `v${count - 1}`): VersionFacts[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `v${i}`,
    servingStatus: stopped.includes(i) ? 'STOPPED' : 'SERVING',
    createTime: new Date(T0 + i * 60_000),
    traffic: `v${i}` === live ? 1 : 0,
  }));
}

const DEFAULTS = { keepRunning: 1, keepVersions: 5 };

describe('housekeepingPlan', () => {
  it('keeps the newest previous version serving, stops older ones, deletes beyond the retention', () => {
    // v9 live; v8 kept serving; v4..v7 stopped; v0..v3 beyond the newest 5 previous: deleted.
    const plan = housekeepingPlan('v9', versions(10), new Set(), DEFAULTS);
    expect(plan).toEqual({
      keptServing: ['v8'],
      stop: ['v7', 'v6', 'v5', 'v4'],
      remove: ['v3', 'v2', 'v1', 'v0'],
    });
  });

  it('orders by creation time, not by listing order or id', () => {
    const listed = versions(3).reverse(); // newest listed first
    listed[0] = { ...(listed[0] as VersionFacts), id: 'a-live' };
    const plan = housekeepingPlan('a-live', listed, new Set(), { keepRunning: 1, keepVersions: 1 });
    expect(plan).toEqual({ keptServing: ['v1'], stop: [], remove: ['v0'] });
  });

  it('leaves stopped versions within the retention alone and counts them', () => {
    const plan = housekeepingPlan('v6', versions(7, [4, 5]), new Set(), DEFAULTS);
    // v5, v4 stopped already (kept); v3 is the newest serving: kept; v2, v1 stopped; v0 deleted.
    expect(plan).toEqual({ keptServing: ['v3'], stop: ['v2', 'v1'], remove: ['v0'] });
  });

  it('never touches the live version, a spared one or one with a share of the traffic', () => {
    const listed = versions(8);
    (listed[1] as VersionFacts).traffic = 0.1;
    const plan = housekeepingPlan('v7', listed, new Set(['v0', 'v5']), {
      keepRunning: 0,
      keepVersions: 2,
    });
    expect(plan.stop).toEqual(['v6']);
    expect(plan.remove).toEqual(['v4', 'v3', 'v2']);
    expect([...plan.stop, ...plan.remove, ...plan.keptServing]).not.toContain('v7');
    expect([...plan.stop, ...plan.remove]).not.toEqual(expect.arrayContaining(['v0', 'v1', 'v5']));
  });

  it('has nothing to do for a first version', () => {
    expect(housekeepingPlan('v0', versions(1), new Set(), DEFAULTS)).toEqual({
      keptServing: [],
      stop: [],
      remove: [],
    });
  });
});

describe('protectedVersions', () => {
  it('spares the live version and a running operation’s versions, not a finished one’s', () => {
    const running = { state: 'running' as const, to: 'v2', from: 'v3' };
    expect([...protectedVersions({ live: { version: 'v3' }, operation: running })].sort()).toEqual([
      'v2',
      'v3',
    ]);
    const done = { ...running, state: 'done' as const };
    expect([...protectedVersions({ live: { version: 'v1' }, operation: done })]).toEqual(['v1']);
    expect(protectedVersions(undefined).size).toBe(0);
  });
});

describe('unhealthyBecause', () => {
  it('is healthy only listed, serving and holding all traffic', () => {
    expect(unhealthyBecause('v2', versions(3))).toBeUndefined();
    expect(unhealthyBecause('v9', versions(3))).toBe('v9 is no longer listed');
    expect(unhealthyBecause('v2', versions(3, [2]))).toBe('v2 is STOPPED');
    const split = versions(3).map((v) => ({ ...v, traffic: v.id === 'v2' ? 0.5 : 0.25 }));
    expect(unhealthyBecause('v2', split)).toBe('v2 holds 50% of the traffic');
  });
});

describe('roomPlan', () => {
  const limit = APP_ENGINE_VERSION_LIMIT;

  it('needs nothing below the margin', () => {
    expect(roomPlan(199, versions(5, [0, 1]), new Set(), limit)).toBeUndefined();
  });

  it('deletes the oldest stopped versions until under the margin', () => {
    // 202 versions: 3 to delete to reach 199; the service has v0, v1, v3 stopped (v2 serving).
    expect(roomPlan(202, versions(6, [0, 1, 3, 4]), new Set(['v1']), limit)).toEqual({
      remove: ['v0', 'v3', 'v4'],
      enough: true,
    });
  });

  it('says whether what it can delete leaves room for the create', () => {
    expect(roomPlan(209, versions(3), new Set(), limit)).toEqual({ remove: [], enough: true });
    expect(roomPlan(210, versions(3), new Set(), limit)).toEqual({ remove: [], enough: false });
    expect(roomPlan(210, versions(3, [0]), new Set(), limit)).toEqual({
      remove: ['v0'],
      enough: true,
    });
    // A stopped version with traffic (a first version stopped) is not deleted.
    const stoppedLive = versions(1, [0], 'v0');
    expect(roomPlan(210, stoppedLive, new Set(), limit)).toEqual({ remove: [], enough: false });
  });
});
