// Decoding what the Cloud Build client returns: statuses in every form, timestamps,
// build ids from operations, error mapping (pure).
import { protos } from '@google-cloud/cloudbuild';
import { describe, expect, it } from 'vitest';
import {
  buildIdOf,
  buildState,
  CloudBuildError,
  normaliseStatus,
  toCloudBuildError,
  toDate,
} from '../../src/gcp/cloud-build.ts';

const v1 = protos.google.devtools.cloudbuild.v1;

describe('normaliseStatus', () => {
  it.each([
    ['SUCCESS', 'success'],
    [3, 'success'],
    ['QUEUED', 'queued'],
    [1, 'queued'],
    ['WORKING', 'working'],
    [2, 'working'],
    ['FAILURE', 'failure'],
    [4, 'failure'],
    ['INTERNAL_ERROR', 'internal_error'],
    [5, 'internal_error'],
    ['TIMEOUT', 'timeout'],
    [6, 'timeout'],
    ['CANCELLED', 'cancelled'],
    [7, 'cancelled'],
    ['EXPIRED', 'expired'],
    [9, 'expired'],
    ['PENDING', 'pending'],
    [10, 'pending'],
    ['STATUS_UNKNOWN', 'pending'],
    [0, 'pending'],
    [null, 'pending'],
    [undefined, 'pending'],
    ['internal_error', 'internal_error'],
  ])('%j -> %s', (value, expected) => {
    expect(normaliseStatus(value)).toBe(expected);
  });

  it('agrees with the client protos for every Build.Status', () => {
    for (const [name, number] of Object.entries(v1.Build.Status)) {
      if (typeof number !== 'number') continue;
      expect(normaliseStatus(number)).toBe(normaliseStatus(name));
    }
  });

  it.each([[8], [42], ['DONE'], ['constructor'], [{}], [true]])('refuses %j', (value) => {
    expect(() => normaliseStatus(value)).toThrow(CloudBuildError);
  });
});

describe('toDate', () => {
  const ms = Date.parse('2030-01-01T00:00:01.250Z');
  it('reads Timestamps with string, number or Long seconds, and RFC 3339 text', () => {
    expect(toDate({ seconds: String(ms / 1000 - 0.25), nanos: 250_000_000 })).toEqual(new Date(ms));
    expect(toDate({ seconds: Math.floor(ms / 1000), nanos: 250_000_000 })).toEqual(new Date(ms));
    const decoded = v1.Build.decode(
      v1.Build.encode({
        startTime: { seconds: Math.floor(ms / 1000), nanos: 250_000_000 },
      }).finish(),
    );
    expect(toDate(decoded.startTime as never)).toEqual(new Date(ms));
    expect(toDate('2030-01-01T00:00:01.250Z')).toEqual(new Date(ms));
    expect(toDate(null)).toBeUndefined();
    expect(toDate({})).toBeUndefined();
  });
});

describe('buildIdOf', () => {
  const id = '7a943c63-bcf9-4cf2-a745-bf163e366642';
  const name = `operations/build/p1/${Buffer.from(id).toString('base64')}`;

  it('takes the id from decoded metadata', () => {
    expect(buildIdOf({ name: 'x', metadata: { build: { id } } })).toBe(id);
  });

  it('decodes the raw metadata when the decoded one has no id', () => {
    const value = v1.BuildOperationMetadata.encode({ build: { id } }).finish();
    expect(
      buildIdOf({
        name: 'operations/x',
        metadata: { build: {} },
        rawMetadata: {
          type_url: 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata',
          value,
        },
      }),
    ).toBe(id);
  });

  it('falls back to the operation name, global or regional', () => {
    expect(buildIdOf({ name })).toBe(id);
    expect(
      buildIdOf({
        name: `projects/p1/locations/europe-west1/operations/${Buffer.from(id).toString('base64')}`,
      }),
    ).toBe(id);
  });

  it('refuses an operation it cannot read', () => {
    expect(() => buildIdOf({ name: 'operations/build/p1/%%%' })).toThrow(/without a build id/);
    expect(() => buildIdOf({})).toThrow(CloudBuildError);
  });
});

describe('buildState', () => {
  const t = (s: number) => ({ seconds: String(1_900_000_000 + s), nanos: 0 });
  const at = (s: number) => new Date((1_900_000_000 + s) * 1000);

  it('marks the step a build ended in when steps carry no status', () => {
    const state = buildState({
      id: 'b1',
      status: 'TIMEOUT',
      statusDetail: 'Build exceeded its timeout',
      startTime: t(0),
      finishTime: t(30),
      steps: [
        { id: 'bundle', timing: { startTime: t(0), endTime: t(10) } },
        { id: 'wrap', timing: { startTime: t(10) } },
        { id: 'test' },
      ],
    });
    expect(state).toEqual({
      id: 'b1',
      status: 'timeout',
      done: true,
      startedAt: at(0),
      endedAt: at(30),
      steps: [
        { id: 'bundle', status: 'success', startedAt: at(0), endedAt: at(10) },
        { id: 'wrap', status: 'timeout', startedAt: at(10) },
        { id: 'test', status: 'pending' },
      ],
      failure: { step: 'wrap', detail: 'Build exceeded its timeout' },
    });
  });

  it('names no step when a build failed outside them, and says why', () => {
    const state = buildState({
      id: 'b2',
      status: 4,
      failureInfo: { type: 'PUSH_FAILED', detail: 'failed to push r/x:1' },
      steps: [{ id: 'push', status: 3, timing: { startTime: t(0), endTime: t(1) } }],
    });
    expect(state.failure).toEqual({ detail: 'failed to push r/x:1' });
    expect(state.steps[0]?.status).toBe('success');
  });

  it('takes the digest of the pushed image named in images', () => {
    const state = buildState({
      id: 'b3',
      status: 'SUCCESS',
      images: ['r/x:1'],
      results: {
        images: [
          { name: 'r/x', digest: 'sha256:other' },
          { name: 'r/x:1', digest: 'sha256:right' },
        ],
      },
    });
    expect(state).toMatchObject({ done: true, imageDigest: 'sha256:right' });
    expect(state.failure).toBeUndefined();
  });

  it('uses the step name when a step has no id', () => {
    expect(
      buildState({ id: 'b', status: 2, steps: [{ name: 'gcr.io/x' }, {}] }).steps.map((s) => s.id),
    ).toEqual(['gcr.io/x', 'step-1']);
  });
});

describe('toCloudBuildError', () => {
  it.each([
    [{ code: 14, message: 'down' }, 'unavailable'],
    [{ code: 4, message: 'slow' }, 'unavailable'],
    [{ code: 8, message: 'quota' }, 'unavailable'],
    [{ code: 5, message: 'gone' }, 'build_api_error'],
    [{ code: 3, message: 'bad' }, 'build_api_error'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unavailable'],
    [new TypeError('oops'), 'build_api_error'],
  ])('%j -> %s', (error, code) => {
    const mapped = toCloudBuildError(error, 'getBuild');
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(code === 'unavailable');
    expect(mapped.message.startsWith('getBuild: ')).toBe(true);
  });
});
