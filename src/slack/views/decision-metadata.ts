// What a decision form (Approve, Reject, Request changes) carries in its private_metadata:
// the submission, its review message, and what the form was opened on (revision and hash),
// so that sending a stale form is refused with what changed.
import { type OpenedOn, openedOn } from '../../domain/approval-binding.ts';
import type { Submission } from '../../domain/submission.ts';
import { stringOf } from './kit.ts';

export interface DecisionMetadata {
  id: string;
  /** The review message (root of the thread). */
  channel?: string;
  ts?: string;
  opened: OpenedOn;
}

/** Where a form opened now on `submission` is about, and what it is opened on, written flat. */
export function decisionMetadata(
  where: { id: string; channel?: string; ts?: string },
  submission: Submission,
): Record<string, unknown> {
  const opened = openedOn(submission);
  if (!opened) throw new Error(`${submission.id} has no revision ${submission.revision}`);
  return { ...where, revision: opened.revision, hash: opened.hash };
}

/** Undefined when the id, revision or hash is missing (a forged form, or one from before). */
export function parseDecisionMetadata(raw: Record<string, unknown>): DecisionMetadata | undefined {
  const id = stringOf(raw, 'id');
  const hash = stringOf(raw, 'hash');
  const revision = Object.hasOwn(raw, 'revision') ? raw.revision : undefined;
  if (id === undefined || hash === undefined) return undefined;
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 1) {
    return undefined;
  }
  const metadata: DecisionMetadata = { id, opened: { revision, hash } };
  const channel = stringOf(raw, 'channel');
  const ts = stringOf(raw, 'ts');
  if (channel !== undefined) metadata.channel = channel;
  if (ts !== undefined) metadata.ts = ts;
  return metadata;
}
