import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type Action,
  canApply,
  FINAL_STATUSES,
  nextStatus,
  STATUSES,
  type Status,
  statusLabel,
  TransitionError,
} from '../../src/domain/status.ts';

/** The machine written out by hand, independently of ACTIONS: [from, action, to]. */
const ALLOWED: [Status, Action, Status][] = [
  ['changes_requested', 'resubmit', 'submitted'],
  ['approved', 'resubmit', 'submitted'],
  ['failed', 'resubmit', 'submitted'],
  ['cancelled', 'resubmit', 'submitted'],
  ['submitted', 'approve', 'approved'],
  ['submitted', 'reject', 'rejected'],
  ['changes_requested', 'reject', 'rejected'],
  ['submitted', 'request_changes', 'changes_requested'],
  ['submitted', 'cancel', 'cancelled'],
  ['changes_requested', 'cancel', 'cancelled'],
  ['approved', 'cancel', 'cancelled'],
  ['building', 'cancel', 'cancelled'],
  ['testing', 'cancel', 'cancelled'],
  ['deploying', 'cancel', 'cancelled'],
  ['failed', 'cancel', 'cancelled'],
  ['approved', 'start_build', 'building'],
  ['failed', 'start_build', 'building'],
  ['building', 'start_test', 'testing'],
  ['testing', 'start_deploy', 'deploying'],
  ['failed', 'start_deploy', 'deploying'],
  ['deploying', 'go_live', 'live'],
  ['approved', 'fail', 'failed'],
  ['building', 'fail', 'failed'],
  ['testing', 'fail', 'failed'],
  ['deploying', 'fail', 'failed'],
];

const ALL_ACTIONS = Object.keys(ACTIONS) as Action[];
const allowedTo = (from: Status, action: Action) =>
  ALLOWED.find(([f, a]) => f === from && a === action)?.[2];

const PAIRS = STATUSES.flatMap((from) => ALL_ACTIONS.map((action) => [from, action] as const));
const REFUSED = PAIRS.filter(([from, action]) => allowedTo(from, action) === undefined);

describe('status machine', () => {
  it('knows exactly the ten statuses and ten actions', () => {
    expect([...STATUSES].sort()).toEqual(
      [
        'approved',
        'building',
        'cancelled',
        'changes_requested',
        'deploying',
        'failed',
        'live',
        'rejected',
        'submitted',
        'testing',
      ].sort(),
    );
    expect([...ALL_ACTIONS].sort()).toEqual(
      [
        'approve',
        'cancel',
        'fail',
        'go_live',
        'reject',
        'request_changes',
        'resubmit',
        'start_build',
        'start_deploy',
        'start_test',
      ].sort(),
    );
    expect(PAIRS).toHaveLength(100);
    expect(REFUSED).toHaveLength(100 - ALLOWED.length);
  });

  it.each(ALLOWED)('%s --%s--> %s', (from, action, to) => {
    expect(canApply(from, action)).toBe(true);
    expect(nextStatus(from, action)).toBe(to);
  });

  it.each(REFUSED)('refuses %s from %s', (from, action) => {
    expect(canApply(from, action)).toBe(false);
    let thrown: unknown;
    try {
      nextStatus(from, action);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TransitionError);
    const error = thrown as TransitionError;
    expect(error.code).toBe('invalid_transition');
    expect(error.from).toBe(from);
    expect(error.action).toBe(action);
    // Clear: says what was tried, on what, and when it would be allowed.
    expect(error.message).toContain(`cannot ${action.replaceAll('_', ' ')} a submission`);
    expect(error.message).toContain(`that is ${statusLabel(from)}`);
    for (const allowed of ACTIONS[action].from as readonly Status[]) {
      expect(error.message).toContain(statusLabel(allowed));
    }
  });

  it('leaves final statuses with no way out', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['live', 'rejected']);
    for (const from of FINAL_STATUSES) {
      expect(ALL_ACTIONS.filter((action) => canApply(from, action))).toEqual([]);
    }
  });

  it('lets a failed or cancelled submission come back only as a new revision', () => {
    for (const from of ['failed', 'cancelled'] as const) {
      expect(nextStatus(from, 'resubmit')).toBe('submitted');
    }
    expect(ALL_ACTIONS.filter((action) => canApply('cancelled', action))).toEqual(['resubmit']);
  });

  it('reaches every status from submitted', () => {
    const seen = new Set<Status>(['submitted']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const [from, , to] of ALLOWED) {
        if (seen.has(from) && !seen.has(to)) {
          seen.add(to);
          changed = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATUSES].sort());
  });

  it('labels every status for people', () => {
    for (const status of STATUSES) expect(statusLabel(status)).toMatch(/^[a-z ]+$/);
  });
});
