// A stand-in for Cloud Resource Manager v3 on loopback, for the doctor's permission checks:
// projects.testIamPermissions answers the asked permissions the caller holds (from a grant
// set per project that tests change), projects.get the project with its number.
// https://cloud.google.com/resource-manager/reference/rest/v3/projects/testIamPermissions
// https://cloud.google.com/resource-manager/reference/rest/v3/projects/get
// As Google does, a project that does not exist is not told apart from one the caller may
// not see: both answer 403 PERMISSION_DENIED.
import {
  ApiError,
  type FaultControls,
  Faults,
  faultControls,
  invalid,
  type RecordedRequest,
  serveGoogleApi,
} from '../google-api.ts';

export interface ProjectSeed {
  id: string;
  /** Default: a stable 12-digit number made from the id. */
  number?: string;
  /** The permissions the caller holds there; default: every permission asked for. */
  granted?: readonly string[];
}

export interface ResourceManagerStandIn extends FaultControls {
  /** `http://127.0.0.1:PORT`, for RESOURCE_MANAGER_API_URL. */
  url: string;
  /** Every request, in order (live array). */
  requests: RecordedRequest[];
  /** The caller holds exactly `permissions` on `project` from now on. */
  grant(project: string, permissions: readonly string[]): void;
  /** The caller loses `permissions` on `project` (holding every other one asked for, when it held all). */
  revoke(project: string, permissions: readonly string[]): void;
  addProject(project: ProjectSeed): void;
  close(): Promise<void>;
}

/** The most permissions one testIamPermissions call takes (the API refuses more). */
const MOST_PERMISSIONS = 100;

const numberOf = (id: string) => {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 1e11;
  return String(100_000_000_000 + hash);
};

const deniedOn = (project: string) =>
  new ApiError(
    403,
    'PERMISSION_DENIED',
    `Permission denied on resource project ${project} (or it may not exist).`,
  );

type Grants = { kind: 'all'; except: Set<string> } | { kind: 'only'; permissions: Set<string> };

export async function startResourceManagerApi(
  options: { port?: number; projects?: ProjectSeed[]; clock?: () => number } = {},
): Promise<ResourceManagerStandIn> {
  const projects = new Map<string, { number: string; grants: Grants }>();
  const addProject = (seed: ProjectSeed) =>
    projects.set(seed.id, {
      number: seed.number ?? numberOf(seed.id),
      grants: seed.granted
        ? { kind: 'only', permissions: new Set(seed.granted) }
        : { kind: 'all', except: new Set() },
    });
  for (const seed of options.projects ?? []) addProject(seed);
  const requests: RecordedRequest[] = [];
  const faults = new Faults();
  const project = (id: string) => {
    const found = projects.get(id);
    if (!found) throw deniedOn(id);
    return found;
  };

  const server = await serveGoogleApi({
    ...(options.port === undefined ? {} : { port: options.port }),
    clock: options.clock ?? Date.now,
    requests,
    faults,
    answer: ({ method, path, body }) => {
      const test = /^\/v3\/projects\/([^/:]+):testIamPermissions$/.exec(path);
      if (test && method === 'POST') {
        const { grants } = project(test[1] ?? '');
        const asked = (body as { permissions?: unknown } | undefined)?.permissions;
        if (!Array.isArray(asked) || asked.some((p) => typeof p !== 'string')) {
          throw invalid('permissions must be a list of permission names');
        }
        if (asked.length > MOST_PERMISSIONS) {
          throw invalid(`No more than ${MOST_PERMISSIONS} permissions can be tested at once.`);
        }
        const held = (asked as string[]).filter((p) =>
          grants.kind === 'all' ? !grants.except.has(p) : grants.permissions.has(p),
        );
        // An empty answer is `{}`: proto3 JSON leaves out an empty list.
        return held.length === 0 ? {} : { permissions: held };
      }
      const get = /^\/v3\/projects\/([^/:]+)$/.exec(path);
      if (get && method === 'GET') {
        const id = get[1] ?? '';
        const { number } = project(id);
        return { name: `projects/${number}`, projectId: id, state: 1, displayName: id };
      }
      throw new ApiError(404, 'NOT_FOUND', `No such method: ${method} ${path}`);
    },
  });

  return {
    url: server.url,
    requests,
    ...faultControls(faults),
    grant: (id, permissions) => {
      project(id).grants = { kind: 'only', permissions: new Set(permissions) };
    },
    revoke: (id, permissions) => {
      const found = project(id);
      const { grants } = found;
      if (grants.kind === 'all') for (const p of permissions) grants.except.add(p);
      else for (const p of permissions) grants.permissions.delete(p);
    },
    addProject,
    close: () => server.close(),
  };
}
