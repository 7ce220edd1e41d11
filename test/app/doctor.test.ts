// The doctor's use case over in-memory probes: the answers the stand-in tests do not reach
// (a real Firestore's index list, a build account, refusals that leave a check unchecked).
import { describe, expect, it } from 'vitest';
import { type DoctorCheck, runDoctor, type SetupUnderTest } from '../../src/app/doctor.ts';
import { appEngineServiceAgent } from '../../src/domain/setup-needs.ts';
import type { Binding, IndexShape, Probed, SetupProbes } from '../../src/ports/setup-probes.ts';

const INDEX: IndexShape = {
  collectionGroup: 'submissions',
  fields: [
    { fieldPath: 'status', order: 'ASCENDING' },
    { fieldPath: 'createdAt', order: 'DESCENDING' },
  ],
};
const OTHER_INDEX: IndexShape = {
  collectionGroup: 'submissions',
  fields: [
    { fieldPath: 'partner.userId', order: 'ASCENDING' },
    { fieldPath: 'createdAt', order: 'DESCENDING' },
  ],
};
const BUILDER = 'builds@pg-host-1.iam.gserviceaccount.com';
const SETUP: SetupUnderTest = {
  project: 'pg-host-1',
  targetProjects: ['pg-prod-1'],
  registry: 'europe-docker.pkg.dev/pg-host-1/playground',
  buildServiceAccount: BUILDER,
  reviewChannel: 'CREVIEW001',
  approvers: ['UAPPROVER1', 'UGONE0001'],
  scopes: ['commands'],
  indexes: [INDEX, OTHER_INDEX],
};
const AGENT = `serviceAccount:${appEngineServiceAgent('222')}`;

const yes = <T>(value: T): Probed<T> => ({ reached: true, value });

/** Probes of a set-up that is well but for what `changes` says. */
function probes(changes: {
  bindings?: Probed<Binding[]>;
  indexes?: IndexShape[];
  servingStatus?: string;
  flexible?: Probed<boolean>;
}): SetupProbes {
  return {
    permissions: {
      caller: async () => 'bot@pg-host-1.iam.gserviceaccount.com',
      testPermissions: async (_project, permissions) => yes([...permissions]),
      projectNumber: async () => yes('222'),
    },
    applications: {
      application: async () =>
        yes({ locationId: 'europe-west', servingStatus: changes.servingStatus ?? 'SERVING' }),
      flexibleEnvironment: async () => changes.flexible ?? yes(true),
      services: async () => yes(['default']),
    },
    repository: {
      policy: async () =>
        changes.bindings ??
        yes([
          { role: 'roles/artifactregistry.reader', members: [AGENT] },
          { role: 'roles/artifactregistry.writer', members: [`serviceAccount:${BUILDER}`] },
        ]),
    },
    database: {
      read: async () => yes(undefined),
      indexes: async () => yes(changes.indexes ?? [INDEX, OTHER_INDEX]),
    },
    slack: {
      identity: async () => yes({ botUserId: 'UBOT', team: 'acme', scopes: ['commands'] }),
      channel: async () => yes({ name: 'review', isMember: true }),
      approver: async (id) =>
        id === 'UGONE0001'
          ? { reached: false, code: 'not_found', message: 'user_not_found' }
          : yes('Alex'),
    },
  };
}

const find = (checks: DoctorCheck[], area: string, subject: string) =>
  checks.find((c) => c.area === area && c.subject === subject);

