// What the bot's own Google account must be allowed to do, per project, for each step it
// takes there, and the least predefined role that allows it. The doctor tests exactly
// these with Resource Manager's testIamPermissions; the README's roles come from here.
//
// Roles and their permissions: https://cloud.google.com/iam/docs/roles-permissions/appengine
// (App Engine Deployer creates versions and deletes ones without traffic, but has neither
// appengine.services.update, which a traffic split needs, nor appengine.versions.update,
// which stopping a version needs: App Engine Service Admin has both),
// https://cloud.google.com/iam/docs/roles-permissions/cloudbuild,
// https://cloud.google.com/iam/docs/roles-permissions/logging,
// https://cloud.google.com/iam/docs/roles-permissions/datastore,
// https://cloud.google.com/iam/docs/roles-permissions/iam (Service Account User: actAs).
// Which permission each Admin API method needs:
// https://cloud.google.com/appengine/docs/admin-api/access-control

/** Predefined roles the bot's account needs, with the names the console shows. */
export const ROLES = {
  'roles/cloudbuild.builds.editor': 'Cloud Build Editor',
  'roles/logging.viewer': 'Logs Viewer',
  'roles/datastore.user': 'Cloud Datastore User',
  'roles/iam.serviceAccountUser': 'Service Account User',
  'roles/appengine.deployer': 'App Engine Deployer',
  'roles/appengine.serviceAdmin': 'App Engine Service Admin',
  'roles/artifactregistry.reader': 'Artifact Registry Reader',
  'roles/artifactregistry.writer': 'Artifact Registry Writer',
  'roles/logging.logWriter': 'Logs Writer',
  'roles/iam.securityReviewer': 'Security Reviewer',
  'roles/secretmanager.secretAccessor': 'Secret Manager Secret Accessor',
} as const;

export type Role = keyof typeof ROLES;

export interface PermissionNeed {
  permission: string;
  /** The step that calls for it, as an operator reads it. */
  use: string;
  /** The least predefined role that grants it. */
  role: Role;
  /** Only the doctor needs it (for one of its checks): the bot works without it. */
  doctorOnly?: boolean;
}

const BUILDS = 'roles/cloudbuild.builds.editor';

/** In GOOGLE_CLOUD_PROJECT: Cloud Build, its logs, Firestore; actAs on the build account. */
export function hostProjectNeeds(options: { buildServiceAccount?: string }): PermissionNeed[] {
  const needs: PermissionNeed[] = [
    { permission: 'cloudbuild.builds.create', use: 'start the wrap/test/push build', role: BUILDS },
    { permission: 'cloudbuild.builds.get', use: 'follow a build', role: BUILDS },
    {
      permission: 'cloudbuild.builds.list',
      use: 'find a build again after a restart',
      role: BUILDS,
    },
    { permission: 'cloudbuild.builds.update', use: 'cancel a build', role: BUILDS },
    {
      permission: 'logging.logEntries.list',
      use: "read a failed step's log",
      role: 'roles/logging.viewer',
    },
    ...['get', 'list', 'create', 'update', 'delete'].map(
      (verb): PermissionNeed => ({
        permission: `datastore.entities.${verb}`,
        use: 'keep submissions in Firestore',
        role: 'roles/datastore.user',
      }),
    ),
    {
      permission: 'datastore.indexes.list',
      use: "check Firestore's indexes",
      role: 'roles/datastore.user',
      doctorOnly: true,
    },
    {
      permission: 'artifactregistry.repositories.getIamPolicy',
      use: 'check who may read the registry',
      role: 'roles/iam.securityReviewer',
      doctorOnly: true,
    },
  ];
  if (options.buildServiceAccount) {
    needs.push({
      permission: 'iam.serviceAccounts.actAs',
      use: `run builds as ${options.buildServiceAccount}`,
      role: 'roles/iam.serviceAccountUser',
    });
  }
  return needs;
}

const DEPLOYER = 'roles/appengine.deployer';
const SERVICE_ADMIN = 'roles/appengine.serviceAdmin';

