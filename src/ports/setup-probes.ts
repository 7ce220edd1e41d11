// What the doctor (src/app/doctor.ts) asks the outside services about the set-up. Each
// question answers with what it found, or why it could not look: a probe never throws.

/** Why a probe could not answer: refused, absent, unreachable, or asked wrongly. */
export interface Unreached {
  reached: false;
  code: 'denied' | 'not_found' | 'unavailable' | 'invalid';
  /** The service's own words. */
  message: string;
}

export type Probed<T> = { reached: true; value: T } | Unreached;

/** Cloud Resource Manager: who the bot is, and what it may do in a project. */
export interface PermissionProbe {
  /** The bot's own account (an email), when its credentials say. */
  caller(): Promise<string | undefined>;
  /** The subset of `permissions` the bot has on `project` (projects.testIamPermissions). */
  testPermissions(project: string, permissions: readonly string[]): Promise<Probed<string[]>>;
  /** The project's number (projects.get), which names its service agents. */
  projectNumber(project: string): Promise<Probed<string>>;
}

export interface ApplicationInfo {
  locationId: string;
  /** SERVING, USER_DISABLED or SYSTEM_DISABLED. */
  servingStatus: string;
  /** The account the application's versions run as, when the API says. */
  serviceAccount?: string;
}

/** The App Engine Admin API: each target project's application and services. */
export interface ApplicationProbe {
  application(project: string): Promise<Probed<ApplicationInfo>>;
  /**
   * Whether the application's region (`locationId`) offers the flexible environment
   * (apps.locations.get, its LocationMetadata).
   */
  flexibleEnvironment(project: string, locationId: string): Promise<Probed<boolean>>;
  /** The ids of the application's services. */
  services(project: string): Promise<Probed<string[]>>;
}

/** One binding of an IAM policy: a role and who holds it (`serviceAccount:…`, `user:…`). */
export interface Binding {
  role: string;
  members: string[];
}

/** Artifact Registry: who may do what on the wrapped images' repository. */
export interface RepositoryProbe {
  policy(repository: {
    project: string;
    location: string;
    repository: string;
  }): Promise<Probed<Binding[]>>;
}

/** A composite index: its collection and fields in order (`createdAt DESCENDING`). */
export interface IndexShape {
  collectionGroup: string;
  fields: { fieldPath: string; order: 'ASCENDING' | 'DESCENDING' }[];
}

/** Firestore: reachable, and its composite indexes (none to read on the emulator). */
export interface DatabaseProbe {
  read(): Promise<Probed<void>>;
  /** `emulator` when the database is the emulator, which needs no indexes. */
  indexes(): Promise<Probed<IndexShape[]> | { reached: 'emulator' }>;
}

export interface SlackIdentity {
  botUserId: string;
  team: string;
  /** The scopes the token was granted (the `x-oauth-scopes` header). */
  scopes: string[];
}

/** Slack's Web API with the bot token. */
export interface SlackProbe {
  identity(): Promise<Probed<SlackIdentity>>;
  channel(id: string): Promise<Probed<{ name: string; isMember: boolean }>>;
  /** A user's name, or a user group's handle; not_found when there is none. */
  approver(id: string): Promise<Probed<string>>;
}

export interface SetupProbes {
  permissions: PermissionProbe;
  applications: ApplicationProbe;
  repository: RepositoryProbe;
  database: DatabaseProbe;
  slack: SlackProbe;
}
