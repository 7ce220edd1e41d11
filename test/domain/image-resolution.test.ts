import { describe, expect, it } from 'vitest';
import { buildReference, shortDigest } from '../../src/domain/image-resolution.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const AT = new Date('2025-03-04T14:05:00Z');
const resolved = { kind: 'resolved', digest: DIGEST, mediaType: 'x', at: AT } as const;

describe('buildReference', () => {
  it('is the repository by digest once resolved, the tag dropped', () => {
    expect(buildReference('eu.gcr.io/p/model:1.0', resolved)).toBe(`eu.gcr.io/p/model@${DIGEST}`);
    expect(buildReference('python:3.12', resolved)).toBe(`docker.io/library/python@${DIGEST}`);
  });

  it('keeps a reference pinned by the partner as written', () => {
    const pinned = `eu.gcr.io/p/model:1.0@${DIGEST}`;
    expect(buildReference(pinned, resolved)).toBe(pinned);
  });

  it('is the tag when unresolved or never resolved', () => {
    const unresolved = {
      kind: 'unresolved',
      code: 'unavailable',
      message: 'down',
      at: AT,
    } as const;
    expect(buildReference('eu.gcr.io/p/model:1.0', unresolved)).toBe('eu.gcr.io/p/model:1.0');
    expect(buildReference('eu.gcr.io/p/model:1.0', undefined)).toBe('eu.gcr.io/p/model:1.0');
  });
});

describe('shortDigest', () => {
  it('keeps the algorithm and 12 hex digits', () => {
    expect(shortDigest(DIGEST)).toBe('sha256:abababababab');
  });
});
