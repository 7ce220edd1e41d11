// The doctor's Firestore checks: one read through the bot's own client, and the composite
// indexes through the Firestore Admin API (FirestoreAdminClient.listIndexes, which
// @google-cloud/firestore ships). The emulator serves any query without indexes and has no
// Admin API for them, so there they are not checked.
import firestoreModule, { type Firestore } from '@google-cloud/firestore';
import type { DatabaseProbe, IndexShape, Probed } from '../ports/setup-probes.ts';
import { probeCall, unreachedFrom } from './google-error.ts';

// A CommonJS module whose `v1` Node cannot see as a named export.
const { v1 } = firestoreModule;
const TIMEOUT_MS = 10_000;
const ORDERS = ['ORDER_UNSPECIFIED', 'ASCENDING', 'DESCENDING'] as const;

export class FirestoreSetupProbe implements DatabaseProbe {
  readonly #db: Firestore;
  readonly #project: string;
  readonly #emulator: boolean;
  /** The collection read to prove Firestore answers (any will do; this one always exists once used). */
  readonly #collection: string;

  constructor(options: { db: Firestore; project: string; emulator: boolean; collection: string }) {
    this.#db = options.db;
    this.#project = options.project;
    this.#emulator = options.emulator;
    this.#collection = options.collection;
  }

  async read(): Promise<Probed<void>> {
    try {
      await probeCall(
        this.#db.collection(this.#collection).limit(1).get(),
        TIMEOUT_MS,
        'Firestore',
      );
      return { reached: true, value: undefined };
    } catch (error) {
      return unreachedFrom(error);
    }
  }

  async indexes(): Promise<Probed<IndexShape[]> | { reached: 'emulator' }> {
    if (this.#emulator) return { reached: 'emulator' };
    const admin = new v1.FirestoreAdminClient();
    try {
      const [indexes] = await probeCall(
        admin.listIndexes({
          parent: `projects/${this.#project}/databases/(default)/collectionGroups/-`,
        }),
        TIMEOUT_MS,
        'the Firestore Admin API',
      );
      return {
        reached: true,
        value: indexes.map((index) => ({
          // `projects/P/databases/D/collectionGroups/GROUP/indexes/ID`
          collectionGroup: /collectionGroups\/([^/]+)/.exec(index.name ?? '')?.[1] ?? '',
          fields: (index.fields ?? [])
            // Firestore adds __name__ as the last field of every index.
            .filter((field) => field.fieldPath !== '__name__' && field.order != null)
            .map((field) => ({
              fieldPath: field.fieldPath ?? '',
              order: (typeof field.order === 'number' ? ORDERS[field.order] : field.order) as
                | 'ASCENDING'
                | 'DESCENDING',
            })),
        })),
      };
    } catch (error) {
      return unreachedFrom(error);
    } finally {
      await admin.close();
    }
  }
}
