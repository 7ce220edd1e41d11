import { describe, expect, it } from 'vitest';
import { TransitionError } from '../../src/domain/status.ts';
import { StoreError } from '../../src/ports/store.ts';
import { toStoreError } from '../../src/store/errors.ts';

function grpcError(code: number, message = 'boom'): Error {
  return Object.assign(new Error(`${code} ${message}`), { code });
}

describe('toStoreError', () => {
  it.each([
    [14, 'UNAVAILABLE'],
    [4, 'DEADLINE_EXCEEDED'],
    [1, 'CANCELLED'],
    [13, 'INTERNAL'],
  ])('turns gRPC %i (%s) into unavailable: could not reach the database', (code) => {
    const cause = grpcError(code);
    const error = toStoreError(cause, 'saving');
    expect(error).toMatchObject({
      code: 'unavailable',
      message: 'could not reach the database',
      cause,
    });
  });

  it('turns network errors into unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT']) {
      const error = toStoreError(Object.assign(new Error('connect failed'), { code }), 'saving');
      expect(error).toMatchObject({ code: 'unavailable', message: 'could not reach the database' });
    }
  });

  it('explains access and setup problems while still saying unavailable', () => {
    expect(toStoreError(grpcError(7), 'x')).toMatchObject({ code: 'unavailable' });
    expect(toStoreError(grpcError(7), 'x').message).toMatch(
      /^could not reach the database \(access denied/,
    );
    expect(toStoreError(grpcError(16), 'x').message).toMatch(/Cloud Datastore User/);
    expect(toStoreError(grpcError(5), 'x').message).toMatch(/no Firestore database/);
    expect(toStoreError(grpcError(8), 'x').message).toMatch(/overloaded/);
    const adc = new Error('Could not load the default credentials. Browse to https://...');
    expect(toStoreError(adc, 'x')).toMatchObject({ code: 'unavailable' });
  });

  it('turns contention and collisions into conflict', () => {
    expect(toStoreError(grpcError(10), 'saving the submission')).toMatchObject({
      code: 'conflict',
      message:
        'too many simultaneous changes during saving the submission; nothing was saved, try again',
    });
    expect(toStoreError(grpcError(6), 'saving')).toMatchObject({ code: 'conflict' });
  });

  it('turns a transaction the database closed before its commit into conflict, and only that', () => {
    for (const message of [
      'Transaction is invalid or closed.',
      'The referenced transaction has expired or is no longer valid.',
    ]) {
      expect(toStoreError(grpcError(3, message), 'approving')).toMatchObject({
        code: 'conflict',
        message: 'too many simultaneous changes during approving; nothing was saved, try again',
      });
    }
    const ours = toStoreError(grpcError(3, 'Property name is too long'), 'saving');
    expect(ours).toMatchObject({ code: 'internal', message: expect.stringContaining('too long') });
  });

  it('names a missing index', () => {
    const error = toStoreError(grpcError(9, 'The query requires an index'), 'listing');
    expect(error.code).toBe('internal');
    expect(error.message).toContain('firestore.indexes.json');
  });

  it('keeps StoreErrors and translates TransitionErrors', () => {
    const own = new StoreError('not_found', 'there is no submission PG-0001');
    expect(toStoreError(own, 'x')).toBe(own);
    const transition = new TransitionError('approved', 'approve');
    expect(toStoreError(transition, 'x')).toMatchObject({
      code: 'invalid_transition',
      message: transition.message,
      cause: transition,
    });
  });

  it('wraps anything else as internal with its cause', () => {
    const cause = new TypeError('x is undefined');
    const error = toStoreError(cause, 'reading PG-0001');
    expect(error).toMatchObject({
      code: 'internal',
      message: 'reading PG-0001 failed: x is undefined',
      cause,
    });
    expect(toStoreError('a string', 'y')).toMatchObject({
      code: 'internal',
      message: 'y failed: a string',
    });
  });
});
