/**
 * Per test file: a Firestore project of its own on the shared emulator (files run in
 * parallel), emptied before each test, its client closed after the file.
 */
import { randomBytes } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeEach, inject } from 'vitest';
import { clearFirestoreEmulator } from '../../src/local/firestore-emulator.ts';
import { createFirestore } from '../../src/store/firestore-client.ts';

export interface TestFirestore {
  /** The emulator's host:port. */
  host: string;
  projectId: string;
  /** A client on this file's project (created once per file). */
  db: Firestore;
  /** Another client on the same project, as a second bot instance would have (closed after the file). */
  client(): Firestore;
}

export function emulatorHost(): string {
  const host = process.env.FIRESTORE_EMULATOR_HOST || inject('firestoreEmulatorHost');
  if (!host)
    throw new Error(
      'FIRESTORE_EMULATOR_HOST is not set: is test/setup/firestore.ts in globalSetup?',
    );
  return host;
}

export function useTestFirestore(): TestFirestore {
  const host = emulatorHost();
  const projectId = `test-${randomBytes(6).toString('hex')}`;
  const env = { FIRESTORE_EMULATOR_HOST: host };
  const clients: Firestore[] = [];
  const client = () => {
    const db = createFirestore({ projectId, env });
    clients.push(db);
    return db;
  };
  const db = client();
  beforeEach(async () => {
    await clearFirestoreEmulator(host, projectId);
  });
  afterAll(async () => {
    // The project is this file's alone and the emulator ends with the run: no clearing.
    await Promise.all(clients.map((c) => c.terminate()));
  });
  return { host, projectId, db, client };
}
