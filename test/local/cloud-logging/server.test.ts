// The Cloud Logging stand-in over plain HTTP, as the REST transport uses it: entries.list
// with the filters it understands, ordering, page size and tokens, Google JSON errors, the
// request record and faults; and the Cloud Build stand-in's logs as real-shaped entries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudBuildStandIn,
  startCloudBuildApi,
} from '../../../src/local/cloud-build/server.ts';
import {
  buildStepLabel,
  cloudBuildLogSource,
} from '../../../src/local/cloud-logging/from-cloud-build.ts';
import {
  type CloudLoggingStandIn,
  DEFAULT_PAGE_SIZE,
  type LogEntry,
  startCloudLoggingApi,
} from '../../../src/local/cloud-logging/server.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field
type Body = Record<string, any>;

const BUILD_A = '0a0a0a0a-0000-4000-8000-00000000000a';
const BUILD_B = '0b0b0b0b-0000-4000-8000-00000000000b';
const T0 = Date.parse('2030-01-01T00:00:00Z');

/** A Cloud Build log line of `build` in project p1, `ms` after T0. */
function line(build: string, seq: number, ms: number, step: string | undefined, text: string) {
  const index = step === undefined ? undefined : ['bundle', 'test-start', 'test'].indexOf(step);
  const label = buildStepLabel(index === undefined ? undefined : { index, id: step as string });
  return {
    logName: 'projects/p1/logs/cloudbuild',
    resource: { type: 'build', labels: { build_id: build, project_id: 'p1' } },
    labels: { build_step: label },
    textPayload: step === undefined ? text : `${label}: ${text}`,
    timestamp: new Date(T0 + ms).toISOString(),
    insertId: `${build}-${seq}`,
    severity: 'INFO',
  } satisfies LogEntry;
}

let entries: LogEntry[] = [];
const hints: { buildId?: string }[] = [];
let api: CloudLoggingStandIn;

beforeAll(async () => {
  api = await startCloudLoggingApi({
    source: (hint) => {
      hints.push(hint);
      return entries;
    },
  });
});
afterAll(() => api.close());
beforeEach(() => {
  api.reset();
  hints.length = 0;
  entries = [
    line(BUILD_A, 1, 0, undefined, `starting build "${BUILD_A}"`),
    line(BUILD_A, 2, 10, 'test-start', 'started pg-wrapped'),
    line(BUILD_A, 3, 20, 'test', 'PASS health'),
    line(BUILD_A, 4, 30, 'test', 'FAIL process'),
    // Two lines of one moment: the order they were written in breaks the tie.
    line(BUILD_A, 5, 40, 'test', 'tie first'),
    line(BUILD_A, 6, 40, 'test', 'tie second'),
    line(BUILD_A, 7, 50, undefined, 'ERROR'),
    line(BUILD_B, 1, 5, 'test', 'other build'),
    { ...line(BUILD_A, 99, 45, 'test', 'another project'), logName: 'projects/p2/logs/cloudbuild' },
  ];
});

const INT = '?$alt=json%3Benum-encoding=int';

