import { describe, expect, it } from 'vitest';
import {
  approvalHash,
  approvalNotStarted,
  changedSince,
  describeChange,
  openedOn,
} from '../../src/domain/approval-binding.ts';
import { firstRun } from '../../src/domain/run-transitions.ts';
import type { Revision, Submission } from '../../src/domain/submission.ts';
import type { SubmissionSpec } from '../../src/domain/submission-spec/index.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const at = new Date('2026-03-04T10:00:00Z');
const partner = { userId: 'UPARTNER01' };

function revision(spec: SubmissionSpec): Revision {
  return { number: 1, spec, warnings: [], submittedBy: partner, submittedAt: at };
}

function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    id: 'PG-0042',
    status: 'submitted',
    partner,
    revision: 1,
    revisions: [
      { number: 1, spec: sampleSpec(), warnings: [], submittedBy: partner, submittedAt: at },
    ],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

describe('approvalHash', () => {
  it('is a short sha256 of the spec, the same for the same values in any key order', () => {
    const spec = sampleSpec();
    const hash = approvalHash(revision(spec));
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as typeof spec;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(spec));
    expect(approvalHash(revision(reordered))).toBe(hash);
    expect(approvalHash(revision(structuredClone(spec)))).toBe(hash);
  });

  it('differs when any value of the spec differs, nested ones included', () => {
    const hash = approvalHash(revision(sampleSpec()));
    const others = [
      sampleSpec({ image: 'docker.io/other/thing:2.0' }),
      sampleSpec({ PADDING: 32 }),
      sampleSpec({ resources: { cpu: 4, memory_gb: 8, disk_size_gb: 10 } }),
    ].map((spec) => approvalHash(revision(spec)));
    for (const other of others) expect(other).not.toBe(hash);
    expect(new Set(others).size).toBe(others.length);
  });
});

describe('changedSince', () => {
  const opened = openedOn(submission()) as { revision: number; hash: string };

  it('finds nothing changed on the revision and spec the form was opened on', () => {
    expect(changedSince(opened, submission())).toBeUndefined();
    // The status is the store's to check, inside the decision's transaction.
    expect(changedSince(opened, submission({ status: 'cancelled' }))).toBeUndefined();
  });

  it('names a newer revision, and the same revision with another spec', () => {
    const second = submission({
      revision: 2,
      revisions: [
        ...submission().revisions,
        {
          number: 2,
          spec: sampleSpec({ PADDING: 32 }),
          warnings: [],
          submittedBy: partner,
          submittedAt: at,
        },
      ],
    });
    expect(changedSince(opened, second)).toEqual({ kind: 'revision', now: 2, opened: 1 });
    const rewritten = submission({
      revisions: [
        {
          number: 1,
          spec: sampleSpec({ PADDING: 32 }),
          warnings: [],
          submittedBy: partner,
          submittedAt: at,
        },
      ],
    });
    expect(changedSince(opened, rewritten)).toEqual({ kind: 'spec' });
  });

  it('says what changed in words', () => {
    expect(describeChange({ kind: 'revision', now: 3, opened: 2 })).toBe(
      'it is now at revision 3 (you opened revision 2)',
    );
    expect(describeChange({ kind: 'spec' })).toBe('its spec changed');
    expect(describeChange({ kind: 'status', status: 'cancelled' })).toBe('it was cancelled');
    expect(describeChange({ kind: 'status', status: 'approved' })).toBe(
      'it is no longer waiting for review (now approved)',
    );
  });
});

describe('approvalNotStarted', () => {
  const approval = { project: 'pg-dev-1', promote: true, by: { userId: 'UAPPROVER1' }, at };

  it('holds for an approval whose pipeline has not asked for a build yet', () => {
    const approved = submission({ status: 'approved', approval });
    expect(approvalNotStarted(approved)).toBe(true);
    const run = firstRun(approved, 'europe-docker.pkg.dev/p/r');
    expect(approvalNotStarted({ ...approved, pipeline: run })).toBe(true);
    expect(approvalNotStarted({ ...approved, pipeline: { ...run, buildRequested: true } })).toBe(
      false,
    );
    for (const status of ['submitted', 'building', 'cancelled'] as const) {
      expect(approvalNotStarted({ ...approved, status })).toBe(false);
    }
  });
});
