// Submission ids from per-instance blocks (submission-ids.ts) on the emulator: distinct
// under concurrency within and across instances, one submission per request, a gap (never
// a duplicate) after an instance dies, and the counter read once per block.
import { Transaction } from '@google-cloud/firestore';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { MIN_BLOCK } from '../../src/store/submission-ids.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { newStore, newSubmission, steppingClock } from './fixtures.ts';

const fs = useTestFirestore();

const COUNTER = 'counters/submissions';

async function storedIds(): Promise<string[]> {
  return (await fs.db.collection('submissions').get()).docs.map((d) => d.id).sort();
}

async function requestCount(): Promise<number> {
  return (await fs.db.collection('requests').get()).size;
}

/** Reads of the counter document inside transactions, from now on. */
function counterReads() {
  const get = vi.spyOn(Transaction.prototype, 'get');
  return () =>
    get.mock.calls.filter(([ref]) => 'path' in ref && (ref as { path: string }).path === COUNTER)
      .length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('submission ids in blocks', () => {
  it('gives 150 concurrent creates on one store distinct ids, each stored once', async () => {
    const store = newStore(fs);
    const inputs = Array.from({ length: 150 }, () => newSubmission());
    // Every tenth request arrives twice at once, as a Slack retry would.
    const results = await Promise.all(
      inputs.flatMap((input, i) => (i % 10 ? [input] : [input, input]).map((x) => store.create(x))),
    );
    const ids = new Set(results.map((r) => r.submission.id));
    expect(ids.size).toBe(150);
    expect(results.filter((r) => r.applied)).toHaveLength(150);
    expect(await storedIds()).toEqual([...ids].sort());
    expect(await requestCount()).toBe(150);
    // One instance alone leaves no gap: its blocks follow each other.
    expect([...ids].sort()).toEqual(
      Array.from({ length: 150 }, (_, i) => `PG-${String(i + 1).padStart(4, '0')}`),
    );
  });

  it('gives two instances creating at once distinct ids; a retried request returns its submission', async () => {
    const stores = [0, 1].map(() => new FirestoreStore(fs.client(), { now: steppingClock() }));
    const inputs = Array.from({ length: 120 }, () => newSubmission());
    const first = await Promise.all(inputs.map((input, i) => stores[i % 2]?.create(input)));
    const ids = first.map((r) => r?.submission.id);
    expect(new Set(ids).size).toBe(120);
    expect(await storedIds()).toEqual([...ids].sort());
    // The same requests again, each on the other instance: the same submissions, nothing new.
    const again = await Promise.all(inputs.map((input, i) => stores[(i + 1) % 2]?.create(input)));
    expect(again.map((r) => r?.submission.id)).toEqual(ids);
    expect(again.every((r) => r?.applied === false)).toBe(true);
    expect(await requestCount()).toBe(120);
  });

  it('stores a request sent to two instances at the same moment once', async () => {
    const stores = [0, 1].map(() => new FirestoreStore(fs.client(), { now: steppingClock() }));
    const input = newSubmission();
    const [a, b] = await Promise.all(stores.map((store) => store.create(input)));
    expect(a?.submission.id).toBe(b?.submission.id);
    expect([a?.applied, b?.applied].sort()).toEqual([false, true]);
    expect(await storedIds()).toEqual([a?.submission.id]);
    expect(await requestCount()).toBe(1);
  });

  it('leaves a gap, never a duplicate, when an instance stops with numbers unused', async () => {
    const gone = newStore(fs);
    expect((await gone.create(newSubmission())).submission.id).toBe('PG-0001');
    await gone.drain(); // the instance stops: PG-0002 to PG-0020 are never used
    const next = newStore(fs);
    const { submission } = await next.create(newSubmission());
    expect(submission.id).toBe(`PG-${String(MIN_BLOCK + 1).padStart(4, '0')}`);
    expect(await storedIds()).toEqual(['PG-0001', submission.id]);
  });

  it('refuses a create whose number is already taken rather than overwriting it', async () => {
    const store = newStore(fs);
    await store.create(newSubmission());
    // A counter moved back (restored from a backup): the next block hands out taken numbers.
    await fs.db.doc(COUNTER).set({ value: 0 });
    const other = newStore(fs);
    await expect(other.create(newSubmission())).rejects.toMatchObject({ name: 'StoreError' });
    expect(await storedIds()).toEqual(['PG-0001']);
  });

  it('reads the counter once per block, not once per create', async () => {
    const store = newStore(fs);
    const reads = counterReads();
    const creates = 3 * MIN_BLOCK;
    for (let i = 0; i < creates; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => store.create(newSubmission())));
    }
    expect(reads()).toBeGreaterThanOrEqual(1);
    // Blocks of MIN_BLOCK or more (they grow while busy): at most one read per block.
    expect(reads()).toBeLessThanOrEqual(creates / MIN_BLOCK);
    expect((await fs.db.doc(COUNTER).get()).get('value')).toBeGreaterThanOrEqual(creates);
  });
});
