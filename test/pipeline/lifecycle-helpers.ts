// Setting the scene for the version lifecycle tests: versions App Engine already holds
// (made through the official client against the stand-in), and a service record as earlier
// deploys and operations left it (written to the emulator as the store keeps it).
import { afterAll } from 'vitest';
import type { ServiceRecord } from '../../src/domain/service-record.ts';
import { AppEngineAdapter } from '../../src/gcp/app-engine.ts';
import { createFirestore } from '../../src/store/firestore-client.ts';
import { SERVICES } from '../../src/store/service-records.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';
import { emulatorHost } from '../setup/firestore-project.ts';
import { type Bot, PARTNER } from '../slack/harness.ts';

const IMAGE = `europe-docker.pkg.dev/pg-bot-1/playground/seeded@sha256:${'a'.repeat(64)}`;

const adapters: AppEngineAdapter[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all([...adapters.map((a) => a.close()), ...closers.map((close) => close())]);
});

/** The official App Engine client on the bot's stand-in. */
export function appEngineClient(bot: Bot): AppEngineAdapter {
  const adapter = new AppEngineAdapter({ apiUrl: bot.appEngine.url });
  adapters.push(adapter);
  return adapter;
}

async function toEnd(adapter: AppEngineAdapter, operation: string): Promise<void> {
  for (let i = 0; i < 20; i += 1) if ((await adapter.getOperation(operation)).done) return;
  throw new Error(`operation ${operation} never ended`);
}

/**
 * Versions of `service`, created one after the other (the first gets the traffic, as on
 * App Engine), then those in `stopped` stopped.
 */
export async function seedVersions(
  bot: Bot,
  input: { project: string; service: string; ids: string[]; stopped?: string[] },
): Promise<void> {
  const adapter = appEngineClient(bot);
  for (const versionId of input.ids) await create(adapter, input.project, input.service, versionId);
  for (const versionId of input.stopped ?? []) {
    const stop = adapter.setServingStatus(input.project, input.service, versionId, 'STOPPED');
    await toEnd(adapter, (await stop).operation);
  }
}

/** `count` versions of the project's `default` service, a batch at a time (their order is no matter). */
export async function fillApplication(bot: Bot, project: string, count: number): Promise<void> {
  const adapter = appEngineClient(bot);
  const ids = Array.from({ length: count }, (_, i) => `filler-${i}`);
  for (let i = 0; i < ids.length; i += SEED_BATCH) {
    const batch = ids.slice(i, i + SEED_BATCH);
    await Promise.all(batch.map((id) => create(adapter, project, 'default', id)));
  }
}

/** Versions created at once when filling an application. */
const SEED_BATCH = 20;

async function create(adapter: AppEngineAdapter, project: string, service: string, id: string) {
  const plan = { project, spec: sampleSpec({ service }), versionId: id, imageUrl: IMAGE };
  await toEnd(adapter, (await adapter.createVersion(plan)).operation);
}

/** The partner's record of my-service in `project`, as earlier deploys left it. */
export async function seedServiceRecord(
  bot: Bot,
  project: string,
  more: Partial<Pick<ServiceRecord, 'history' | 'operation'>>,
): Promise<void> {
  const db = createFirestore({
    projectId: bot.env.GOOGLE_CLOUD_PROJECT as string,
    env: { FIRESTORE_EMULATOR_HOST: emulatorHost() },
  });
  closers.push(() => db.terminate());
  const at = new Date();
  await db
    .collection(SERVICES)
    .doc(`${project}~my-service`)
    .set({
      project,
      service: 'my-service',
      owner: { userId: PARTNER, name: 'pat' },
      claimedBy: { submissionId: 'PG-0900', revision: 1 },
      history: [],
      createdAt: at,
      updatedAt: at,
      auditSeq: 0,
      ...more,
    });
}
