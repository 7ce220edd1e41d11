import { expect } from 'vitest';
import type { Actor } from '../../src/domain/submission.ts';
import { type NewSubmission, StoreError } from '../../src/ports/store.ts';
import { FirestoreStore, type FirestoreStoreOptions } from '../../src/store/firestore-store.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import type { TestFirestore } from '../setup/firestore-project.ts';

export const PARTNER: Actor = { userId: 'UPARTNER1', name: 'pat' };
export const OTHER: Actor = { userId: 'UPARTNER2', name: 'otto' };
export const APPROVER: Actor = { userId: 'UAPPROVER', name: 'alex' };

/** A clock that moves one second per reading, from a fixed start. */
export function steppingClock(start = '2026-03-01T09:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => {
    const now = new Date(t);
    t += 1000;
    return now;
  };
}

export function newStore(fs: TestFirestore, options: FirestoreStoreOptions = {}): FirestoreStore {
  return new FirestoreStore(fs.db, { now: steppingClock(), ...options });
}

let counter = 0;
export function newSubmission(overrides: Partial<NewSubmission> = {}): NewSubmission {
  counter += 1;
  return {
    partner: PARTNER,
    spec: sampleSpec(),
    warnings: [{ path: 'image', message: 'the tag is not pinned to a digest' }],
    requestId: `view:V${counter}:${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}

export function requestId(label = 'req'): string {
  counter += 1;
  return `${label}:${counter}:${Math.random().toString(36).slice(2)}`;
}

/** A clock that stands still until moved (lease expiry tests). */
export interface ManualClock {
  (): Date;
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void;
}

export function manualClock(start = '2026-03-01T09:00:00.000Z'): ManualClock {
  let t = Date.parse(start);
  const clock = (() => new Date(t)) as ManualClock;
  clock.advance = (ms) => {
    t += ms;
  };
  return clock;
}

/** The StoreError `promise` rejects with; fails the test when it succeeds or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected a StoreError, got success');
}

/**
 * Makes `owner` hold the pipeline `id` as a running bot instance would: its heartbeat
 * beats for `ttlMs`, then it claims the pipeline. False when another live instance has it.
 */
export async function hold(
  store: FirestoreStore,
  id: string,
  owner: string,
  ttlMs = 30_000,
): Promise<boolean> {
  await store.beat(owner, ttlMs);
  return store.claim(id, owner);
}
