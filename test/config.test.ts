import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.ts';

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'secret',
  PLAYGROUND_REVIEW_CHANNEL: 'C0123456789',
  PLAYGROUND_APPROVERS: 'U0AAA, S0BBB',
  GOOGLE_CLOUD_PROJECT: 'pg-bot-1',
  PLAYGROUND_TARGET_PROJECTS: 'pg-prod-1,pg-dev-1',
  PLAYGROUND_REGISTRY: 'europe-docker.pkg.dev/pg-bot-1/playground',
};

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig', () => {
  it('reads a complete environment with defaults', () => {
    expect(readConfig(VALID)).toEqual({
      slack: { botToken: 'xoxb-1-2-abc', signingSecret: 'secret' },
      port: 3000,
      reviewChannel: 'C0123456789',
      approvers: ['U0AAA', 'S0BBB'],
      projectApprovers: {},
      allowSelfApproval: false,
      reservedServices: [],
      gcp: {
        project: 'pg-bot-1',
        targetProjects: ['pg-prod-1', 'pg-dev-1'],
        registry: 'europe-docker.pkg.dev/pg-bot-1/playground',
      },
      logLevel: 'info',
      watchdog: {},
      lifecycle: { keepRunningVersions: 1, keepVersions: 5, graceMs: 600_000 },
    });
  });

  it('reads the step deadlines and the stall limit as durations, and names a bad one', () => {
    const config = readConfig({
      ...VALID,
      PLAYGROUND_DEPLOY_DEADLINE: '45m',
      PLAYGROUND_PROMOTE_DEADLINE: '90s',
      PLAYGROUND_STALL_AFTER: '2h 30m',
    });
    expect(config.watchdog).toEqual({
      deployMs: 45 * 60_000,
      promoteMs: 90_000,
      stallAfterMs: 150 * 60_000,
    });
    expect(
      problems({ ...VALID, PLAYGROUND_DEPLOY_DEADLINE: '30', PLAYGROUND_STALL_AFTER: '10ms' }),
    ).toEqual([
      'PLAYGROUND_DEPLOY_DEADLINE must be a duration of at least 1s, like 45m (units ms, s, m, h)',
      'PLAYGROUND_STALL_AFTER must be a duration of at least 1s, like 1h (units ms, s, m, h)',
    ]);
  });

  it('reads how many old versions to keep and the grace before cleaning up, and names bad values', () => {
    const config = readConfig({
      ...VALID,
      PLAYGROUND_KEEP_RUNNING_VERSIONS: '2',
      PLAYGROUND_KEEP_VERSIONS: '0',
      PLAYGROUND_LIFECYCLE_GRACE: '90s',
    });
    expect(config.lifecycle).toEqual({ keepRunningVersions: 2, keepVersions: 0, graceMs: 90_000 });
    expect(readConfig({ ...VALID, PLAYGROUND_LIFECYCLE_GRACE: '2h' }).lifecycle.graceMs).toBe(
      7_200_000,
    );
    expect(
      problems({
        ...VALID,
        PLAYGROUND_KEEP_RUNNING_VERSIONS: '-1',
        PLAYGROUND_KEEP_VERSIONS: 'five',
        PLAYGROUND_LIFECYCLE_GRACE: '10 minutes',
      }),
    ).toEqual([
      'PLAYGROUND_KEEP_RUNNING_VERSIONS must be a whole number from 0 to 1000',
      'PLAYGROUND_KEEP_VERSIONS must be a whole number from 0 to 1000',
      'PLAYGROUND_LIFECYCLE_GRACE must be a duration, like 10m (units ms, s, m, h)',
    ]);
  });

  it('reads per-project approvers and whether self-approval is allowed', () => {
    const config = readConfig({
      ...VALID,
      PLAYGROUND_PROJECT_APPROVERS: ' pg-prod-1 = U0CCC, S0DDD ; pg-dev-1=W0EEE;',
      PLAYGROUND_ALLOW_SELF_APPROVAL: 'TRUE',
    });
    expect(config.projectApprovers).toEqual({
      'pg-prod-1': ['U0CCC', 'S0DDD'],
      'pg-dev-1': ['W0EEE'],
    });
    expect(config.allowSelfApproval).toBe(true);
    expect(
      readConfig({ ...VALID, PLAYGROUND_ALLOW_SELF_APPROVAL: 'false' }).allowSelfApproval,
    ).toBe(false);
  });

  it('names each bad per-project approver entry, and a self-approval switch that is not a boolean', () => {
    const found = problems({
      ...VALID,
      PLAYGROUND_PROJECT_APPROVERS:
        'pg-prod-1;pg-other-9=U0CCC;pg-dev-1=U0CCC,#team;pg-dev-1=U0DDD',
      PLAYGROUND_ALLOW_SELF_APPROVAL: 'yes',
    });
    expect(found).toEqual([
      'PLAYGROUND_ALLOW_SELF_APPROVAL must be true or false',
      'PLAYGROUND_PROJECT_APPROVERS "pg-prod-1" must be project=ids, e.g. proj-a=U0123ABCD,S0456EFGH',
      'PLAYGROUND_PROJECT_APPROVERS "pg-other-9=U0CCC" names pg-other-9, not one of PLAYGROUND_TARGET_PROJECTS (pg-prod-1, pg-dev-1)',
      'PLAYGROUND_PROJECT_APPROVERS "pg-dev-1=U0CCC,#team" must list Slack user ids (U…, W…) or user-group ids (S…); not ids: #team',
      'PLAYGROUND_PROJECT_APPROVERS "pg-dev-1=U0DDD" lists pg-dev-1 a second time',
    ]);
  });

  it('reads the reserved service ids, and names one that is not an App Engine service id', () => {
    expect(
      readConfig({ ...VALID, PLAYGROUND_RESERVED_SERVICES: ' status , api-gateway,' })
        .reservedServices,
    ).toEqual(['status', 'api-gateway']);
    expect(problems({ ...VALID, PLAYGROUND_RESERVED_SERVICES: 'status,Api_Gateway' })).toEqual([
      'PLAYGROUND_RESERVED_SERVICES must list App Engine service ids: "Api_Gateway" is not a valid service id (lowercase letters, digits and hyphens, not starting or ending with a hyphen): try "api-gateway"',
    ]);
  });

  it('reads the rollback deadline as a duration (default: none set, the tracker has its own), and names a bad one', () => {
    expect(readConfig(VALID).rollbackDeadlineMs).toBeUndefined();
    expect(readConfig({ ...VALID, PLAYGROUND_ROLLBACK_DEADLINE: '90s' }).rollbackDeadlineMs).toBe(
      90_000,
    );
    expect(readConfig({ ...VALID, PLAYGROUND_ROLLBACK_DEADLINE: '10m' }).rollbackDeadlineMs).toBe(
      600_000,
    );
    expect(problems({ ...VALID, PLAYGROUND_ROLLBACK_DEADLINE: '10 minutes' })).toEqual([
      'PLAYGROUND_ROLLBACK_DEADLINE must be a duration of at least 1s, like 10m (units ms, s, m, h)',
    ]);
    expect(problems({ ...VALID, PLAYGROUND_ROLLBACK_DEADLINE: '0s' })).toEqual([
      'PLAYGROUND_ROLLBACK_DEADLINE must be a duration of at least 1s, like 10m (units ms, s, m, h)',
    ]);
  });

  it('reads the optional stand-in addresses and Socket Mode token', () => {
    const config = readConfig({
      ...VALID,
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:9000/api/',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:8085',
      CLOUD_BUILD_API_URL: 'http://127.0.0.1:9090',
      APPENGINE_API_URL: 'http://127.0.0.1:9091',
      LOGGING_API_URL: 'http://127.0.0.1:9092',
      REGISTRY_API_URL: 'http://127.0.0.1:9093',
      PORT: '8080',
    });
    expect(config.slack.appToken).toBe('xapp-1');
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9000/api/');
    expect(config.port).toBe(8080);
    expect(config.gcp).toMatchObject({
      cloudBuildApiUrl: 'http://127.0.0.1:9090',
      appEngineApiUrl: 'http://127.0.0.1:9091',
      loggingApiUrl: 'http://127.0.0.1:9092',
      registryApiUrl: 'http://127.0.0.1:9093',
    });
  });

  it("reads the doctor's stand-in addresses and the build service account, which must be an email", () => {
    const config = readConfig({
      ...VALID,
      RESOURCE_MANAGER_API_URL: 'http://127.0.0.1:9093',
      ARTIFACT_REGISTRY_API_URL: 'http://127.0.0.1:9094',
      PLAYGROUND_BUILD_SERVICE_ACCOUNT: 'builds@my-project.iam.gserviceaccount.com',
    });
    expect(config.gcp).toMatchObject({
      resourceManagerApiUrl: 'http://127.0.0.1:9093',
      artifactRegistryApiUrl: 'http://127.0.0.1:9094',
      buildServiceAccount: 'builds@my-project.iam.gserviceaccount.com',
    });
    expect(readConfig(VALID).gcp).not.toHaveProperty('buildServiceAccount');
    expect(problems({ ...VALID, PLAYGROUND_BUILD_SERVICE_ACCOUNT: 'builds' })).toEqual([
      'PLAYGROUND_BUILD_SERVICE_ACCOUNT must be a service account email, e.g. playground-builds@my-project.iam.gserviceaccount.com',
    ]);
  });

  it('reads PLAYGROUND_PULL_SECRET as a Secret Manager version resource name', () => {
    for (const name of [
      'projects/my-project/secrets/docker-hub/versions/3',
      'projects/123456789012/secrets/Docker_Hub-1/versions/latest',
    ]) {
      expect(readConfig({ ...VALID, PLAYGROUND_PULL_SECRET: name }).gcp.pullSecret).toBe(name);
    }
    expect(readConfig(VALID).gcp).not.toHaveProperty('pullSecret');
    for (const bad of [
      'docker-hub',
      'projects/my-project/secrets/docker-hub',
      'projects/my-project/secrets/docker-hub/versions/0',
      'projects/$PROJECT_ID/secrets/docker-hub/versions/1',
    ]) {
      expect(problems({ ...VALID, PLAYGROUND_PULL_SECRET: bad })).toEqual([
        'PLAYGROUND_PULL_SECRET must be a Secret Manager secret version, projects/PROJECT/secrets/SECRET/versions/VERSION (a number or latest)',
      ]);
    }
  });

  it('lists every missing variable at once, with what it should be', () => {
    const found = problems({});
    expect(found).toHaveLength(7);
    expect(found).toContain(
      'SLACK_BOT_TOKEN is missing: the bot token from the Slack app (starts with xoxb-)',
    );
    expect(found.some((p) => p.startsWith('PLAYGROUND_REGISTRY is missing: '))).toBe(true);
  });

  it('treats blank variables as missing', () => {
    expect(problems({ ...VALID, SLACK_SIGNING_SECRET: '  ' })).toEqual([
      "SLACK_SIGNING_SECRET is missing: the signing secret from the Slack app's Basic Information page",
    ]);
  });

  it('names each invalid value and its expected shape', () => {
    const found = problems({
      ...VALID,
      SLACK_BOT_TOKEN: 'xoxp-user-token',
      PORT: '70000',
      PLAYGROUND_REVIEW_CHANNEL: '#review',
      PLAYGROUND_APPROVERS: 'U0AAA,alice',
      PLAYGROUND_TARGET_PROJECTS: 'pg-prod-1,Bad_Project',
      SLACK_API_URL: 'slack.local',
      LOGGING_API_URL: 'logging.local:9092',
      REGISTRY_API_URL: 'registry.local',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
        'PORT must be a TCP port number (1 to 65535)',
        'PLAYGROUND_REVIEW_CHANNEL must be a Slack channel id like C0123456789 (not a #name)',
        'PLAYGROUND_APPROVERS must list Slack user ids (U…, W…) or user-group ids (S…); not ids: alice',
        expect.stringMatching(
          /^PLAYGROUND_TARGET_PROJECTS "Bad_Project" is not a Google Cloud project id/,
        ),
        expect.stringMatching(/^SLACK_API_URL must be an http\(s\) URL/),
        'LOGGING_API_URL must be an http(s) URL of a Cloud Logging stand-in',
        'REGISTRY_API_URL must be an http(s) URL of an image registry stand-in',
      ]),
    );
    expect(found).toHaveLength(8);
  });

  it('puts every problem in the error message, one per line', () => {
    expect(() => readConfig({})).toThrow(/^Invalid configuration:\n {2}- SLACK_BOT_TOKEN/);
  });
});
