// Cancel while App Engine creates the version, through the real pipeline: the create cannot
// be stopped, so the cancelled run follows it and removes the version once it exists.
import { describe, expect, it } from 'vitest';
import { type Bot, botPerTest, eventually, PARTNER, PROJECTS } from '../slack/harness.ts';
import { submitAndApprove, text, thread } from './flow-helpers.ts';
import { seedVersions } from './lifecycle-helpers.ts';

const PROJECT = PROJECTS[0] as string;
const SERVICE = 'my-service';
const VERSION = `/v1/apps/${PROJECT}/services/${SERVICE}/versions/pg-0001-r1`;

const startBot = botPerTest();

/** Approved, its create hanging in App Engine, then cancelled by the partner. */
async function cancelledWhileCreating(b: Bot) {
  b.appEngine.scriptDeploy({ hang: true });
  const id = await submitAndApprove(b);
  const operation = await eventually(async () => {
    const run = (await b.store.get(id))?.pipeline;
    if (!run?.deployOperation) throw new Error('no create asked for yet');
    return run.deployOperation;
  }, 30_000);
  const answer = await b.command(PARTNER, `cancel ${id}`);
  expect(JSON.stringify(answer.body)).toContain('cancelled');
  return { id, operation };
}

function cancelledReply(b: Bot) {
  return thread(b).replies.find((r) => r.text.includes('Pipeline cancelled'));
}

describe('cancel during deploy', () => {
  it('removes the version once its create operation ends, and says so', async () => {
    const b = await startBot();
    await seedVersions(b, { project: PROJECT, service: SERVICE, ids: ['old-1'] });
    const { id, operation } = await cancelledWhileCreating(b);

    // The create still runs: the cancelled run is still tracked and says nothing yet.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await b.store.inFlight()).map((p) => p.submission.id)).toEqual([id]);
    expect(b.appEngine.requestsTo('DELETE', /\/versions\//)).toEqual([]);
    expect(cancelledReply(b)).toBeUndefined();

    b.appEngine.endOperation(operation);
    await eventually(async () => {
      expect((await b.store.get(id))?.pipeline?.removal).toEqual({ state: 'deleted' });
    }, 20_000);
    const [deleted, ...more] = b.appEngine.requestsTo('DELETE', /\/versions\//);
    expect(more).toEqual([]);
    expect(deleted?.path).toBe(VERSION);
    expect(deleted?.status).toBe(200);
    expect(b.appEngine.versions(PROJECT, SERVICE).map((v) => v.id)).toEqual(['old-1']);
    await eventually(() => {
      expect(cancelledReply(b)?.text).toContain(
        'Version `pg-0001-r1` was removed once App Engine had created it.',
      );
    });
    expect(await b.store.inFlight()).toEqual([]);
  });

  it("stops a service's first version instead, which App Engine will not delete", async () => {
    const b = await startBot();
    const { id, operation } = await cancelledWhileCreating(b);
    b.appEngine.endOperation(operation);
    await eventually(async () => {
      expect((await b.store.get(id))?.pipeline?.removal).toEqual({ state: 'stopped' });
    }, 20_000);
    // The delete refused (the version holds all traffic), then the stop, exactly.
    expect(b.appEngine.requestsTo('DELETE', /\/versions\//).map((r) => r.status)).toEqual([400]);
    const [stop, ...more] = b.appEngine.requestsTo('PATCH', /\/versions\//);
    expect(more).toEqual([]);
    expect(stop?.path).toBe(VERSION);
    expect(stop?.query).toEqual({ updateMask: 'servingStatus', $alt: 'json;enum-encoding=int' });
    expect(stop?.body).toMatchObject({ servingStatus: 2 }); // STOPPED
    expect(b.appEngine.version(PROJECT, SERVICE, 'pg-0001-r1')?.servingStatus).toBe('STOPPED');
    await eventually(() => {
      expect(text(cancelledReply(b))).toContain(
        "Version `pg-0001-r1` holds the service's traffic, so it could not be deleted: it was stopped instead.",
      );
    });
  });
});
