// The doctor: checks the real set-up through the services' own APIs and says, per check,
// ok or what is wrong and the exact fix. The CLI (`playground-deploy doctor`), approvers'
// `/playground doctor` and the start-up summary all run it.
import {
  appEngineServiceAgent,
  artifactRepository,
  grantOnProject,
  grantOnSecret,
  hostProjectNeeds,
  missingByRole,
  type PermissionNeed,
  PULL_SECRET_NEED,
  READ_ROLES,
  ROLES,
  TARGET_PROJECT_NEEDS,
  WRITE_ROLES,
} from '../domain/setup-needs.ts';
import type { Actor } from '../domain/submission.ts';
import type { Binding, IndexShape, SetupProbes, Unreached } from '../ports/setup-probes.ts';
import type { AppDeps } from './context.ts';
import { type Done, done, type Refused, type Result } from './outcomes.ts';

/** The set-up the doctor checks: what the configuration says should be there. */
export interface SetupUnderTest {
  /** GOOGLE_CLOUD_PROJECT. */
  project: string;
  targetProjects: readonly string[];
  /** PLAYGROUND_REGISTRY. */
  registry: string;
  buildServiceAccount?: string;
  /** PLAYGROUND_PULL_SECRET: the Secret Manager version builds read. */
  pullSecret?: string;
  reviewChannel: string;
  approvers: readonly string[];
  /** The bot scopes manifest.json asks for. */
  scopes: readonly string[];
  /** The composite indexes the store's queries need (firestore.indexes.json). */
  indexes: readonly IndexShape[];
}

/** The doctor's ports and the set-up they are asked about. */
export interface DoctorSetup {
  probes: SetupProbes;
  under: SetupUnderTest;
}

export type CheckArea = 'google' | 'app_engine' | 'registry' | 'firestore' | 'slack';

export interface DoctorCheck {
  area: CheckArea;
  /** What was checked: a project, the repository, the channel… */
  subject: string;
  /** `not_checked`: the doctor could not look (and says why); not a fault of the set-up. */
  status: 'ok' | 'problem' | 'not_checked';
  /** What was found, in one line. */
  says: string;
  /** What to do, each a command or a console step; empty when ok. */
  fixes: string[];
}

export interface DoctorReport {
  checks: DoctorCheck[];
  problems: number;
}

/** Stands for the bot's account in commands when its credentials do not name it. */
export const BOT_ACCOUNT_PLACEHOLDER = 'BOT_ACCOUNT_EMAIL';
/**
 * Stands for Cloud Build's default account when PLAYGROUND_BUILD_SERVICE_ACCOUNT is unset
 * (the Compute Engine default account in newer projects, PROJECT_NUMBER@cloudbuild.gserviceaccount.com in older ones).
 */
export const BUILD_ACCOUNT_PLACEHOLDER = 'BUILD_ACCOUNT_EMAIL';

const ok = (area: CheckArea, subject: string, says: string): DoctorCheck => ({
  area,
  subject,
  status: 'ok',
  says,
  fixes: [],
});
const problem = (area: CheckArea, subject: string, says: string, fixes: string[]): DoctorCheck => ({
  area,
  subject,
  status: 'problem',
  says,
  fixes,
});
const notChecked = (area: CheckArea, subject: string, says: string): DoctorCheck => ({
  area,
  subject,
  status: 'not_checked',
  says,
  fixes: [],
});
const unreached = (what: string, failure: Unreached) =>
  `${what}: ${failure.code.replace('_', ' ')} (${failure.message})`;

/** Runs every check; never throws for an answer a service gives. */
export async function runDoctor(probes: SetupProbes, setup: SetupUnderTest): Promise<DoctorReport> {
  const account = (await probes.permissions.caller()) ?? BOT_ACCOUNT_PLACEHOLDER;
  const groups = await Promise.all([
    permissionChecks(probes, setup, account),
    ...setup.targetProjects.map((project) => applicationChecks(probes, project)),
    registryChecks(probes, setup),
    firestoreChecks(probes, setup, account),
    slackChecks(probes, setup),
  ]);
  if (setup.pullSecret) groups.push([pullSecretCheck(setup.pullSecret, setup.buildServiceAccount)]);
  const checks = groups.flat();
  return { checks, problems: checks.filter((check) => check.status === 'problem').length };
}

// --------------------------------------------------------------------- Google permissions

/** Listed, not tested: testIamPermissions answers for the caller, not the build account. */
function pullSecretCheck(pullSecret: string, buildAccount: string | undefined): DoctorCheck {
  const account = buildAccount ?? BUILD_ACCOUNT_PLACEHOLDER;
  const { permission, role, use } = PULL_SECRET_NEED;
  return {
    ...notChecked(
      'google',
      account,
      `builds need ${permission} on ${pullSecret} (${ROLES[role]}) to ${use}; the doctor cannot test another account's permissions`,
    ),
    fixes: [grantOnSecret(pullSecret, account, role)],
  };
}

