import { describe, expect, it } from 'vitest';
import {
  type ListedVersion,
  newOperation,
  promotePlan,
  repeats,
  rollbackPlan,
  servingVersion,
  summaryOf,
} from '../../src/domain/service-operation.ts';
import { claimService, type ServiceRecord } from '../../src/domain/service-record.ts';

const AT = new Date('2026-03-04T10:00:00Z');
const OWNER = { userId: 'UPARTNER01' };

/** A record whose history holds these versions, oldest first (PG-000n r1 each). */
function record(...versions: string[]): ServiceRecord {
  const base = claimService({
    project: 'p1',
    service: 'svc',
    owner: OWNER,
    submissionId: 'PG-0001',
    revision: 1,
    at: AT,
  });
  const history = versions.map((version, i) => ({
    submissionId: `PG-000${i + 1}`,
    revision: 1,
    version,
    at: AT,
  }));
  return { ...base, history };
}

function listed(serving: string, ...others: [string, ListedVersion['servingStatus']][]) {
  return [
    { id: serving, servingStatus: 'SERVING' as const, traffic: 1, url: `https://${serving}` },
    ...others.map(([id, servingStatus]) => ({
      id,
      servingStatus,
      traffic: 0,
      url: `https://${id}`,
    })),
  ];
}

describe('rollback target', () => {
  it('is the newest version in the history that does not serve now', () => {
    const plan = rollbackPlan(
      record('v1', 'v2', 'v3'),
      listed('v3', ['v1', 'SERVING'], ['v2', 'SERVING']),
    );
    expect(plan).toEqual({
      kind: 'plan',
      from: { version: 'v3', submissionId: 'PG-0003', revision: 1 },
      to: { version: 'v2', submissionId: 'PG-0002', revision: 1 },
      start: false,
      url: 'https://v2',
    });
  });

  it('skips versions App Engine no longer lists, and starts a stopped one first', () => {
    const plan = rollbackPlan(record('v1', 'v2', 'v3'), listed('v3', ['v1', 'STOPPED']));
    expect(plan).toMatchObject({ kind: 'plan', to: { version: 'v1' }, start: true });
  });

  it('after a rollback, the one rolled back from is the previous serving version', () => {
    // v3 served, then v2 was rolled back to (appended to the history).
    const plan = rollbackPlan(
      record('v1', 'v2', 'v3', 'v2'),
      listed('v2', ['v1', 'SERVING'], ['v3', 'SERVING']),
    );
    expect(plan).toMatchObject({ kind: 'plan', from: { version: 'v2' }, to: { version: 'v3' } });
  });

  it('is nothing when only the serving version is left', () => {
    expect(rollbackPlan(record('v1', 'v2'), listed('v2'))).toEqual({
      kind: 'nothing_to_roll_back',
      serving: 'v2',
    });
  });

  it('is the named version when App Engine lists it; else the versions it does list', () => {
    const versions = listed('v3', ['v1', 'STOPPED'], ['v2', 'SERVING']);
    expect(rollbackPlan(record('v1', 'v2', 'v3'), versions, 'v1')).toMatchObject({
      kind: 'plan',
      to: { version: 'v1', submissionId: 'PG-0001' },
      start: true,
    });
    expect(rollbackPlan(record('v1', 'v2', 'v3'), versions, 'v9')).toEqual({
      kind: 'unknown_version',
      version: 'v9',
      listed: ['v3', 'v1', 'v2'],
    });
    expect(rollbackPlan(record('v1', 'v2', 'v3'), versions, 'v3')).toEqual({
      kind: 'already_serving',
      version: 'v3',
    });
  });

  it('refuses a named version no submission of the bot made (its spec is unknown)', () => {
    const versions = listed('v2', ['hand-made', 'SERVING']);
    expect(rollbackPlan(record('v1', 'v2'), versions, 'hand-made')).toEqual({
      kind: 'not_ours',
      version: 'hand-made',
    });
  });
});

describe('promote target', () => {
  const v2 = { version: 'v2', submissionId: 'PG-0002', revision: 1 };

  it('moves traffic from what serves to the version deployed without it', () => {
    expect(promotePlan(record('v1', 'v2'), listed('v1', ['v2', 'SERVING']), v2)).toMatchObject({
      kind: 'plan',
      from: { version: 'v1', submissionId: 'PG-0001' },
      to: v2,
      start: false,
    });
  });

  it('is refused when the version already has all the traffic or is gone', () => {
    expect(promotePlan(record('v1', 'v2'), listed('v2'), v2)).toEqual({
      kind: 'already_serving',
      version: 'v2',
    });
    expect(promotePlan(record('v1', 'v2'), listed('v1'), v2)).toMatchObject({
      kind: 'unknown_version',
      listed: ['v1'],
    });
  });
});

describe('operations', () => {
  it('the serving version is the one with the largest share', () => {
    const split = [
      { id: 'a', servingStatus: 'SERVING' as const, traffic: 0.3 },
      { id: 'b', servingStatus: 'SERVING' as const, traffic: 0.7 },
    ];
    expect(servingVersion(split)?.id).toBe('b');
    expect(servingVersion([])).toBeUndefined();
  });

  it('starts with the target when it is stopped, and sums up for the record', () => {
    const plan = rollbackPlan(record('v1', 'v2'), listed('v2', ['v1', 'STOPPED']));
    if (plan.kind !== 'plan') throw new Error(plan.kind);
    const run = newOperation({
      id: 'op1',
      kind: 'rollback',
      project: 'p1',
      service: 'svc',
      plan,
      by: { userId: 'UAPPROVER1' },
      owner: OWNER,
      requestId: 'view:V1',
      now: AT,
    });
    expect(run).toMatchObject({ phase: 'starting', start: true, versionUrl: 'https://v1' });
    expect(summaryOf(run)).toEqual({
      id: 'op1',
      kind: 'rollback',
      from: 'v2',
      to: 'v1',
      submissionId: 'PG-0001',
      state: 'running',
      at: AT,
    });
    expect(summaryOf({ ...run, phase: 'done', endedAt: AT }).state).toBe('done');
  });

  it('a repeat is the same move, running or ended since the form was opened; a failed one is not', () => {
    const last = {
      id: 'op1',
      kind: 'rollback' as const,
      from: 'v2',
      to: 'v1',
      submissionId: 'PG-0001',
      state: 'done' as const,
      at: AT,
    };
    const before = new Date(AT.getTime() - 1000);
    const after = new Date(AT.getTime() + 1000);
    expect(repeats(last, { from: 'v2', to: 'v1', opened: before })).toBe(true);
    expect(repeats(last, { from: 'v2', to: 'v1', opened: after })).toBe(false);
    expect(repeats({ ...last, state: 'running' }, { from: 'v2', to: 'v1', opened: after })).toBe(
      true,
    );
    expect(repeats({ ...last, state: 'failed' }, { from: 'v2', to: 'v1', opened: before })).toBe(
      false,
    );
    expect(repeats(last, { from: 'v3', to: 'v1', opened: before })).toBe(false);
  });
});
