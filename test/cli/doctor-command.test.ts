// `playground-deploy doctor` run as an operator runs it (its own Node process), against the
// stand-ins of every service it asks, set up well and then broken one thing at a time.
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import {
  type DoctorWorld,
  HOST_PROJECT,
  NUMBERS,
  REVIEW_CHANNEL,
  startDoctorWorld,
  TARGETS,
} from '../helpers/doctor-world.ts';
import { emulatorHost } from '../setup/firestore-project.ts';

let world: DoctorWorld;
beforeEach(async () => {
  world = await startDoctorWorld();
});
afterEach(async () => {
  await world.close();
});

function doctor(env: Record<string, string> = {}) {
  return runCli(['doctor'], { PATH: process.env.PATH, ...world.env(emulatorHost()), ...env });
}

/** The line of the check on `subject` in `area`, with its fixes (indented below it). */
function checkOf(stdout: string, area: string, subject: string): string {
  const start = stdout.split('\n').findIndex((line) => line.includes(` ${area} ${subject}:`));
  expect(start, `no ${area} ${subject} check in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const lines = stdout.split('\n').slice(start);
  const end = lines.findIndex((line, i) => i > 0 && !line.startsWith('    fix:'));
  return lines.slice(0, end).join('\n');
}

/**
 * A loopback port that drops every connection, held until the test ends: a port merely
 * closed may be taken meanwhile by another test file's server (it was, once, by one that
 * reached an emulator, and the check passed).
 */
async function droppingPort(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

describe('playground-deploy doctor', () => {
  it('says ok for each check of a good set-up and exits 0; indexes are not checked on the emulator', async () => {
    const run = await doctor();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('PROBLEM');
    for (const project of [HOST_PROJECT, ...TARGETS]) {
      expect(checkOf(run.stdout, 'google', project)).toMatch(/^ok .*has all \d+ permissions/);
    }
    for (const project of TARGETS) {
      expect(checkOf(run.stdout, 'app_engine', project)).toContain('application in europe-west');
      expect(checkOf(run.stdout, 'registry', project)).toContain('can pull from');
    }
    expect(checkOf(run.stdout, 'firestore', 'indexes')).toContain('not checked on the emulator');
    expect(checkOf(run.stdout, 'slack', 'scopes')).toMatch(/^ok .*all 11 scopes/);
    expect(checkOf(run.stdout, 'slack', REVIEW_CHANNEL)).toContain('the bot is a member');
    expect(run.stdout).toMatch(/All \d+ checks passed\.\n$/);
    // Exactly the permissions each project's steps use were tested, on each project.
    const tested = world.resourceManager.requests
      .filter((r) => r.path.endsWith(':testIamPermissions'))
      .map((r) => [r.path, (r.body as { permissions: string[] }).permissions]);
    expect(Object.fromEntries(tested)).toMatchObject({
      [`/v3/projects/${HOST_PROJECT}:testIamPermissions`]: expect.arrayContaining([
        'cloudbuild.builds.create',
        'logging.logEntries.list',
        'datastore.entities.update',
      ]),
      '/v3/projects/pg-prod-1:testIamPermissions': expect.arrayContaining([
        'appengine.versions.create',
        'appengine.services.update',
        'appengine.versions.update',
        'appengine.versions.delete',
      ]),
    });
  });

  it('names a missing permission, what needs it, the role that grants it and the command', async () => {
    world.resourceManager.revoke('pg-prod-1', ['appengine.services.update']);
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'google', 'pg-prod-1')).toBe(
      [
        'PROBLEM     google pg-prod-1: BOT_ACCOUNT_EMAIL lacks appengine.services.update (move traffic (promote, roll back)): granted by App Engine Service Admin (roles/appengine.serviceAdmin)',
        '    fix: gcloud projects add-iam-policy-binding pg-prod-1 --member=serviceAccount:BOT_ACCOUNT_EMAIL --role=roles/appengine.serviceAdmin',
      ].join('\n'),
    );
    expect(checkOf(run.stdout, 'google', 'pg-dev-1')).toMatch(/^ok /);
    expect(run.stdout).toContain('1 of ');
  });

  it('says a target project has no App Engine application, with the command that creates one', async () => {
    world.resourceManager.addProject({ id: 'pg-new-1', number: '444444444444' });
    const run = await doctor({ PLAYGROUND_TARGET_PROJECTS: [...TARGETS, 'pg-new-1'].join(',') });
    expect(run.code).toBe(1);
    const check = checkOf(run.stdout, 'app_engine', 'pg-new-1');
    expect(check).toContain(
      'PROBLEM     app_engine pg-new-1: pg-new-1 has no App Engine application',
    );
    expect(check).toContain('fix: gcloud app create --project=pg-new-1 --region=');
    // Nor may its App Engine pull from the registry yet: the grant is named.
    expect(checkOf(run.stdout, 'registry', 'pg-new-1')).toContain(
      'fix: gcloud artifacts repositories add-iam-policy-binding playground --project=pg-host-1 --location=europe --member=serviceAccount:service-444444444444@gae-api-prod.google.com.iam.gserviceaccount.com --role=roles/artifactregistry.reader',
    );
  });

  it('says an application without a `default` service must get it first', async () => {
    world.appEngine.addApp({ id: 'pg-dev-1' }); // the application again, with no services
    const run = await doctor();
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter((line) => line.includes(' app_engine pg-dev-1:'));
    expect(lines).toEqual([
      'ok          app_engine pg-dev-1: application in europe-west (flexible environment available), serving',
      "PROBLEM     app_engine pg-dev-1: no `default` service: App Engine takes another service only once `default` exists, and `default` is the project's own (partners cannot submit it), so every deploy into pg-dev-1 would fail",
    ]);
  });

  it('says a target whose region has no flexible environment cannot be used, as its region cannot change', async () => {
    // The application again, in a region the stand-in says has no flexible environment.
    world.appEngine.addApp({
      id: 'pg-dev-1',
      locationId: 'asia-east1',
      flexibleEnvironment: false,
      services: ['default'],
    });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'app_engine', 'pg-dev-1')).toBe(
      [
        "PROBLEM     app_engine pg-dev-1: the region asia-east1 has no flexible environment: App Engine cannot change an application's region; use another target project",
        '    fix: gcloud app create --project=ANOTHER_PROJECT --region=REGION (a region with the flexible environment, e.g. europe-west), then name it in PLAYGROUND_TARGET_PROJECTS instead of pg-dev-1',
      ].join('\n'),
    );
    expect(
      world.appEngine.requestsTo('GET', '/v1/apps/pg-dev-1/locations/asia-east1'),
    ).toHaveLength(1);
    expect(checkOf(run.stdout, 'app_engine', 'pg-prod-1')).toBe(
      'ok          app_engine pg-prod-1: application in europe-west (flexible environment available), serving',
    );
  });

  it("names the registry grant a target's App Engine service agent lacks", async () => {
    world.artifactRegistry.setRepository({
      project: HOST_PROJECT,
      location: 'europe',
      repository: 'playground',
      bindings: [{ role: 'roles/artifactregistry.writer', members: ['user:someone@example.com'] }],
    });
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'registry', 'pg-prod-1')).toContain(
      `--member=serviceAccount:service-${NUMBERS['pg-prod-1']}@gae-api-prod.google.com.iam.gserviceaccount.com --role=roles/artifactregistry.reader`,
    );
  });

  it('names the Slack scopes the token lacks against manifest.json', async () => {
    world.slack.setScopes(['commands', 'chat:write', 'im:write', 'usergroups:read']);
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'slack', 'scopes')).toContain(
      'PROBLEM     slack scopes: the token lacks channels:history, groups:history, im:history, channels:read, groups:read, users:read, files:write',
    );
    expect(checkOf(run.stdout, 'slack', 'scopes')).toContain('reinstall the app');
  });

  it('says the bot is not in the review channel, and how to invite it', async () => {
    world.slack.setBotMember(REVIEW_CHANNEL, false);
    const run = await doctor();
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'slack', REVIEW_CHANNEL)).toBe(
      [
        `PROBLEM     slack ${REVIEW_CHANNEL}: the bot is not in #playground-review`,
        '    fix: in #playground-review: /invite @playground-deploy',
      ].join('\n'),
    );
  });

  it('says Firestore cannot be reached, and still checks the rest', async () => {
    const run = await doctor({ FIRESTORE_EMULATOR_HOST: `127.0.0.1:${await droppingPort()}` });
    expect(run.code).toBe(1);
    expect(checkOf(run.stdout, 'firestore', HOST_PROJECT)).toMatch(
      /^PROBLEM {5}firestore pg-host-1: cannot read Firestore: unavailable/,
    );
    expect(checkOf(run.stdout, 'slack', 'scopes')).toMatch(/^ok /);
    expect(run.stdout).toContain('1 of ');
  });
});

describe('playground-deploy indexes', () => {
  it('prints one gcloud command per composite index of firestore.indexes.json', async () => {
    const run = await runCli(['indexes', '--project', 'pg-host-1']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'gcloud firestore indexes composite create --project=pg-host-1 --collection-group=submissions --query-scope=COLLECTION --field-config=field-path=partner.userId,order=ascending --field-config=field-path=createdAt,order=descending',
      'gcloud firestore indexes composite create --project=pg-host-1 --collection-group=submissions --query-scope=COLLECTION --field-config=field-path=status,order=ascending --field-config=field-path=createdAt,order=descending',
      'gcloud firestore indexes composite create --project=pg-host-1 --collection-group=submissions --query-scope=COLLECTION --field-config=field-path=tracking,order=ascending --field-config=field-path=pipeline.progressAt,order=ascending',
      'gcloud firestore indexes composite create --project=pg-host-1 --collection-group=submissions --query-scope=COLLECTION --field-config=field-path=tracking,order=ascending --field-config=field-path=owner,order=ascending',
    ]);
  });
});
