/**
 * The Firestore client the app uses. FIRESTORE_EMULATOR_HOST (the standard variable) points
 * it at the emulator; otherwise it uses Application Default Credentials in `projectId`.
 */
import { Firestore, type Settings } from '@google-cloud/firestore';

export interface CreateFirestoreOptions {
  projectId: string;
  env?: Record<string, string | undefined>;
  /** Further client settings (e.g. grpcOptions); they win over the ones chosen here. */
  settings?: Settings;
}

export function createFirestore({
  projectId,
  env = process.env,
  settings = {},
}: CreateFirestoreOptions): Firestore {
  const emulator = env.FIRESTORE_EMULATOR_HOST?.trim();
  return new Firestore({
    projectId,
    ...(emulator
      ? {
          host: emulator,
          ssl: false,
          // No Google credentials exist for the emulator; naming the universe stops the
          // client from probing the GCE metadata server for them (slow, and a warning).
          universeDomain: 'googleapis.com',
        }
      : {}),
    ...settings,
  });
}
