/**
 * What an approver decides on, bound to what is built: a decision form (Approve, Reject,
 * Request changes) carries the revision it was opened on and a hash of that revision, and a
 * decision is taken only while the submission is still at them. Pure: no clock, no I/O.
 */
import { createHash } from 'node:crypto';
import { type Status, statusLabel } from './status.ts';
import type { Revision, Submission } from './submission.ts';

/** What a decision form was opened on. */
export interface OpenedOn {
  revision: number;
  hash: string;
}

/** Hex characters kept of the sha256: enough to tell revisions of one submission apart. */
const HASH_CHARS = 16;

/**
 * A short sha256 of what an approval is for: the revision's spec (and, once resolved, its
 * image digest) in canonical form (keys sorted at every level, so the same values always
 * give the same hash).
 */
export function approvalHash(revision: Revision): string {
  const bound = {
    spec: revision.spec,
    image: revision.image?.kind === 'resolved' ? revision.image.digest : null,
  };
  return createHash('sha256').update(canonicalJson(bound)).digest('hex').slice(0, HASH_CHARS);
}

/** JSON with object keys sorted and undefined members left out, as JSON.stringify drops them. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What a decision form is opened on now: the submission's current revision and its hash. */
export function openedOn(submission: Submission): OpenedOn | undefined {
  const revision = submission.revisions.find((r) => r.number === submission.revision);
  return revision ? { revision: revision.number, hash: approvalHash(revision) } : undefined;
}

/** How a submission changed since a decision form was opened on it. */
export type StaleChange =
  | { kind: 'revision'; now: number; opened: number }
  | { kind: 'spec' }
  | { kind: 'status'; status: Status };

/**
 * Whether the submission is no longer what the form was opened on: another revision, or the
 * same revision number with other content. The status is the store's to check, inside the
 * decision's transaction (a retried request must still find its own decision done).
 */
export function changedSince(opened: OpenedOn, submission: Submission): StaleChange | undefined {
  if (submission.revision !== opened.revision) {
    return { kind: 'revision', now: submission.revision, opened: opened.revision };
  }
  return openedOn(submission)?.hash === opened.hash ? undefined : { kind: 'spec' };
}

/** The change in words, after "PG-0042 changed since you opened this: ". */
export function describeChange(change: StaleChange): string {
  switch (change.kind) {
    case 'revision':
      return `it is now at revision ${change.now} (you opened revision ${change.opened})`;
    case 'spec':
      return 'its spec changed';
    case 'status':
      return change.status === 'cancelled'
        ? 'it was cancelled'
        : `it is no longer waiting for review (now ${statusLabel(change.status)})`;
  }
}

/**
 * Whether an approval may still be voided by a new revision: approved, and its pipeline has
 * not asked Cloud Build for anything yet (the run is written with `buildRequested` before
 * the build is asked for, in a transaction on the same document, so the two cannot cross).
 */
export function approvalNotStarted(submission: Submission): boolean {
  // A run waiting for its turn on the service (service-turn.ts) has asked for nothing yet.
  return submission.status === 'approved' && !submission.pipeline?.buildRequested;
}