async function permissionChecks(
  probes: SetupProbes,
  setup: SetupUnderTest,
  account: string,
): Promise<DoctorCheck[]> {
  const host = hostProjectNeeds(
    setup.buildServiceAccount ? { buildServiceAccount: setup.buildServiceAccount } : {},
  );
  return Promise.all([
    projectPermissions(probes, setup.project, host, account),
    ...setup.targetProjects.map((project) =>
      projectPermissions(probes, project, TARGET_PROJECT_NEEDS, account),
    ),
  ]);
}

async function projectPermissions(
  probes: SetupProbes,
  project: string,
  needs: readonly PermissionNeed[],
  account: string,
): Promise<DoctorCheck> {
  const permissions = needs.map((need) => need.permission);
  const answer = await probes.permissions.testPermissions(project, permissions);
  if (!answer.reached) {
    return problem(
      'google',
      project,
      unreached(`cannot test the bot's permissions in ${project}`, answer),
      [
        answer.code === 'denied' || answer.code === 'not_found'
          ? `check that the project id ${project} is right and that ${account} has any role in it`
          : 'enable the Cloud Resource Manager API: gcloud services enable cloudresourcemanager.googleapis.com',
      ],
    );
  }
  const missing = missingByRole(needs, new Set(answer.value));
  if (missing.size === 0) {
    return ok(
      'google',
      project,
      `${account} has all ${needs.length} permissions the bot uses here`,
    );
  }
  const parts = [...missing].map(
    ([role, lacking]) =>
      `${lacking.map((need) => `${need.permission} (${need.use}${need.doctorOnly ? '; only the doctor needs it' : ''})`).join(', ')}: granted by ${ROLES[role]} (${role})`,
  );
  return problem(
    'google',
    project,
    `${account} lacks ${parts.join('; ')}`,
    [...missing.keys()].map((role) => grantOnProject(project, account, role)),
  );
}

// ----------------------------------------------------------------------------- App Engine

async function applicationChecks(probes: SetupProbes, project: string): Promise<DoctorCheck[]> {
  const app = await probes.applications.application(project);
  if (!app.reached) {
    if (app.code === 'not_found') {
      return [
        problem('app_engine', project, `${project} has no App Engine application`, [
          `gcloud app create --project=${project} --region=REGION (a region with the flexible environment, e.g. europe-west)`,
        ]),
      ];
    }
    return [problem('app_engine', project, unreached('cannot read the application', app), [])];
  }
  const { locationId, servingStatus } = app.value;
  const checks: DoctorCheck[] = [];
  const flexible = await probes.applications.flexibleEnvironment(project, locationId);
  if (!flexible.reached) {
    checks.push(
      problem(
        'app_engine',
        project,
        unreached(`cannot read whether ${locationId} has the flexible environment`, flexible),
        [],
      ),
    );
  } else if (!flexible.value) {
    // "You cannot change an app's region after you set it."
    // (https://cloud.google.com/appengine/docs/flexible/locations)
    checks.push(
      problem(
        'app_engine',
        project,
        `the region ${locationId} has no flexible environment: App Engine cannot change an application's region; use another target project`,
        [
          `gcloud app create --project=ANOTHER_PROJECT --region=REGION (a region with the flexible environment, e.g. europe-west), then name it in PLAYGROUND_TARGET_PROJECTS instead of ${project}`,
        ],
      ),
    );
  }
  const region =
    flexible.reached && flexible.value
      ? `${locationId} (flexible environment available)`
      : locationId;
  if (servingStatus !== 'SERVING') {
    checks.push(
      problem('app_engine', project, `the application is ${servingStatus}, not serving`, [
        `gcloud app update --project=${project} --serving-status=SERVING (or enable it in the console: App Engine > Settings)`,
      ]),
    );
  } else {
    checks.push(ok('app_engine', project, `application in ${region}, serving`));
  }
  const services = await probes.applications.services(project);
  if (!services.reached) {
    checks.push(problem('app_engine', project, unreached('cannot list services', services), []));
  } else if (!services.value.includes('default')) {
    checks.push(
      problem(
        'app_engine',
        project,
        `no \`default\` service: App Engine takes another service only once \`default\` exists, and \`default\` is the project's own (partners cannot submit it), so every deploy into ${project} would fail`,
        [
          `deploy any small app as the project's default service first: gcloud app deploy app.yaml --project=${project} (app.yaml with "service: default")`,
        ],
      ),
    );
  } else {
    checks.push(ok('app_engine', project, `services: ${services.value.join(', ')}`));
  }
  return checks;
}

