import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import type { Submission } from '../../src/domain/submission.ts';
import { StoreError } from '../../src/ports/store.ts';
import {
  auditFromDoc,
  auditToDoc,
  submissionFromDoc,
  submissionToDoc,
  toFirestoreValue,
} from '../../src/store/codec.ts';
import { sampleRun } from '../helpers/sample-run.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const at = new Date('2026-03-01T09:00:00.123Z');
const submission: Submission = {
  id: 'PG-0007',
  status: 'approved',
  partner: { userId: 'U1', name: 'pat' },
  revision: 1,
  revisions: [
    { number: 1, spec: sampleSpec(), warnings: [], submittedBy: { userId: 'U1' }, submittedAt: at },
  ],
  thread: { channel: 'C1', ts: '1700000000.000100' },
  approval: { project: 'pg-prod-1', promote: false, by: { userId: 'U2' }, at },
  reason: 'fine',
  lastEvent: {
    at,
    actor: { userId: 'U2' },
    action: 'approve',
    from: 'submitted',
    to: 'approved',
    requestId: 'r1',
  },
  createdAt: at,
  updatedAt: at,
};

describe('codec', () => {
  it('turns Dates into Timestamps and drops undefined, deeply', () => {
    expect(
      toFirestoreValue({
        a: at,
        b: undefined,
        c: [at, undefined, { d: undefined, e: 1 }],
        f: null,
      }),
    ).toEqual({
      a: Timestamp.fromDate(at),
      c: [Timestamp.fromDate(at), { e: 1 }],
      f: null,
    });
  });

  it('round-trips a submission exactly (milliseconds included)', () => {
    const doc = submissionToDoc({ submission, auditSeq: 3 });
    expect(doc.createdAt).toBeInstanceOf(Timestamp);
    expect(doc).toMatchObject({ auditSeq: 3, schemaVersion: 1 });
    expect(submissionFromDoc('PG-0007', doc)).toEqual({ submission, auditSeq: 3 });
  });

  it('ignores fields it does not know (written by a newer version)', () => {
    const doc = { ...submissionToDoc({ submission, auditSeq: 1 }), futureField: 'x' };
    expect(submissionFromDoc('PG-0007', doc).submission).toEqual(submission);
  });

  it('says what is wrong with a document it cannot read', () => {
    const doc = submissionToDoc({ submission, auditSeq: 1 });
    const broken = { ...doc, status: 'shipped', createdAt: '2026-03-01', revision: 2 };
    let error: unknown;
    try {
      submissionFromDoc('PG-0007', broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('invalid_data');
    expect((error as StoreError).message).toMatch(
      /^submission PG-0007 in the database is not readable: /,
    );
    expect((error as StoreError).message).toContain('status');
    expect((error as StoreError).message).toContain('createdAt');
    expect(() => submissionFromDoc('PG-0007', undefined)).toThrow(StoreError);
  });

  it('reads a run stored before the live check existed with its verify step still to do', () => {
    const run = { ...sampleRun(), steps: { ...sampleRun().steps } };
    const { verify: _, ...older } = run.steps;
    const doc = submissionToDoc({ submission: { ...submission, pipeline: run }, auditSeq: 1 });
    const stored = { ...doc, pipeline: { ...(doc.pipeline as object), steps: older } };
    expect(submissionFromDoc('PG-0007', stored).submission.pipeline?.steps.verify).toEqual({
      state: 'pending',
    });
  });

  it('notices a current revision missing from the list', () => {
    const doc = submissionToDoc({ submission: { ...submission, revision: 2 }, auditSeq: 1 });
    expect(() => submissionFromDoc('PG-0007', doc)).toThrow(/current revision is missing/);
  });

  it('round-trips audit events without their sequence number', () => {
    const event = {
      at,
      actor: { userId: 'U9' },
      action: 'refused' as const,
      requestId: 'r',
      detail: 'not an approver',
    };
    const doc = auditToDoc(event, 4);
    expect(doc.seq).toBe(4);
    expect(auditFromDoc('x', doc)).toEqual(event);
    expect(() => auditFromDoc('x', { ...doc, action: 'dance' })).toThrow(/audit event x/);
  });
});
