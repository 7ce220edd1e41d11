// JSON shapes of the App Engine Admin API v1 as the stand-in keeps and serves them
// (https://cloud.google.com/appengine/docs/admin-api/reference/rest/v1). Enums are kept
// as names; the server writes them as numbers when the client asks for
// `$alt=json;enum-encoding=int`, as google-gax's REST transport does.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface AppSeed {
  /** The project id, which is the application id. */
  id: string;
  /** Default `europe-west`. */
  locationId?: string;
  /**
   * Whether the application's region offers the flexible environment, as
   * `apps.locations.get` says in its LocationMetadata. Default true.
   */
  flexibleEnvironment?: boolean;
  /** The region code in `*.REGION.r.appspot.com` host names; default `ew`. */
  regionCode?: string;
  /**
   * Versions the application may hold across its services (created ones and ones being
   * created); a create beyond it is refused. Default 210, App Engine's limit for paid
   * apps; lower it so a test can reach it.
   */
  maxVersions?: number;
  /**
   * Services the application already has (as after earlier deploys), without versions of
   * their own; e.g. `['default']`, which App Engine wants first. Default: none.
   */
  services?: string[];
}

/** How one operation goes; every field optional. */
export interface OperationTiming {
  /** The operation reports done on this poll of it (1: the first GET). Default 1. */
  polls?: number;
  /** And not before this many milliseconds after it started (stand-in clock). Default 0. */
  durationMs?: number;
  /** The operation ends with this error (google.rpc.Status) and changes nothing. */
  error?: { code: number; message: string };
  /** The operation never ends (until `endOperation`), as a hanging one on App Engine. */
  hang?: boolean;
}

/** The long-running calls besides versions.create, by their method names. */
export type OperationMethod = 'UpdateVersion' | 'DeleteVersion' | 'UpdateService';

/** How the next operation of `method` (on `target`, when given) goes. */
export interface OperationScript extends OperationTiming {
  method: OperationMethod;
  /** A version id (UpdateVersion, DeleteVersion) or service id (UpdateService). */
  target?: string;
}

/** How one deploy operation goes; every field optional. */
export interface DeployScript extends OperationTiming {
  /** Only the deploy of this version id (otherwise the next deploy, whichever it is). */
  versionId?: string;
  /** The resulting version carries no `versionUrl` (as some API answers do). */
  omitVersionUrl?: boolean;
}

export {
  ApiError,
  alreadyExists,
  invalid,
  notFound,
  type RecordedRequest,
} from '../google-api.ts';
