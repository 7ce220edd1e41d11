import { CodedError } from './errors.ts';

/**
 * The life of a submission. Partners and reviewers move it through the first half;
 * the pipeline moves it through building, testing, deploying to live or failed.
 */
export const STATUSES = [
  'submitted',
  'changes_requested',
  'approved',
  'rejected',
  'cancelled',
  'building',
  'testing',
  'deploying',
  'live',
  'failed',
] as const;
export type Status = (typeof STATUSES)[number];

/** What happened to a submission; each action is allowed only from some statuses. */
export const ACTIONS = {
  // From approved only while its pipeline has not started (approvalNotStarted): a new
  // revision voids that approval, and the new one is reviewed again. From failed or
  // cancelled once the run's end has been told (the store checks): the fix, reviewed again.
  resubmit: { from: ['changes_requested', 'approved', 'failed', 'cancelled'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted', 'changes_requested'], to: 'rejected' },
  request_changes: { from: ['submitted'], to: 'changes_requested' },
  cancel: {
    from: [
      'submitted',
      'changes_requested',
      'approved',
      'building',
      'testing',
      'deploying',
      'failed',
    ],
    to: 'cancelled',
  },
  start_build: { from: ['approved', 'failed'], to: 'building' },
  start_test: { from: ['building'], to: 'testing' },
  start_deploy: { from: ['testing', 'failed'], to: 'deploying' },
  go_live: { from: ['deploying'], to: 'live' },
  fail: { from: ['approved', 'building', 'testing', 'deploying'], to: 'failed' },
} as const satisfies Record<string, { from: readonly Status[]; to: Status }>;
export type Action = keyof typeof ACTIONS;

/** Statuses after which nothing more happens to a submission (a cancelled one may be resubmitted). */
export const FINAL_STATUSES: readonly Status[] = ['rejected', 'live'];

const LABELS: Record<Status, string> = {
  submitted: 'waiting for review',
  changes_requested: 'changes requested',
  approved: 'approved',
  rejected: 'rejected',
  cancelled: 'cancelled',
  building: 'building',
  testing: 'testing',
  deploying: 'deploying',
  live: 'live',
  failed: 'failed',
};

export function statusLabel(status: Status): string {
  return LABELS[status];
}

export class TransitionError extends CodedError<'invalid_transition'> {
  readonly from: Status;
  readonly action: Action;
  constructor(from: Status, action: Action) {
    const allowed = (ACTIONS[action].from as readonly Status[]).map(statusLabel).join(', ');
    super(
      'invalid_transition',
      `cannot ${action.replace('_', ' ')} a submission that is ${statusLabel(from)} (only when ${allowed})`,
    );
    this.from = from;
    this.action = action;
  }
}

export function canApply(from: Status, action: Action): boolean {
  return (ACTIONS[action].from as readonly Status[]).includes(from);
}

/** The status after `action`, or a TransitionError saying why it is not allowed. */
export function nextStatus(from: Status, action: Action): Status {
  if (!canApply(from, action)) throw new TransitionError(from, action);
  return ACTIONS[action].to;
}
