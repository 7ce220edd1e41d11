import { describe, expect, it } from 'vitest';
import {
  currentRevision,
  formatSubmissionId,
  parseSubmissionId,
  SUBMISSION_ID,
  type Submission,
} from '../../src/domain/submission.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

describe('submission ids', () => {
  it('formats counters as PG-0042, widening past 9999', () => {
    expect(formatSubmissionId(1)).toBe('PG-0001');
    expect(formatSubmissionId(42)).toBe('PG-0042');
    expect(formatSubmissionId(9999)).toBe('PG-9999');
    expect(formatSubmissionId(10000)).toBe('PG-10000');
    for (const n of [1, 42, 9999, 10000]) expect(formatSubmissionId(n)).toMatch(SUBMISSION_ID);
  });

  it('reads what people type', () => {
    for (const text of ['PG-0042', 'pg-0042', 'PG-42', 'pg42', '42', ' 0042 ', 'PG-000042']) {
      expect(parseSubmissionId(text)).toBe('PG-0042');
    }
    expect(parseSubmissionId('PG-12345')).toBe('PG-12345');
  });

  it('refuses anything else', () => {
    for (const text of [
      '',
      'PG-',
      'PG-0',
      'PG-0000',
      'PG-42a',
      'XX-0042',
      'PG--42',
      'a/b',
      '4 2',
      '-1',
      '1e3',
    ]) {
      expect(parseSubmissionId(text)).toBeUndefined();
    }
  });
});

describe('currentRevision', () => {
  const revision = (number: number) => ({
    number,
    spec: sampleSpec({ PADDING: number }),
    warnings: [],
    submittedBy: { userId: 'U1' },
    submittedAt: new Date(0),
  });
  const submission = (current: number): Submission => ({
    id: 'PG-0001',
    status: 'submitted',
    partner: { userId: 'U1' },
    revision: current,
    revisions: [revision(1), revision(2)],
    createdAt: new Date(0),
    updatedAt: new Date(0),
  });

  it('is the revision the submission points at', () => {
    expect(currentRevision(submission(2)).spec.PADDING).toBe(2);
    expect(currentRevision(submission(1)).spec.PADDING).toBe(1);
  });

  it('fails loudly when that revision is missing', () => {
    expect(() => currentRevision(submission(3))).toThrow('PG-0001 has no revision 3');
  });
});
