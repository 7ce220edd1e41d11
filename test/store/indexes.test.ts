import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The composite indexes the store's queries need (the emulator does not enforce them). */
const NEEDED = [
  // listByPartner: partner.userId == X order by createdAt desc
  [
    { fieldPath: 'partner.userId', order: 'ASCENDING' },
    { fieldPath: 'createdAt', order: 'DESCENDING' },
  ],
  // listAll({ statuses }): status in [...] order by createdAt desc
  [
    { fieldPath: 'status', order: 'ASCENDING' },
    { fieldPath: 'createdAt', order: 'DESCENDING' },
  ],
  // quietSince (the watchdog's sweep): tracking == true, pipeline.progressAt < T, ordered by it
  [
    { fieldPath: 'tracking', order: 'ASCENDING' },
    { fieldPath: 'pipeline.progressAt', order: 'ASCENDING' },
  ],
  // inFlight({ ownedBy }) (discovery): tracking == true, owner == null or owner in [...]
  [
    { fieldPath: 'tracking', order: 'ASCENDING' },
    { fieldPath: 'owner', order: 'ASCENDING' },
  ],
];

interface IndexFile {
  indexes: { collectionGroup: string; queryScope: string; fields: unknown[] }[];
  fieldOverrides: {
    collectionGroup: string;
    fieldPath: string;
    ttl?: boolean;
    indexes: unknown[];
  }[];
}

const file = JSON.parse(
  readFileSync(new URL('../../firestore.indexes.json', import.meta.url), 'utf8'),
) as IndexFile;

describe('firestore.indexes.json', () => {
  it('declares the composite indexes of the submission queries', () => {
    for (const fields of NEEDED) {
      expect(file.indexes).toContainEqual({
        collectionGroup: 'submissions',
        queryScope: 'COLLECTION',
        fields,
      });
    }
    expect(file.indexes).toHaveLength(NEEDED.length);
  });

  it('expires request records by TTL and does not index revisions or the outbox', () => {
    expect(file.fieldOverrides).toContainEqual({
      collectionGroup: 'requests',
      fieldPath: 'expiresAt',
      ttl: true,
      indexes: [],
    });
    expect(file.fieldOverrides).toContainEqual({
      collectionGroup: 'submissions',
      fieldPath: 'revisions',
      indexes: [],
    });
    // The outbox is read with its document, never queried inside (src/store/outbox.ts).
    expect(file.fieldOverrides).toContainEqual({
      collectionGroup: 'submissions',
      fieldPath: 'outbox',
      indexes: [],
    });
  });
});
