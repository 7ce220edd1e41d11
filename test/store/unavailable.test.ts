/**
 * Firestore out of reach: a TCP proxy in front of the emulator is stopped (connections
 * refused, open ones cut) and started again. The store must answer `unavailable` quickly and
 * leave nothing half-written.
 */
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/ports/store.ts';
import { createFirestore } from '../../src/store/firestore-client.ts';
import { FirestoreStore } from '../../src/store/firestore-store.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { useTestFirestore } from '../setup/firestore-project.ts';
import { APPROVER, newStore, newSubmission, requestId } from './fixtures.ts';

const fs = useTestFirestore();
const TIMEOUT_MS = 1_500;
let proxy: TcpProxy;
const clients: Firestore[] = [];
const stores: FirestoreStore[] = [];

/** A client that reaches the emulator only through `host`. */
function clientVia(host: string): Firestore {
  // The client prefers FIRESTORE_EMULATOR_HOST over its settings: hide it while building.
  const saved = process.env.FIRESTORE_EMULATOR_HOST;
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    const db = createFirestore({
      projectId: fs.projectId,
      env: { FIRESTORE_EMULATOR_HOST: host },
      // Reconnect quickly once the proxy is back (gax's default first back-off is 1 s).
      settings: {
        grpcOptions: {
          'grpc.initial_reconnect_backoff_ms': 50,
          'grpc.max_reconnect_backoff_ms': 250,
        },
      },
    });
    clients.push(db);
    return db;
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = saved;
  }
}

function storeViaProxy(): FirestoreStore {
  const store = new FirestoreStore(clientVia(proxy.host), {
    timeoutMs: TIMEOUT_MS,
    maxAttempts: 2,
  });
  stores.push(store);
  return store;
}

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected the call to fail');
}

/** Retries `fn` until it succeeds (the client reconnects with back-off once the proxy is back). */
function reconnected<T>(fn: () => Promise<T>): Promise<T> {
  return eventually(fn, 20_000, 200);
}

async function counts() {
  const [submissions, requests, counter] = await Promise.all([
    fs.db.collection('submissions').get(),
    fs.db.collection('requests').get(),
    fs.db.doc('counters/submissions').get(),
  ]);
  return {
    submissions: submissions.size,
    requests: requests.size,
    counter: counter.get('value') ?? 0,
  };
}

beforeAll(async () => {
  proxy = await startTcpProxy(fs.host);
});

afterEach(async () => {
  await proxy.start().catch(() => {}); // already listening is fine
});

afterAll(async () => {
  // Calls abandoned at their deadline finish their retries once the proxy is back.
  await Promise.all(stores.map((s) => s.drain()));
  await Promise.all(clients.map((c) => c.terminate()));
  await proxy.close();
});

describe('Firestore unreachable', () => {
  it('answers unavailable within the deadline, for writes and reads', async () => {
    const store = storeViaProxy();
    await proxy.stop();
    const calls: [string, () => Promise<unknown>][] = [
      ['create', () => store.create(newSubmission())],
      ['get', () => store.get('PG-0001')],
      ['listByPartner', () => store.listByPartner('U1')],
      ['listAll', () => store.listAll({ statuses: ['submitted'] })],
      ['audit', () => store.audit('PG-0001')],
      [
        'apply',
        () => store.apply('PG-0001', 'approve', { actor: APPROVER, requestId: requestId() }),
      ],
      ['setThread', () => store.setThread('PG-0001', { channel: 'C', ts: '1.2' })],
    ];
    await Promise.all(
      calls.map(async ([name, call]) => {
        const start = Date.now();
        const error = await failure(call());
        expect({ name, code: error.code, message: error.message }).toEqual({
          name,
          code: 'unavailable',
          message: 'could not reach the database',
        });
        expect(Date.now() - start).toBeLessThan(TIMEOUT_MS + 3_000); // not the client's 45-225 s
      }),
    );
  });

  it('leaves nothing behind when a create fails, and the retry stores it once', async () => {
    const store = storeViaProxy();
    const input = newSubmission();
    await proxy.stop();
    expect((await failure(store.create(input))).code).toBe('unavailable');
    await proxy.start();
    // Give an abandoned attempt every chance to write late: it must not.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The block reservation may have gone through late: it reserves numbers, stores nothing.
    expect(await counts()).toMatchObject({ submissions: 0, requests: 0 });

    const { submission, applied } = await reconnected(() => store.create(input));
    expect(applied).toBe(true);
    // Attempts cut off after taking a number leave a gap before it, never a second copy.
    expect(submission.id).toMatch(/^PG-\d{4}$/);
    expect(await counts()).toMatchObject({ submissions: 1, requests: 1 });
  });

  it('leaves a submission as it was when a transition fails, and the retry applies once', async () => {
    const direct = newStore(fs);
    await direct.create(newSubmission());
    const store = storeViaProxy();
    await reconnected(() => store.get('PG-0001')); // connected
    const rid = requestId('view:approve');
    await proxy.stop();
    expect(
      (await failure(store.apply('PG-0001', 'approve', { actor: APPROVER, requestId: rid }))).code,
    ).toBe('unavailable');
    await proxy.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await direct.get('PG-0001'))?.status).toBe('submitted');
    expect((await direct.audit('PG-0001')).map((e) => e.action)).toEqual(['submit']);

    const results = [
      await reconnected(() =>
        store.apply('PG-0001', 'approve', { actor: APPROVER, requestId: rid }),
      ),
      await store.apply('PG-0001', 'approve', { actor: APPROVER, requestId: rid }),
    ];
    expect(results.map((r) => r.applied)).toEqual([true, false]);
    expect((await direct.audit('PG-0001')).map((e) => e.action)).toEqual(['submit', 'approve']);
  });

  it('stays consistent when the connection is cut at any moment of a create', async () => {
    // Where the cut lands decides whether the create was saved; either way the submission
    // and the request record move together, and the counter stays past every id used. (A cut that lands after the emulator
    // began a transaction but before the client learnt its id leaves that transaction
    // holding its lock until it expires, about 60 s, as Firestore does: creates then fail
    // with `unavailable`, still consistently.)
    const store = storeViaProxy();
    await reconnected(() => store.listAll({ limit: 1 })); // connected
    const outcomes = [];
    for (const delayMs of [0, 3, 10, 30]) {
      const attempt = store.create(newSubmission()).then(
        () => 'saved',
        (error: StoreError) => error.code,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await proxy.stop();
      outcomes.push(await attempt);
      await proxy.start();
      const now = await counts();
      expect(now.requests).toBe(now.submissions);
      expect(now.counter).toBeGreaterThanOrEqual(now.submissions);
    }
    for (const outcome of outcomes) expect(['saved', 'unavailable']).toContain(outcome);
  });
});
