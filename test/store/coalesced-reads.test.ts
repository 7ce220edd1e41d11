// Reads sharing one BatchGetDocuments (coalesced-reads.ts) on the emulator: each caller gets
// its own documents in its order, fresh as of when its read was sent, few requests for a
// burst, a failure only for the reads it carried, and a stuck request holding nobody back
// past its slot.
import type { DocumentReference, DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoalescedReads } from '../../src/store/coalesced-reads.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';

const fs = useTestFirestore();

afterEach(() => {
  vi.restoreAllMocks();
});

const ref = (id: string) => fs.db.collection('things').doc(id);

/** The names each getAll on `db` asked for, from now on. */
function requests(db: Firestore) {
  const getAll = vi.spyOn(db, 'getAll');
  return () => getAll.mock.calls.map((refs) => (refs as DocumentReference[]).map((r) => r.id));
}

const values = (snaps: DocumentSnapshot[]) =>
  snaps.map((snap) => (snap.exists ? snap.get('n') : 'missing'));

describe('coalesced reads', () => {
  it('sends a lone read at once, and one with no documents not at all', async () => {
    await ref('a').set({ n: 1 });
    const asked = requests(fs.db);
    const reads = new CoalescedReads(fs.db);
    expect(values(await reads.get([ref('a'), ref('nothing')]))).toEqual([1, 'missing']);
    expect(await reads.get([])).toEqual([]);
    expect(asked()).toEqual([['a', 'nothing']]);
  });

  it('answers 40 concurrent reads each with its own documents, in a few requests', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => ref(`d${i}`).set({ n: i })));
    const asked = requests(fs.db);
    const reads = new CoalescedReads(fs.db);
    // Each asks for its own document, one that does not exist, and one all of them share.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => reads.get([ref(`d${i}`), ref(`none${i}`), ref('d0')])),
    );
    answers.forEach((snaps, i) => {
      expect(values(snaps)).toEqual([i, 'missing', 0]);
    });
    const sent = asked();
    // The first alone, the other 39 together while it was in flight.
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual(['d0', 'none0']);
    expect(sent[1]).toHaveLength(39 * 2 + 1);
    expect(new Set(sent.flat()).size).toBe(80);
  });

  it('never answers a read with what was read before it was made', async () => {
    await ref('fresh').set({ n: 'before' });
    const reads = new CoalescedReads(fs.db);
    const first = reads.get([ref('fresh')]);
    // Written while the first read is in flight; the next read starts after the write.
    await fs.db.runTransaction(async (tx) => tx.set(ref('fresh'), { n: 'after' }));
    const second = reads.get([ref('fresh')]);
    expect(values(await second)).toEqual(['after']);
    expect(['before', 'after']).toContain(values(await first)[0]);
  });

  it('keeps each request within maxDocs, sending a bigger read alone', async () => {
    const asked = requests(fs.db);
    const reads = new CoalescedReads(fs.db, { maxDocs: 4 });
    await Promise.all([
      reads.get([ref('x0')]),
      reads.get([ref('x1'), ref('x2')]),
      reads.get([ref('x3'), ref('x4')]),
      reads.get([ref('x5'), ref('x6'), ref('x7'), ref('x8'), ref('x9')]),
      reads.get([ref('x10')]),
    ]);
    expect(asked()).toEqual([
      ['x0'],
      ['x1', 'x2', 'x3', 'x4'],
      ['x5', 'x6', 'x7', 'x8', 'x9'],
      ['x10'],
    ]);
  });

  it('fails only the reads a failed request carried', async () => {
    await ref('ok').set({ n: 'ok' });
    const reads = new CoalescedReads(fs.db);
    const real = fs.db.getAll.bind(fs.db);
    const boom = Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 });
    vi.spyOn(fs.db, 'getAll')
      .mockImplementationOnce(() => Promise.reject(boom))
      .mockImplementation(real);
    const [first, second] = await Promise.allSettled([
      reads.get([ref('ok')]),
      reads.get([ref('ok')]),
    ]);
    expect(first).toEqual({ status: 'rejected', reason: boom });
    expect(second.status).toBe('fulfilled');
    expect(values(await reads.get([ref('ok')]))).toEqual(['ok']);
  });

  it('sends the next request beside one stuck past its slot', async () => {
    await ref('late').set({ n: 'late' });
    const reads = new CoalescedReads(fs.db, { slotMs: 50 });
    const real = fs.db.getAll.bind(fs.db);
    let unstick: (snaps: DocumentSnapshot[]) => void = () => {};
    vi.spyOn(fs.db, 'getAll')
      .mockImplementationOnce(
        () =>
          new Promise((resolve) => {
            unstick = resolve;
          }),
      )
      .mockImplementation(real);
    const stuck = reads.get([ref('late')]);
    const started = performance.now();
    expect(values(await reads.get([ref('late')]))).toEqual(['late']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    unstick(await real(ref('late')));
    expect(values(await stuck)).toEqual(['late']);
  });
});
