// Seeding thousands of pipelines the way approvals do takes longer than measuring them:
// past the first ones (seeded through a bot, seed.ts), each further pipeline is a copy of
// the first one, written straight to the emulator in batches. Each copy gets its own
// submission id, service and running build (created on the Cloud Build stand-in with the
// first build's request), so the measured bot polls it like any other and finds it, as
// after a restart, with no instance driving it.
import { Timestamp } from '@google-cloud/firestore';
import { formatSubmissionId } from '../src/domain/submission.ts';
import type { CloudBuildStandIn } from '../src/local/cloud-build/server.ts';
import { createFirestore } from '../src/store/firestore-client.ts';
import { TARGET_PROJECT } from './world.ts';

/** Documents per batched commit (Firestore allows 500 writes in one). */
const BATCH = 200;

/** `value` with every string's `from` texts replaced by their `to`; Timestamps kept. */
function replaced(value: unknown, pairs: [string, string][]): unknown {
  if (typeof value === 'string') {
    return pairs.reduce((text, [from, to]) => text.replaceAll(from, to), value);
  }
  if (Array.isArray(value)) return value.map((v) => replaced(v, pairs));
  if (value && typeof value === 'object' && !(value instanceof Timestamp)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaced(v, pairs)]));
  }
  return value;
}

/** `steps` with every time in them moved by `ms` (a build created that much later). */
function shifted(steps: unknown, ms: number): unknown {
  if (steps instanceof Timestamp) return Timestamp.fromMillis(steps.toMillis() + ms);
  if (steps && typeof steps === 'object') {
    return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, shifted(v, ms)]));
  }
  return steps;
}

/** When the stand-in created build `id`, in ms since the epoch. */
function createdAt(cloudBuild: CloudBuildStandIn, id: string): number {
  return Date.parse(String(cloudBuild.build(id)?.createTime));
}

/** Starts a build on the stand-in at `path` (the seeding bot's) with `request`; answers its id. */
async function createBuild(url: string, request: unknown): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const operation = (await response.json()) as { metadata?: { build?: { id?: string } } };
  const id = operation.metadata?.build?.id;
  if (!response.ok || !id)
    throw new Error(`the stand-in did not create a build: ${response.status}`);
  return id;
}

/**
 * Copies the seeded submission `template` (number `template.number` of the seeding, see
 * seed.ts) `count` times, as submissions `firstId`, `firstId + 1`, …, the services of
 * seeding numbers `template.number + 1`, ….
 */
export async function seedClones(
  env: Record<string, string>,
  cloudBuild: CloudBuildStandIn,
  template: { id: string; number: number },
  firstId: number,
  count: number,
  serviceOf: (number: number) => string,
): Promise<void> {
  const db = createFirestore({ projectId: env.GOOGLE_CLOUD_PROJECT as string, env });
  try {
    const { id } = template;
    const service = serviceOf(template.number);
    const doc = (await db.doc(`submissions/${id}`).get()).data();
    const lock = (await db.doc(`serviceLocks/${TARGET_PROJECT}~${service}`).get()).data();
    const build = doc?.pipeline?.buildId as string | undefined;
    const request = cloudBuild
      .createdBuilds()
      .find((body) => JSON.stringify(body).includes(`/${service}:`));
    // Where the seeding bot created its builds (the project and region of the runs).
    const path = cloudBuild.requests.find(
      (r) => r.method === 'POST' && r.status === 200 && r.path.endsWith('/builds'),
    )?.path;
    if (!doc || !lock || !build || !request || !path) {
      throw new Error(`${id} was not seeded with a running build`);
    }
    for (let start = 0; start < count; start += BATCH) {
      const batch = db.batch();
      const numbers = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => start + k);
      await Promise.all(
        numbers.map(async (k) => {
          const copy = formatSubmissionId(firstId + k);
          const copyService = serviceOf(template.number + 1 + k);
          const pairs: [string, string][] = [
            [id, copy],
            [id.toLowerCase(), copy.toLowerCase()],
            [service, copyService],
          ];
          const buildId = await createBuild(`${cloudBuild.url}${path}`, replaced(request, pairs));
          const data = replaced(doc, [...pairs, [build, buildId]]) as Record<string, unknown>;
          // Its steps' times as its own build reports them: the first poll changes nothing.
          const lag = createdAt(cloudBuild, buildId) - createdAt(cloudBuild, build);
          const pipeline = data.pipeline as Record<string, unknown>;
          pipeline.steps = shifted(pipeline.steps, lag);
          // Released, as the seeding bot leaves its own pipelines: nobody drives it.
          batch.set(db.doc(`submissions/${copy}`), { ...data, owner: null });
          batch.set(
            db.doc(`serviceLocks/${TARGET_PROJECT}~${copyService}`),
            replaced(lock, pairs) as Record<string, unknown>,
          );
        }),
      );
      await batch.commit();
    }
  } finally {
    await db.terminate();
  }
}