// ------------------------------------------------------------------------------- Registry

const holders = (bindings: Binding[], roles: ReadonlySet<string>) =>
  new Set(bindings.filter((b) => roles.has(b.role)).flatMap((b) => b.members));

async function registryChecks(probes: SetupProbes, setup: SetupUnderTest): Promise<DoctorCheck[]> {
  const repository = artifactRepository(setup.registry);
  if (!repository) {
    return [
      notChecked(
        'registry',
        setup.registry,
        'not an Artifact Registry repository (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY): who may pull is not checked',
      ),
    ];
  }
  const { location, project, repository: name } = repository;
  const grant = (member: string, role: string) =>
    `gcloud artifacts repositories add-iam-policy-binding ${name} --project=${project} --location=${location} --member=${member} --role=${role}`;
  // The service agents to look for; a project whose number cannot be read is said so. In
  // the registry's own project App Engine pulls with the roles its agent has there anyway.
  const agents = await Promise.all(
    setup.targetProjects
      .filter((target) => target !== project)
      .map(async (target) => ({ target, number: await probes.permissions.projectNumber(target) })),
  );
  const policy = await probes.repository.policy(repository);
  if (!policy.reached && policy.code === 'not_found') {
    return [
      problem('registry', setup.registry, `the repository does not exist (${policy.message})`, [
        `gcloud artifacts repositories create ${name} --project=${project} --location=${location} --repository-format=docker`,
      ]),
    ];
  }
  if (!policy.reached) {
    const why = unreached('cannot read the repository policy', policy);
    const grantIt =
      "grant each target's App Engine service agent roles/artifactregistry.reader on it";
    return [notChecked('registry', setup.registry, `${why}; ${grantIt}`)];
  }
  const readers = holders(policy.value, READ_ROLES);
  const checks = agents.map(({ target, number }): DoctorCheck => {
    if (!number.reached) {
      return notChecked(
        'registry',
        target,
        unreached(`cannot read ${target}'s project number`, number),
      );
    }
    const member = `serviceAccount:${appEngineServiceAgent(number.value)}`;
    if (readers.has(member))
      return ok('registry', target, `App Engine in ${target} can pull from ${setup.registry}`);
    return problem(
      'registry',
      target,
      `App Engine in ${target} cannot pull from ${setup.registry}: its service agent has no read role on the repository (a grant on all of ${project} would not show here)`,
      [grant(member, 'roles/artifactregistry.reader')],
    );
  });
  if (setup.buildServiceAccount) {
    const member = `serviceAccount:${setup.buildServiceAccount}`;
    checks.push(
      holders(policy.value, WRITE_ROLES).has(member)
        ? ok('registry', setup.buildServiceAccount, `builds may push to ${setup.registry}`)
        : problem(
            'registry',
            setup.buildServiceAccount,
            `the build account cannot push to ${setup.registry} (no writer role on the repository); it also needs Logs Writer on ${setup.project} to log in Cloud Logging (a project grant, not visible here)`,
            [
              grant(member, 'roles/artifactregistry.writer'),
              grantOnProject(setup.project, setup.buildServiceAccount, 'roles/logging.logWriter'),
            ],
          ),
    );
  }
  if (checks.length === 0) checks.push(ok('registry', setup.registry, 'the repository exists'));
  return checks;
}

// ------------------------------------------------------------------------------ Firestore

const indexKey = (index: IndexShape) =>
  `${index.collectionGroup}(${index.fields.map((f) => `${f.fieldPath} ${f.order}`).join(', ')})`;

async function firestoreChecks(
  probes: SetupProbes,
  setup: SetupUnderTest,
  account: string,
): Promise<DoctorCheck[]> {
  const read = await probes.database.read();
  if (!read.reached) {
    const fix = {
      denied: `grant the bot Cloud Datastore User: gcloud projects add-iam-policy-binding ${setup.project} --member=serviceAccount:${account} --role=roles/datastore.user`,
      not_found: `create the database in Native mode: gcloud firestore databases create --project=${setup.project} --location=LOCATION`,
      invalid: `the database must be Firestore in Native mode (not Datastore mode): console, Firestore`,
      unavailable: `check that Firestore is reachable from the bot (FIRESTORE_EMULATOR_HOST, if set, must name a running emulator) and the API enabled: gcloud services enable firestore.googleapis.com --project=${setup.project}`,
    }[read.code];
    return [problem('firestore', setup.project, unreached('cannot read Firestore', read), [fix])];
  }
  const checks = [ok('firestore', setup.project, 'Firestore answers a read')];
  const indexes = await probes.database.indexes();
  if (indexes.reached === 'emulator') {
    checks.push(notChecked('firestore', 'indexes', 'not checked on the emulator (it needs none)'));
    return checks;
  }
  if (!indexes.reached) {
    checks.push(notChecked('firestore', 'indexes', unreached('cannot list indexes', indexes)));
    return checks;
  }
  const present = new Set(indexes.value.map(indexKey));
  const missing = setup.indexes.filter((index) => !present.has(indexKey(index)));
  checks.push(
    missing.length === 0
      ? ok('firestore', 'indexes', `all ${setup.indexes.length} composite indexes exist`)
      : problem(
          'firestore',
          'indexes',
          `missing: ${missing.map(indexKey).join('; ')}`,
          missing.map((index) => indexCommand(setup.project, index)),
        ),
  );
  return checks;
}