describe('the doctor', () => {
  it("names the bot's account in the permission check and asks actAs on the build account", async () => {
    let asked: readonly string[] = [];
    const p = probes({});
    p.permissions.testPermissions = async (project, permissions) => {
      if (project === 'pg-host-1') asked = permissions;
      return yes([...permissions]);
    };
    const { checks } = await runDoctor(p, SETUP);
    expect(asked).toContain('iam.serviceAccounts.actAs');
    expect(find(checks, 'google', 'pg-host-1')?.says).toBe(
      `bot@pg-host-1.iam.gserviceaccount.com has all ${asked.length} permissions the bot uses here`,
    );
  });

  it('lists the composite indexes missing from a real database, with the command for each', async () => {
    const { checks } = await runDoctor(probes({ indexes: [INDEX] }), SETUP);
    expect(find(checks, 'firestore', 'indexes')).toEqual({
      area: 'firestore',
      subject: 'indexes',
      status: 'problem',
      says: 'missing: submissions(partner.userId ASCENDING, createdAt DESCENDING)',
      fixes: [
        'gcloud firestore indexes composite create --project=pg-host-1 --collection-group=submissions --query-scope=COLLECTION --field-config=field-path=partner.userId,order=ascending --field-config=field-path=createdAt,order=descending',
      ],
    });
  });

  it('says the build account cannot push, with the grants it needs', async () => {
    const { checks } = await runDoctor(
      probes({ bindings: yes([{ role: 'roles/artifactregistry.reader', members: [AGENT] }]) }),
      SETUP,
    );
    expect(find(checks, 'registry', 'pg-prod-1')?.status).toBe('ok');
    expect(find(checks, 'registry', BUILDER)?.fixes).toEqual([
      `gcloud artifacts repositories add-iam-policy-binding playground --project=pg-host-1 --location=europe --member=serviceAccount:${BUILDER} --role=roles/artifactregistry.writer`,
      `gcloud projects add-iam-policy-binding pg-host-1 --member=serviceAccount:${BUILDER} --role=roles/logging.logWriter`,
    ]);
  });

  it('lists secretmanager.versions.access for the build account when PLAYGROUND_PULL_SECRET is set', async () => {
    const pullSecret = 'projects/pg-host-1/secrets/docker-hub/versions/2';
    const google = (checks: DoctorCheck[]) => checks.filter((c) => c.area === 'google');
    const without = await runDoctor(probes({}), SETUP);
    const { checks, problems } = await runDoctor(probes({}), { ...SETUP, pullSecret });
    expect(problems).toBe(without.problems);
    expect(google(checks)).toHaveLength(google(without.checks).length + 1);
    expect(find(checks, 'google', BUILDER)).toEqual({
      area: 'google',
      subject: BUILDER,
      status: 'not_checked',
      says: `builds need secretmanager.versions.access on ${pullSecret} (Secret Manager Secret Accessor) to read PLAYGROUND_PULL_SECRET to log in to Docker Hub before pulling partner images; the doctor cannot test another account's permissions`,
      fixes: [
        `gcloud secrets add-iam-policy-binding docker-hub --project=pg-host-1 --member=serviceAccount:${BUILDER} --role=roles/secretmanager.secretAccessor`,
      ],
    });
    const { buildServiceAccount: _, ...defaultAccount } = SETUP;
    const unnamed = await runDoctor(probes({}), { ...defaultAccount, pullSecret });
    expect(find(unnamed.checks, 'google', 'BUILD_ACCOUNT_EMAIL')?.fixes[0]).toContain(
      '--member=serviceAccount:BUILD_ACCOUNT_EMAIL',
    );
  });

  it('leaves the registry unchecked, saying why and what to grant, when its policy is refused', async () => {
    const { checks, problems } = await runDoctor(
      probes({
        bindings: {
          reached: false,
          code: 'denied',
          message: 'The caller does not have permission',
        },
      }),
      { ...SETUP, approvers: ['UAPPROVER1'] },
    );
    const registry = checks.filter((c) => c.area === 'registry');
    expect(registry).toEqual([
      {
        area: 'registry',
        subject: SETUP.registry,
        status: 'not_checked',
        says: "cannot read the repository policy: denied (The caller does not have permission); grant each target's App Engine service agent roles/artifactregistry.reader on it",
        fixes: [],
      },
    ]);
    expect(problems).toBe(0);
  });

  it('names approver ids that do not resolve, and an application that is not serving', async () => {
    const { checks } = await runDoctor(probes({ servingStatus: 'USER_DISABLED' }), SETUP);
    expect(find(checks, 'slack', 'approvers')?.says).toBe(
      'do not resolve: UGONE0001 (not_found: user_not_found)',
    );
    expect(find(checks, 'app_engine', 'pg-prod-1')?.says).toBe(
      'the application is USER_DISABLED, not serving',
    );
  });

  it('says the region offers the flexible environment, or that the project cannot be used, or that it could not tell', async () => {
    const appEngine = async (flexible: Probed<boolean>) =>
      (await runDoctor(probes({ flexible }), SETUP)).checks.filter(
        (c) => c.area === 'app_engine' && c.subject === 'pg-prod-1',
      );
    expect((await appEngine(yes(true))).map((c) => [c.status, c.says])).toEqual([
      ['ok', 'application in europe-west (flexible environment available), serving'],
      ['ok', 'services: default'],
    ]);
    const [noFlex, ...rest] = await appEngine(yes(false));
    expect(noFlex).toEqual({
      area: 'app_engine',
      subject: 'pg-prod-1',
      status: 'problem',
      says: "the region europe-west has no flexible environment: App Engine cannot change an application's region; use another target project",
      fixes: [
        'gcloud app create --project=ANOTHER_PROJECT --region=REGION (a region with the flexible environment, e.g. europe-west), then name it in PLAYGROUND_TARGET_PROJECTS instead of pg-prod-1',
      ],
    });
    expect(rest.map((c) => c.says)).toEqual([
      'application in europe-west, serving',
      'services: default',
    ]);
    const [unread] = await appEngine({
      reached: false,
      code: 'denied',
      message: 'no appengine.applications.get',
    });
    expect(unread).toMatchObject({ status: 'problem' });
    expect(unread?.says).toMatch(
      /^cannot read whether europe-west has the flexible environment: denied/,
    );
  });
});
