/**
 * One-time changes to stored documents that a new version of the bot needs, each run once
 * per database and remembered in `counters/upgrades` so later starts read one document.
 *
 * - `pipelineOwner`: before heartbeat leases a tracked pipeline held `lease {owner, until}`
 *   and no `owner` field; discovery finds pipelines nobody drives by `owner == null`, which
 *   a missing field does not match. Each such pipeline gets `owner: null` (its old lease is
 *   dropped), so the next discovery takes it.
 */
import { FieldPath, FieldValue, type Firestore } from '@google-cloud/firestore';

const PAGE = 200;

export async function upgrade(
  db: Firestore,
  collections: { submissions: string; counters: string },
) {
  const marker = db.collection(collections.counters).doc('upgrades');
  if ((await marker.get()).get('pipelineOwner') === true) return;
  let after: string | undefined;
  for (;;) {
    let query = db
      .collection(collections.submissions)
      .where('tracking', '==', true)
      .orderBy(FieldPath.documentId());
    if (after) query = query.startAfter(after);
    const page = await query.limit(PAGE).get();
    const batch = db.batch();
    let changed = 0;
    for (const doc of page.docs) {
      if (doc.get('owner') !== undefined) continue;
      // Only where it is still missing: a newer instance may have claimed it meanwhile.
      batch.update(
        doc.ref,
        { owner: null, lease: FieldValue.delete() },
        {
          lastUpdateTime: doc.updateTime,
        },
      );
      changed += 1;
    }
    if (changed) await batch.commit();
    if (page.size < PAGE) break;
    after = page.docs.at(-1)?.id;
  }
  await marker.set({ pipelineOwner: true }, { merge: true });
}
