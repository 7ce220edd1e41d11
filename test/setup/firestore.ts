/**
 * Vitest global setup: one Firestore emulator for the whole run, or the one named by
 * FIRESTORE_EMULATOR_HOST when it is already set. Workers get FIRESTORE_EMULATOR_HOST in
 * their environment (vitest builds the workers' environment after global setup) and can
 * also `inject('firestoreEmulatorHost')`.
 *
 * A missing gcloud / emulator / Java fails the run with the install command; storage tests
 * are never skipped.
 */
import type { TestProject } from 'vitest/node';
import { startFirestoreEmulator } from '../../src/local/firestore-emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    firestoreEmulatorHost: string;
  }
}

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.FIRESTORE_EMULATOR_HOST?.trim();
  if (existing) {
    project.provide('firestoreEmulatorHost', existing);
    return undefined;
  }
  const verbose = process.env.FIRESTORE_EMULATOR_LOG === '1';
  const emulator = await startFirestoreEmulator({
    log: verbose ? (line) => console.error(line) : undefined,
  });
  process.env.FIRESTORE_EMULATOR_HOST = emulator.host;
  project.provide('firestoreEmulatorHost', emulator.host);
  return async () => {
    delete process.env.FIRESTORE_EMULATOR_HOST;
    await emulator.stop();
  };
}