/** In each target project: deploy, promote and the version lifecycle. */
export const TARGET_PROJECT_NEEDS: readonly PermissionNeed[] = [
  { permission: 'appengine.applications.get', use: 'read the application', role: DEPLOYER },
  { permission: 'appengine.services.get', use: 'read a service', role: DEPLOYER },
  { permission: 'appengine.services.list', use: 'list services', role: DEPLOYER },
  { permission: 'appengine.versions.create', use: 'deploy a version', role: DEPLOYER },
  { permission: 'appengine.versions.get', use: 'read a version', role: DEPLOYER },
  { permission: 'appengine.versions.list', use: 'list versions', role: DEPLOYER },
  { permission: 'appengine.operations.get', use: 'follow a deploy', role: DEPLOYER },
  { permission: 'appengine.operations.list', use: 'find a deploy after a restart', role: DEPLOYER },
  {
    permission: 'appengine.versions.delete',
    use: 'delete superseded versions',
    role: DEPLOYER,
  },
  {
    permission: 'appengine.services.update',
    use: 'move traffic (promote, roll back)',
    role: SERVICE_ADMIN,
  },
  {
    permission: 'appengine.versions.update',
    use: 'stop superseded versions',
    role: SERVICE_ADMIN,
  },
  {
    permission: 'iam.serviceAccounts.actAs',
    use: "deploy as the application's service account",
    role: 'roles/iam.serviceAccountUser',
  },
];

/**
 * What the build account needs on PLAYGROUND_PULL_SECRET: Cloud Build reads the secret
 * version as the build's account ("Use secrets from Secret Manager",
 * https://cloud.google.com/build/docs/securing-builds/use-secrets). The bot cannot test
 * another account's permissions, so the doctor lists it with the grant.
 */
export const PULL_SECRET_NEED: PermissionNeed = {
  permission: 'secretmanager.versions.access',
  use: 'read PLAYGROUND_PULL_SECRET to log in to Docker Hub before pulling partner images',
  role: 'roles/secretmanager.secretAccessor',
};

/** `gcloud secrets add-iam-policy-binding` granting `role` on the secret of a version name. */
export function grantOnSecret(versionName: string, account: string, role: Role): string {
  const [, project = '', , secret = ''] = versionName.split('/');
  return `gcloud secrets add-iam-policy-binding ${secret} --project=${project} --member=serviceAccount:${account} --role=${role}`;
}

/** The needs `granted` does not cover, grouped by the role that grants them. */
export function missingByRole(
  needs: readonly PermissionNeed[],
  granted: ReadonlySet<string>,
): Map<Role, PermissionNeed[]> {
  const missing = new Map<Role, PermissionNeed[]>();
  for (const need of needs) {
    if (granted.has(need.permission)) continue;
    missing.set(need.role, [...(missing.get(need.role) ?? []), need]);
  }
  return missing;
}

/** `gcloud projects add-iam-policy-binding` granting `role` on `project` to a service account. */
export function grantOnProject(project: string, account: string, role: Role): string {
  return `gcloud projects add-iam-policy-binding ${project} --member=serviceAccount:${account} --role=${role}`;
}

/**
 * App Engine flexible's service agent in a project, which pulls the version's image:
 * `service-PROJECT_NUMBER@gae-api-prod.google.com.iam.gserviceaccount.com`
 * (https://cloud.google.com/appengine/docs/flexible/python/service-account).
 */
export function appEngineServiceAgent(projectNumber: string): string {
  return `service-${projectNumber}@gae-api-prod.google.com.iam.gserviceaccount.com`;
}

/** Artifact Registry roles that let a principal pull (read) from a repository. */
export const READ_ROLES: ReadonlySet<string> = new Set([
  'roles/artifactregistry.reader',
  'roles/artifactregistry.writer',
  'roles/artifactregistry.repoAdmin',
  'roles/artifactregistry.admin',
]);

/** Artifact Registry roles that let a principal push to a repository. */
export const WRITE_ROLES: ReadonlySet<string> = new Set([
  'roles/artifactregistry.writer',
  'roles/artifactregistry.repoAdmin',
  'roles/artifactregistry.admin',
]);

/** A `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY` path split; undefined for another host. */
export function artifactRepository(
  registry: string,
): { location: string; project: string; repository: string } | undefined {
  const match = /^([a-z0-9-]+)-docker\.pkg\.dev\/([^/]+)\/([^/]+)/.exec(registry);
  if (!match) return undefined;
  const [, location = '', project = '', repository = ''] = match;
  return { location, project, repository };
}
