// App Engine's version limit (210 per application) before a deploy, through the real
// pipeline: near it, the service's oldest stopped versions are deleted first, then the
// version is created; when nothing can make room, the deploy fails saying what to do.
import { describe, expect, it } from 'vitest';
import { type Bot, botPerTest, eventually, PROJECTS } from '../slack/harness.ts';
import { reaches, submitAndApprove, text, thread } from './flow-helpers.ts';
import { appEngineClient, fillApplication, seedVersions } from './lifecycle-helpers.ts';

const PROJECT = PROJECTS[0] as string;
const SERVICE = 'my-service';
const BASE = `/v1/apps/${PROJECT}/services/${SERVICE}/versions`;

const startBot = botPerTest();

/** my-service with b-4 serving all traffic and b-1..b-3 stopped, in `project`. */
async function stoppedVersions(b: Bot, project: string) {
  await seedVersions(b, { project, service: SERVICE, ids: ['b-1', 'b-2', 'b-3', 'b-4'] });
  const adapter = appEngineClient(b);
  await adapter.getOperation((await adapter.promote(project, SERVICE, 'b-4')).operation);
  await seedVersions(b, { project, service: SERVICE, ids: [], stopped: ['b-1', 'b-2', 'b-3'] });
}

/** The bot's requests (after the scene was set) with this method whose path matches. */
function botRequests(b: Bot, from: number, method: string, path: RegExp) {
  return b.appEngine.requests.slice(from).filter((r) => r.method === method && path.test(r.path));
}

function versionIds(b: Bot, project = PROJECT): string[] {
  return b.appEngine.versions(project, SERVICE).map((v) => String(v.id));
}

describe('the version limit before a deploy', () => {
  it('near the limit, deletes the oldest stopped versions of the service first, then creates', async () => {
    const b = await startBot();
    await stoppedVersions(b, PROJECT);
    await fillApplication(b, PROJECT, 197); // 201 in all: 2 to delete to be under 200
    const from = b.appEngine.requests.length;
    const id = await submitAndApprove(b);
    const live = await reaches(b, id, 'live', 30_000);
    expect(live.pipeline?.versionRoom).toMatchObject({
      count: 201,
      removed: [{ version: 'b-1' }, { version: 'b-2' }],
      ready: true,
    });
    expect(versionIds(b)).toEqual(['b-3', 'b-4', 'pg-0001-r1']);

    // The two deletes, exactly, before the create.
    const deletes = botRequests(b, from, 'DELETE', /\/versions\//);
    expect(deletes.map((r) => r.path)).toEqual([`${BASE}/b-1`, `${BASE}/b-2`]);
    const [create, ...more] = botRequests(b, from, 'POST', /\/versions$/);
    expect(more).toEqual([]);
    expect(create?.path).toBe(BASE);
    const order = (r: unknown) => b.appEngine.requests.indexOf(r as never);
    for (const request of deletes) expect(order(request)).toBeLessThan(order(create));

    await eventually(() => {
      const reply = thread(b).replies.find((r) => text(r).includes('deleted the stopped'));
      expect(reply?.text).toBe(
        `:broom: The application in \`${PROJECT}\` held 201 of App Engine's 210 versions: deleted the stopped \`b-1\`, \`b-2\` of \`${SERVICE}\` before creating \`pg-0001-r1\`.`,
      );
    });
  });

  it('at the limit with nothing of the service to delete, fails the deploy saying what to do', async () => {
    const b = await startBot();
    await fillApplication(b, PROJECT, 210);
    const from = b.appEngine.requests.length;
    const id = await submitAndApprove(b);
    const failed = await reaches(b, id, 'failed', 30_000);
    expect(failed.pipeline?.failure).toEqual({
      step: 'deploy',
      detail: `The application in ${PROJECT} holds 210 of App Engine's 210 versions and ${SERVICE} has no stopped version to delete: delete versions of other services (https://console.cloud.google.com/appengine/versions?project=${PROJECT}) and retry.`,
    });
    expect(botRequests(b, from, 'POST', /\/versions$/)).toEqual([]);
    expect(botRequests(b, from, 'DELETE', /\/versions\//)).toEqual([]);
    await eventually(() => {
      const reply = thread(b).replies.find((r) => text(r).includes('"retry"'));
      expect(text(reply)).toContain('has no stopped version to delete');
    });
  });

  it("App Engine's own refusal for the limit makes room the same way, then creates", async () => {
    const b = await startBot();
    const project = PROJECTS[1] as string;
    // An application whose limit is lower than the bot counts with: App Engine refuses first.
    b.appEngine.addApp({ id: project, maxVersions: 5, services: ['default'] });
    await stoppedVersions(b, project);
    await fillApplication(b, project, 1);
    const from = b.appEngine.requests.length;
    const id = await submitAndApprove(b, { project });
    const live = await reaches(b, id, 'live', 30_000);
    const creates = botRequests(b, from, 'POST', /\/versions$/);
    expect(creates.map((r) => r.status)).toEqual([400, 200]);
    // Refused, the application counts as at 210: stopped versions go until under the margin.
    expect(live.pipeline?.versionRoom).toMatchObject({ count: 210, ready: true });
    expect(live.pipeline?.versionRoom?.removed.map((r) => r.version)).toEqual([
      'b-1',
      'b-2',
      'b-3',
    ]);
    expect(versionIds(b, project)).toEqual(['b-4', 'pg-0001-r1']);
  });
});