async function list(body: unknown, query = '') {
  const response = await fetch(`${api.url}/v2/entries:list${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const texts = (body: Body) => (body.entries ?? []).map((e: Body) => e.textPayload as string);

const OF_A = `logName="projects/p1/logs/cloudbuild" AND resource.type="build" AND resource.labels.build_id="${BUILD_A}"`;
const TEST_STEP = 'labels.build_step=~"^Step #[0-9]+ - \\"test\\"$"';

describe('entries.list', () => {
  it('serves one build’s entries of the projects asked, oldest first by default', async () => {
    const answer = await list({ resourceNames: ['projects/p1'], filter: OF_A });
    expect(answer.status).toBe(200);
    expect(texts(answer.body)).toEqual([
      `starting build "${BUILD_A}"`,
      'Step #1 - "test-start": started pg-wrapped',
      'Step #2 - "test": PASS health',
      'Step #2 - "test": FAIL process',
      'Step #2 - "test": tie first',
      'Step #2 - "test": tie second',
      'ERROR',
    ]);
    expect(answer.body.nextPageToken).toBeUndefined();
    // The build id was handed to the source as a hint.
    expect(hints).toEqual([{ buildId: BUILD_A }]);
  });

  it('filters on a label by regular expression: the step, not one whose id starts alike', async () => {
    const answer = await list({
      resourceNames: ['projects/p1'],
      filter: `${OF_A} AND ${TEST_STEP}`,
      orderBy: 'timestamp desc',
    });
    expect(texts(answer.body)).toEqual([
      'Step #2 - "test": tie second',
      'Step #2 - "test": tie first',
      'Step #2 - "test": FAIL process',
      'Step #2 - "test": PASS health',
    ]);
  });

  it('bounds by time: timestamp compared with an RFC 3339 string, as times', async () => {
    // T0 + 30 ms written with an offset: the same moment, not the same text.
    const since = await list({
      resourceNames: ['projects/p1'],
      filter: `${OF_A} AND timestamp >= "2030-01-01T01:00:00.030+01:00"`,
    });
    expect(texts(since.body)).toEqual([
      'Step #2 - "test": FAIL process',
      'Step #2 - "test": tie first',
      'Step #2 - "test": tie second',
      'ERROR',
    ]);
    const before = await list({
      resourceNames: ['projects/p1'],
      filter: `${OF_A} AND timestamp<"2030-01-01T00:00:00.020Z"`,
    });
    expect(texts(before.body)).toEqual([
      `starting build "${BUILD_A}"`,
      'Step #1 - "test-start": started pg-wrapped',
    ]);
  });

  it('with a lag, serves an entry only that long after its timestamp', async () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    entries = [
      { ...line(BUILD_A, 1, 0, 'test', 'written long ago'), timestamp: ago(5_000) },
      { ...line(BUILD_A, 2, 0, 'test', 'just written'), timestamp: ago(0) },
    ];
    api.lag(2_000);
    const lagging = await list({ resourceNames: ['projects/p1'], filter: OF_A });
    expect(texts(lagging.body)).toEqual(['Step #2 - "test": written long ago']);
    api.reset();
    const caughtUp = await list({ resourceNames: ['projects/p1'], filter: OF_A });
    expect(texts(caughtUp.body)).toHaveLength(2);
  });

  it('filters by equality on any of the fields it knows, across builds and projects', async () => {
    const byLabel = await list({
      resourceNames: ['projects/p1', 'projects/p2'],
      filter: 'labels.build_step = "Step #2 - \\"test\\""',
    });
    expect(texts(byLabel.body)).toEqual([
      'Step #2 - "test": other build',
      'Step #2 - "test": PASS health',
      'Step #2 - "test": FAIL process',
      'Step #2 - "test": tie first',
      'Step #2 - "test": tie second',
      'Step #2 - "test": another project',
    ]);
    expect(hints.at(-1)).toEqual({});
    const none = await list({ resourceNames: ['projects/p1'], filter: 'resource.type="gae_app"' });
    expect(none).toEqual({ status: 200, body: {} });
  });

  it('answers at most pageSize entries, with a token for the next page', async () => {
    const first = await list({
      resourceNames: ['projects/p1'],
      filter: OF_A,
      orderBy: 'timestamp desc',
      pageSize: 3,
    });
    expect(texts(first.body)).toEqual([
      'ERROR',
      'Step #2 - "test": tie second',
      'Step #2 - "test": tie first',
    ]);
    expect(first.body.nextPageToken).toEqual(expect.any(String));
    const second = await list({
      resourceNames: ['projects/p1'],
      filter: OF_A,
      orderBy: 'timestamp desc',
      pageSize: 3,
      pageToken: first.body.nextPageToken,
    });
    expect(texts(second.body)).toEqual([
      'Step #2 - "test": FAIL process',
      'Step #2 - "test": PASS health',
      'Step #1 - "test-start": started pg-wrapped',
    ]);
    // A token belongs to its query.
    const mismatched = await list({
      resourceNames: ['projects/p1'],
      filter: OF_A,
      pageToken: first.body.nextPageToken,
    });
    expect(mismatched.status).toBe(400);
  });

  it(`answers ${DEFAULT_PAGE_SIZE} entries when no page size is asked`, async () => {
    entries = Array.from({ length: 60 }, (_, i) => line(BUILD_A, i + 1, i, 'test', `line ${i}`));
    const answer = await list({ resourceNames: ['projects/p1'], filter: OF_A });
    expect(answer.body.entries).toHaveLength(DEFAULT_PAGE_SIZE);
    expect(texts(answer.body).at(-1)).toBe('Step #2 - "test": line 49');
  });

  it('writes entries in proto3 JSON, severity as a number when asked', async () => {
    const named = await list({ resourceNames: ['projects/p1'], filter: OF_A, pageSize: 1 });
    expect(named.body.entries[0]).toEqual(entries[0]);
    const numbered = await list({ resourceNames: ['projects/p1'], filter: OF_A, pageSize: 1 }, INT);
    expect(numbered.body.entries[0]).toEqual({ ...entries[0], severity: 200 });
  });

  it('records every request with its body and answer status', async () => {
    await list({ resourceNames: ['projects/p1'], filter: OF_A, pageSize: 2 }, INT);
    await list({ resourceNames: ['projects/p1'], filter: 'textPayload:"x"' });
    expect(api.requestsTo('POST', '/v2/entries:list')).toEqual([
      {
        method: 'POST',
        path: '/v2/entries:list',
        query: { $alt: 'json;enum-encoding=int' },
        body: { resourceNames: ['projects/p1'], filter: OF_A, pageSize: 2 },
        status: 200,
        time: expect.any(Number),
      },
      expect.objectContaining({ status: 400 }),
    ]);
  });
});

describe('refusals, in Google’s error shape', () => {
  const refused = async (body: unknown) => {
    const answer = await list(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    return answer.body.error.message as string;
  };
  const withFilter = (filter: string) => ({ resourceNames: ['projects/p1'], filter });

  it.each([
    ['OR', `${OF_A} OR resource.type="gae_app"`],
    ['NOT', 'NOT resource.type="build"'],
    ['the has operator', 'textPayload:"FAIL"'],
    ['a field it does not know', 'severity>="ERROR"'],
    ['a bare word', 'FAIL'],
    ['parentheses', '(resource.type="build")'],
    ['an unquoted value', 'resource.type=build'],
    ['an unterminated string', 'resource.type="build'],
    ['a broken regular expression', 'labels.build_step=~"(Step"'],
    ['AND with nothing after it', 'resource.type="build" AND'],
    ['a timestamp that is not RFC 3339', 'timestamp>="yesterday"'],
    ['a timestamp without its time zone', 'timestamp>="2030-01-01T00:00:00"'],
    ['a regular expression on timestamp', 'timestamp=~"2030"'],
    ['an order comparison of a label', 'labels.build_step>="Step"'],
  ])('a filter with %s', async (_what, filter) => {
    expect(await refused(withFilter(filter))).toMatch(/^Unparseable filter: /);
  });

  it('a request without resourceNames, or with ones it does not serve', async () => {
    expect(await refused({ filter: OF_A })).toMatch(/resourceNames/);
    expect(await refused({ resourceNames: ['organizations/123'], filter: OF_A })).toMatch(
      /organizations\/123/,
    );
  });

  it('an unknown field, a bad order, a bad page size, bad JSON', async () => {
    expect(await refused({ ...withFilter(OF_A), projectIds: ['p1'] })).toMatch(
      /Unknown name "projectIds"/,
    );
    expect(await refused({ ...withFilter(OF_A), orderBy: 'insertId desc' })).toMatch(/orderBy/);
    expect(await refused({ ...withFilter(OF_A), pageSize: -1 })).toMatch(/pageSize/);
    expect(await refused({ ...withFilter(OF_A), pageSize: 1001 })).toMatch(/pageSize/);
    expect(await refused('{"resourceNames": [')).toMatch(/Invalid JSON/);
  });

  it('answers 404 for any other method or path', async () => {
    const answer = await fetch(`${api.url}/v2/entries:write`, { method: 'POST', body: '{}' });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as Body).error.status).toBe('NOT_FOUND');
  });

  it('answers 503 UNAVAILABLE to the next N requests, then serves again', async () => {
    api.unavailable(2);
    const body = withFilter(OF_A);
    expect((await list(body)).body).toEqual({
      error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' },
    });
    expect((await list(body)).status).toBe(503);
    expect((await list(body)).status).toBe(200);
    expect(api.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('answers 403 PERMISSION_DENIED when told to, to matching requests only', async () => {
    api.deny(1, { path: '/v2/entries:list' });
    const denied = await list(withFilter(OF_A));
    expect(denied).toEqual({
      status: 403,
      body: {
        error: {
          code: 403,
          message: 'The caller does not have permission',
          status: 'PERMISSION_DENIED',
        },
      },
    });
    expect((await list(withFilter(OF_A))).status).toBe(200);
  });
});

describe('serving the Cloud Build stand-in’s build logs', () => {
  let now = T0;
  let cloudBuild: CloudBuildStandIn;
  let logging: CloudLoggingStandIn;

  beforeAll(async () => {
    cloudBuild = await startCloudBuildApi({ clock: () => now });
    logging = await startCloudLoggingApi({ source: cloudBuildLogSource(cloudBuild) });
  });
  afterAll(async () => {
    await logging.close();
    await cloudBuild.close();
  });

  it('as Cloud Build’s entries: log, resource, step label, prefixed text, insert ids', async () => {
    cloudBuild.script('next', {
      queuedMs: 0,
      stepMs: 100,
      steps: { test: { status: 'FAILURE', logs: ['FAIL health: HTTP 500'] } },
    });
    const created = await fetch(`${cloudBuild.url}/v1/projects/pg-bot-1/builds`, {
      method: 'POST',
      body: JSON.stringify({
        steps: [
          { id: 'test-start', name: 'gcr.io/cloud-builders/docker', args: ['run'] },
          { id: 'test', name: 'gcr.io/cloud-builders/docker', args: ['run'] },
        ],
      }),
    });
    const id = ((await created.json()) as Body).metadata.build.id as string;
    now += 1000;
    const answer = await fetch(`${logging.url}/v2/entries:list`, {
      method: 'POST',
      body: JSON.stringify({
        resourceNames: ['projects/pg-bot-1'],
        filter: `resource.labels.build_id="${id}" AND ${TEST_STEP}`,
      }),
    });
    const body = (await answer.json()) as Body;
    expect(body.entries).toEqual([
      {
        logName: 'projects/pg-bot-1/logs/cloudbuild',
        resource: {
          type: 'build',
          labels: { build_id: id, build_trigger_id: '', project_id: 'pg-bot-1' },
        },
        labels: { build_step: 'Step #1 - "test"' },
        textPayload: 'Step #1 - "test": FAIL health: HTTP 500',
        timestamp: new Date(T0 + 150).toISOString(),
        receiveTimestamp: new Date(T0 + 150).toISOString(),
        insertId: `${id}-5`,
        severity: 'INFO',
      },
    ]);
    const whole = await fetch(`${logging.url}/v2/entries:list`, {
      method: 'POST',
      body: JSON.stringify({
        resourceNames: ['projects/pg-bot-1'],
        filter: `resource.labels.build_id="${id}"`,
      }),
    });
    const all = ((await whole.json()) as Body).entries as Body[];
    expect(all.map((e) => e.insertId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `${id}-${n}`));
    expect(all.map((e) => `${e.labels.build_step} | ${e.textPayload}`)).toEqual([
      `MAIN | starting build "${id}"`,
      'MAIN | Starting Step #0 - "test-start"',
      'MAIN | Finished Step #0 - "test-start"',
      'MAIN | Starting Step #1 - "test"',
      'Step #1 - "test" | Step #1 - "test": FAIL health: HTTP 500',
      'MAIN | ERROR',
      'MAIN | ERROR: build step 1 "gcr.io/cloud-builders/docker" failed: step exited with non-zero status: 1',
    ]);
  });
});
