import { z } from 'zod';
import { parseDuration } from './domain/duration.ts';
import { CodedError } from './domain/errors.ts';
import { projectIdProblem } from './domain/project-id.ts';
import { appEngineIdProblem } from './domain/submission-spec/appengine.ts';

/** Everything the bot reads from its environment, typed. */
export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    /** Socket Mode when set; HTTP otherwise. */
    appToken?: string;
    /** Web API base URL; a local stand-in in tests and local mode. */
    apiUrl?: string;
  };
  port: number;
  reviewChannel: string;
  /** Slack user ids (U…/W…) and user-group ids (S…). */
  approvers: string[];
  /** Target projects with their own approvers (same kinds of ids): only they approve into it. */
  projectApprovers: Record<string, string[]>;
  /** Whether an approver may approve their own submission (default: no). */
  allowSelfApproval: boolean;
  /** Service ids partners may not submit for, besides `default` (always refused). */
  reservedServices: string[];
  gcp: {
    project: string;
    targetProjects: string[];
    registry: string;
    cloudBuildApiUrl?: string;
    appEngineApiUrl?: string;
    /** Cloud Logging's address, for a local stand-in (where build logs are read). */
    loggingApiUrl?: string;
    /** Cloud Resource Manager's address, for a local stand-in (the doctor's permission checks). */
    resourceManagerApiUrl?: string;
    /** Artifact Registry's address, for a local stand-in (the doctor's registry check). */
    artifactRegistryApiUrl?: string;
    /** The email builds run as (Build.serviceAccount); absent: Cloud Build's default account. */
    buildServiceAccount?: string;
    /** An image registry stand-in asked for every partner image, without Google credentials. */
    registryApiUrl?: string;
    /** A Secret Manager version holding Docker Hub's `user:token` for partner image pulls. */
    pullSecret?: string;
  };
  logLevel: string;
  /** Step deadlines and the stall sweep's limit, in ms; absent: the tracker's defaults. */
  watchdog: { deployMs?: number; promoteMs?: number; stallAfterMs?: number };
  /** Old versions after a new one took all traffic (PLAYGROUND_KEEP_*, PLAYGROUND_LIFECYCLE_GRACE). */
  lifecycle: { keepRunningVersions: number; keepVersions: number; graceMs: number };
  /** How long a promote or rollback may take (PLAYGROUND_ROLLBACK_DEADLINE); the tracker's default otherwise. */
  rollbackDeadlineMs?: number;
}

export class ConfigError extends CodedError<'invalid_config'> {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      'invalid_config',
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const count = z
  .string()
  .trim()
  .refine((v) => /^\d+$/.test(v) && Number(v) <= 1000, {
    error: 'must be a whole number from 0 to 1000',
  })
  .optional();

const SLACK_APPROVER_ID = /^[UWS][A-Z0-9]{2,}$/;

/** The ids in `value` that are not Slack user or user-group ids. */
const notApproverIds = (ids: string[]) => ids.filter((id) => !SLACK_APPROVER_ID.test(id));

/** `proj-a=U1,S2;proj-b=U3`: each target project's own approvers. */
const projectApproverEntries = (value: string) =>
  value
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [project = '', ids = ''] = entry.split('=', 2);
      return { entry, hasEquals: entry.includes('='), project: project.trim(), ids: list(ids) };
    });

/** Problems with PLAYGROUND_PROJECT_APPROVERS against the target projects, one per entry. */
function projectApproverProblems(value: string, targetProjects: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { entry, hasEquals, project, ids } of projectApproverEntries(value)) {
    const where = `PLAYGROUND_PROJECT_APPROVERS "${entry}"`;
    if (!hasEquals || !project) {
      problems.push(`${where} must be project=ids, e.g. proj-a=U0123ABCD,S0456EFGH`);
    } else if (!targetProjects.includes(project)) {
      problems.push(
        `${where} names ${project}, not one of PLAYGROUND_TARGET_PROJECTS (${targetProjects.join(', ')})`,
      );
    } else if (seen.has(project)) {
      problems.push(`${where} lists ${project} a second time`);
    } else if (ids.length === 0 || notApproverIds(ids).length > 0) {
      problems.push(
        `${where} must list Slack user ids (U…, W…) or user-group ids (S…); not ids: ${notApproverIds(ids).join(', ') || '(none given)'}`,
      );
    }
    seen.add(project);
  }
  return problems;
}

const required = (what: string) =>
  z
    .string({ error: `is missing: ${what}` })
    .trim()
    .min(1, { error: `is empty: ${what}` });

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value), { error: `must be ${what}` })
    .optional();