/** The gcloud command that creates one composite index. */
export function indexCommand(project: string, index: IndexShape): string {
  const fields = index.fields
    .map((f) => `--field-config=field-path=${f.fieldPath},order=${f.order.toLowerCase()}`)
    .join(' ');
  return `gcloud firestore indexes composite create --project=${project} --collection-group=${index.collectionGroup} --query-scope=COLLECTION ${fields}`;
}

// ---------------------------------------------------------------------------------- Slack

async function slackChecks(probes: SetupProbes, setup: SetupUnderTest): Promise<DoctorCheck[]> {
  const identity = await probes.slack.identity();
  if (!identity.reached) {
    return [
      problem('slack', 'token', unreached('auth.test refused the bot token', identity), [
        "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN",
      ]),
    ];
  }
  const { botUserId, team, scopes } = identity.value;
  const checks = [ok('slack', 'token', `bot user ${botUserId} in ${team}`)];
  const missing = setup.scopes.filter((scope) => !scopes.includes(scope));
  checks.push(
    missing.length === 0
      ? ok('slack', 'scopes', `all ${setup.scopes.length} scopes of manifest.json granted`)
      : problem('slack', 'scopes', `the token lacks ${missing.join(', ')}`, [
          'add them under OAuth & Permissions > Bot Token Scopes (or update the app from manifest.json), then reinstall the app to the workspace',
        ]),
  );
  const channel = await probes.slack.channel(setup.reviewChannel);
  checks.push(
    !channel.reached
      ? problem('slack', setup.reviewChannel, unreached('the review channel', channel), [
          'set PLAYGROUND_REVIEW_CHANNEL to the channel id (channel details > About, at the bottom)',
        ])
      : channel.value.isMember
        ? ok('slack', setup.reviewChannel, `#${channel.value.name}, the bot is a member`)
        : problem('slack', setup.reviewChannel, `the bot is not in #${channel.value.name}`, [
            `in #${channel.value.name}: /invite @playground-deploy`,
          ]),
  );
  const approvers = await Promise.all(
    setup.approvers.map(async (id) => ({ id, found: await probes.slack.approver(id) })),
  );
  const unknown = approvers.filter(({ found }) => !found.reached);
  checks.push(
    unknown.length === 0
      ? ok('slack', 'approvers', `${approvers.length} approver id(s) resolve`)
      : problem(
          'slack',
          'approvers',
          `do not resolve: ${unknown.map(({ id, found }) => (found.reached ? id : `${id} (${found.code}: ${found.message})`)).join(', ')}`,
          [
            'fix PLAYGROUND_APPROVERS: user ids (U…) from a profile\'s "Copy member ID", user-group ids (S…)',
          ],
        ),
  );
  return checks;
}

// --------------------------------------------------------------------- /playground doctor

export type DoctorOutcome = Done<{ report: DoctorReport }> | Refused;

/** `/playground doctor`: approvers only (the report names accounts and projects). */
export async function doctor(
  deps: Pick<AppDeps, 'access' | 'setup'>,
  input: { actor: Actor },
): Promise<Result<DoctorOutcome>> {
  const refused = await deps.access.approverOnly(input.actor, 'doctor');
  if (refused) return { outcome: refused };
  if (!deps.setup) throw new Error('the doctor is not wired');
  return { outcome: done({ report: await runDoctor(deps.setup.probes, deps.setup.under) }) };
}

/** One plain line per check, for the CLI and the log. */
export function doctorLine(check: DoctorCheck): string {
  const mark = { ok: 'ok', problem: 'PROBLEM', not_checked: 'not checked' }[check.status];
  const fixes = check.fixes.map((fix) => `\n    fix: ${fix}`).join('');
  return `${mark.padEnd(11)} ${check.area} ${check.subject}: ${check.says}${fixes}`;
}
