import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { adviceFor } from '../../src/domain/advice.ts';
import { CodedError, hasCode } from '../../src/domain/errors.ts';
import { GRPC } from '../../src/domain/grpc-status.ts';
import { TransitionError } from '../../src/domain/status.ts';
import { AppEngineError } from '../../src/gcp/app-engine.ts';
import { BuildRequestError } from '../../src/gcp/build-request.ts';
import { ServiceError } from '../../src/ports/service-error.ts';
import { StoreError } from '../../src/ports/store.ts';

describe('one error shape', () => {
  it('every error the bot explains is a CodedError with its code and its class name', () => {
    const errors: [CodedError, string, string][] = [
      [new StoreError('unavailable', 'could not reach the database'), 'unavailable', 'StoreError'],
      [new ConfigError(['PORT: must be a number']), 'invalid_config', 'ConfigError'],
      [new TransitionError('approved', 'reject'), 'invalid_transition', 'TransitionError'],
      [
        new AppEngineError('version_exists', 'taken', GRPC.ALREADY_EXISTS),
        'version_exists',
        'AppEngineError',
      ],
      [new BuildRequestError('bad plan'), 'invalid_build_request', 'BuildRequestError'],
    ];
    for (const [error, code, name] of errors) {
      expect(error).toBeInstanceOf(CodedError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(hasCode(error, code)).toBe(true);
      expect(hasCode(error, 'something_else')).toBe(false);
    }
    expect(hasCode(new Error('plain'))).toBe(false);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('deadline');
    expect(new StoreError('unavailable', 'late', { cause }).cause).toBe(cause);
  });
});

describe('adviceFor', () => {
  it('tells what to do about a taken version id, naming the service and the project', () => {
    const advice = adviceFor(new AppEngineError('version_exists', 'taken'), {
      service: 'boats',
      project: 'playground-eu',
    });
    expect(advice).toContain('Delete that version of boats in playground-eu');
    expect(advice).toContain('Retry');
  });

  it('points a permission refusal at the roles, whichever service refused', () => {
    const denied = new ServiceError('build_api_error', 'denied', GRPC.PERMISSION_DENIED);
    expect(adviceFor(denied, { project: 'p1' })).toMatch(/service account lacks a role in p1/);
  });

  it('says nothing was lost when the database did not answer, and has no advice for the rest', () => {
    expect(adviceFor(new StoreError('unavailable', 'x'))).toMatch(/Nothing was lost/);
    expect(adviceFor(new StoreError('conflict', 'x'))).toMatch(/Nothing was saved/);
    expect(adviceFor(new StoreError('internal', 'x'))).toBeUndefined();
  });
});