/** A duration like `10m`, `90s`, `1h 30m`, at least `min` ms, as milliseconds. */
const duration = (example: string, min = 1_000) =>
  z
    .string()
    .trim()
    .refine((v) => (parseDuration(v) ?? -1) >= min, {
      error: `must be a duration${min > 0 ? ` of at least ${min / 1000}s` : ''}, like ${example} (units ms, s, m, h)`,
    })
    .transform((v) => parseDuration(v) as number)
    .optional();

const projectId = (value: string, ctx: z.RefinementCtx) => {
  const problem = projectIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

const envSchema = z.object({
  SLACK_BOT_TOKEN: required('the bot token from the Slack app (starts with xoxb-)').refine(
    (v) => v.startsWith('xoxb-'),
    { error: 'must be a bot token starting with xoxb-' },
  ),
  SLACK_SIGNING_SECRET: required("the signing secret from the Slack app's Basic Information page"),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .refine((v) => v.startsWith('xapp-'), {
      error: 'must be an app-level token starting with xapp-',
    })
    .optional(),
  SLACK_API_URL: httpUrl('an http(s) URL of a Slack Web API, e.g. http://127.0.0.1:9000/api/'),
  PORT: z
    .string()
    .default('3000')
    .refine((v) => /^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536, {
      error: 'must be a TCP port number (1 to 65535)',
    }),
  PLAYGROUND_REVIEW_CHANNEL: required('the id of the review channel, e.g. C0123456789').refine(
    (v) => /^[CG][A-Z0-9]{2,}$/.test(v),
    { error: 'must be a Slack channel id like C0123456789 (not a #name)' },
  ),
  PLAYGROUND_APPROVERS: required(
    'comma-separated Slack user ids (U…) and/or user-group ids (S…)',
  ).superRefine((value, ctx) => {
    const bad = notApproverIds(list(value));
    if (bad.length > 0 || list(value).length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must list Slack user ids (U…, W…) or user-group ids (S…); not ids: ${bad.join(', ') || '(none given)'}`,
      });
    }
  }),
  PLAYGROUND_PROJECT_APPROVERS: z.string().optional(),
  PLAYGROUND_ALLOW_SELF_APPROVAL: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'true' || v === 'false', { error: 'must be true or false' })
    .optional(),
  PLAYGROUND_RESERVED_SERVICES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      for (const id of list(value ?? '')) {
        const problem = appEngineIdProblem(id, 'service id');
        if (problem)
          ctx.addIssue({ code: 'custom', message: `must list App Engine service ids: ${problem}` });
      }
    }),
  GOOGLE_CLOUD_PROJECT: required('the project where Firestore and Cloud Build live').superRefine(
    projectId,
  ),
  PLAYGROUND_TARGET_PROJECTS: required(
    'comma-separated projects to deploy into, the first is the default',
  ).superRefine((value, ctx) => {
    for (const id of list(value)) projectId(id, ctx);
  }),
  PLAYGROUND_REGISTRY: required(
    'the repository for wrapped images, e.g. europe-docker.pkg.dev/my-project/playground',
  ).refine((v) => /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(v), {
    error: 'must be a registry path like europe-docker.pkg.dev/my-project/playground',
  }),
  FIRESTORE_EMULATOR_HOST: z
    .string()
    .trim()
    .refine((v) => /^[\w.-]+:\d+$/.test(v), { error: 'must be host:port, e.g. 127.0.0.1:8080' })
    .optional(),
  CLOUD_BUILD_API_URL: httpUrl('an http(s) URL of a Cloud Build stand-in'),
  APPENGINE_API_URL: httpUrl('an http(s) URL of an App Engine Admin stand-in'),
  LOGGING_API_URL: httpUrl('an http(s) URL of a Cloud Logging stand-in'),
  RESOURCE_MANAGER_API_URL: httpUrl('an http(s) URL of a Cloud Resource Manager stand-in'),
  ARTIFACT_REGISTRY_API_URL: httpUrl('an http(s) URL of an Artifact Registry stand-in'),
  PLAYGROUND_BUILD_SERVICE_ACCOUNT: z
    .string()
    .trim()
    .refine((v) => /^[^@\s]+@[a-z0-9.-]+\.[a-z]+$/.test(v), {
      error:
        'must be a service account email, e.g. playground-builds@my-project.iam.gserviceaccount.com',
    })
    .optional(),
  REGISTRY_API_URL: httpUrl('an http(s) URL of an image registry stand-in'),
  // A secret version's resource name (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions):
  // a project id or number, a secret id of letters, digits, _ and -, and a version number
  // or `latest`. No `$` can reach the build request (Cloud Build would expand it there).
  PLAYGROUND_PULL_SECRET: z
    .string()
    .trim()
    .refine(
      (v) => /^projects\/[a-z0-9-]+\/secrets\/[\w-]{1,255}\/versions\/(?:[1-9]\d*|latest)$/.test(v),
      {
        error:
          'must be a Secret Manager secret version, projects/PROJECT/secrets/SECRET/versions/VERSION (a number or latest)',
      },
    )
    .optional(),
  PLAYGROUND_KEEP_RUNNING_VERSIONS: count,
  PLAYGROUND_KEEP_VERSIONS: count,
  PLAYGROUND_LIFECYCLE_GRACE: duration('10m', 0),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  PLAYGROUND_DEPLOY_DEADLINE: duration('45m'),
  PLAYGROUND_PROMOTE_DEADLINE: duration('10m'),
  PLAYGROUND_STALL_AFTER: duration('1h'),
  PLAYGROUND_ROLLBACK_DEADLINE: duration('10m'),
});

/** Reads the environment into a Config, or throws one ConfigError listing every problem. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Blank variables count as unset, as in most deploy tools.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  // Checked against the target projects, so only once those are read.
  const targetProjects = list(String(present.PLAYGROUND_TARGET_PROJECTS ?? ''));
  problems.push(
    ...projectApproverProblems(present.PLAYGROUND_PROJECT_APPROVERS ?? '', targetProjects),
  );
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
    },
    port: Number(e.PORT),
    reviewChannel: e.PLAYGROUND_REVIEW_CHANNEL,
    approvers: list(e.PLAYGROUND_APPROVERS),
    projectApprovers: Object.fromEntries(
      projectApproverEntries(e.PLAYGROUND_PROJECT_APPROVERS ?? '').map((p) => [p.project, p.ids]),
    ),
    allowSelfApproval: e.PLAYGROUND_ALLOW_SELF_APPROVAL === 'true',
    reservedServices: list(e.PLAYGROUND_RESERVED_SERVICES ?? ''),
    gcp: {
      project: e.GOOGLE_CLOUD_PROJECT,
      targetProjects: list(e.PLAYGROUND_TARGET_PROJECTS),
      registry: e.PLAYGROUND_REGISTRY,
      ...(e.CLOUD_BUILD_API_URL ? { cloudBuildApiUrl: e.CLOUD_BUILD_API_URL } : {}),
      ...(e.APPENGINE_API_URL ? { appEngineApiUrl: e.APPENGINE_API_URL } : {}),
      ...(e.LOGGING_API_URL ? { loggingApiUrl: e.LOGGING_API_URL } : {}),
      ...(e.RESOURCE_MANAGER_API_URL ? { resourceManagerApiUrl: e.RESOURCE_MANAGER_API_URL } : {}),
      ...(e.ARTIFACT_REGISTRY_API_URL
        ? { artifactRegistryApiUrl: e.ARTIFACT_REGISTRY_API_URL }
        : {}),
      ...(e.PLAYGROUND_BUILD_SERVICE_ACCOUNT
        ? { buildServiceAccount: e.PLAYGROUND_BUILD_SERVICE_ACCOUNT }
        : {}),
      ...(e.REGISTRY_API_URL ? { registryApiUrl: e.REGISTRY_API_URL } : {}),
      ...(e.PLAYGROUND_PULL_SECRET ? { pullSecret: e.PLAYGROUND_PULL_SECRET } : {}),
    },
    logLevel: e.LOG_LEVEL,
    watchdog: {
      ...(e.PLAYGROUND_DEPLOY_DEADLINE ? { deployMs: e.PLAYGROUND_DEPLOY_DEADLINE } : {}),
      ...(e.PLAYGROUND_PROMOTE_DEADLINE ? { promoteMs: e.PLAYGROUND_PROMOTE_DEADLINE } : {}),
      ...(e.PLAYGROUND_STALL_AFTER ? { stallAfterMs: e.PLAYGROUND_STALL_AFTER } : {}),
    },
    lifecycle: {
      keepRunningVersions: Number(e.PLAYGROUND_KEEP_RUNNING_VERSIONS ?? 1),
      keepVersions: Number(e.PLAYGROUND_KEEP_VERSIONS ?? 5),
      graceMs: e.PLAYGROUND_LIFECYCLE_GRACE ?? 10 * 60_000,
    },
    ...(e.PLAYGROUND_ROLLBACK_DEADLINE
      ? { rollbackDeadlineMs: e.PLAYGROUND_ROLLBACK_DEADLINE }
      : {}),
  };
}
