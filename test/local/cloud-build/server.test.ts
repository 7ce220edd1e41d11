// The Cloud Build stand-in over plain HTTP, as curl or the REST transport would use it:
// validation, error shapes, enum encodings, and a build's life on a manual clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudBuildStandIn,
  startCloudBuildApi,
} from '../../../src/local/cloud-build/server.ts';

let now = Date.parse('2030-01-01T00:00:00Z');
let api: CloudBuildStandIn;

beforeAll(async () => {
  api = await startCloudBuildApi({ clock: () => now });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

const INT = '?$alt=json%3Benum-encoding=int';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field
type Body = Record<string, any>;

/** The build as getBuild answers it now, enums as names. */
const buildNow = (id: string) => api.build(id) as Body;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const VERSION = 'projects/p1/secrets/docker-hub/versions/1';

const STEPS = [
  { id: 'one', name: 'gcr.io/cloud-builders/docker', args: ['version'] },
  { id: 'two', name: 'gcr.io/cloud-builders/docker', args: ['info'] },
];

async function create(body: unknown = { steps: STEPS, images: ['r.example/x:1'] }, query = INT) {
  const answer = await call('POST', `/v1/projects/p1/builds${query}`, body);
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('createBuild', () => {
  it('answers a long-running operation carrying the queued build', async () => {
    const operation = await create();
    const id = operation.metadata.build.id as string;
    expect(operation.name).toBe(`operations/build/p1/${Buffer.from(id).toString('base64')}`);
    expect(operation.metadata['@type']).toBe(
      'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata',
    );
    expect(operation.done).toBeUndefined();
    expect(operation.metadata.build).toMatchObject({
      id,
      projectId: 'p1',
      status: 1,
      createTime: '2030-01-01T00:00:00.000Z',
    });
    expect(operation.metadata.build.logUrl).toBe(
      `https://console.cloud.google.com/cloud-build/builds/${id}?project=p1`,
    );
  });

  it('writes enums as names without enum-encoding=int, and reads both', async () => {
    const named = await create({ steps: STEPS, options: { logging: 'CLOUD_LOGGING_ONLY' } }, '');
    expect(named.metadata.build.status).toBe('QUEUED');
    expect(named.metadata.build.options.logging).toBe('CLOUD_LOGGING_ONLY');
    const numbered = await create({ steps: STEPS, options: { logging: 5, machineType: 5 } });
    expect(numbered.metadata.build.options).toEqual({ logging: 5, machineType: 5 });
    const get = await call('GET', `/v1/projects/p1/builds/${numbered.metadata.build.id}`);
    expect(get.body.options).toEqual({
      logging: 'CLOUD_LOGGING_ONLY',
      machineType: 'E2_HIGHCPU_8',
    });
  });

  it.each([
    ['no steps', { steps: [] }, 'at least one step'],
    ['a step without name', { steps: [{ args: ['x'] }] }, 'build step 0 must specify name'],
    [
      'an undefined substitution',
      { steps: [{ name: 'x', args: ['echo $HOME'] }] },
      'key in the template "HOME" is not a valid built-in substitution',
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Cloud Build's ${NAME} syntax, not JavaScript
    ['a braced one', { steps: [{ name: 'x', env: ['A=${_MISSING}'] }] }, '"_MISSING"'],
    ['a lone $', { steps: [{ name: 'x', args: ['5$'] }] }, 'must be escaped as "$$"'],
    ['a bad tag', { steps: STEPS, tags: ['no spaces'] }, 'invalid build tag'],
    ['a duplicate step id', { steps: [STEPS[0], STEPS[0]] }, 'duplicate build step id'],
    ['an unknown enum value', { steps: STEPS, options: { logging: 99 } }, 'options.logging: 99'],
    [
      'an argument over 10,000 characters',
      { steps: [{ name: 'x', args: ['-c', 'x'.repeat(10_001)] }] },
      'build step 0 args[1] is 10001 characters; at most 10000',
    ],
    [
      'an env entry over 10,000 characters',
      { steps: [STEPS[0], { name: 'x', env: [`A=${'x'.repeat(9_999)}`] }] },
      'build step 1 env[0] is 10001 characters; at most 10000',
    ],
    [
      'a secretEnv not in availableSecrets',
      {
        steps: [{ name: 'x', secretEnv: ['TOKEN'] }],
        availableSecrets: { secretManager: [{ versionName: VERSION, env: 'OTHER' }] },
      },
      'build step 0 secretEnv "TOKEN" is not defined in availableSecrets',
    ],
    [
      'a secret that is not a version resource name',
      {
        steps: [{ name: 'x', secretEnv: ['TOKEN'] }],
        availableSecrets: { secretManager: [{ versionName: 'docker-hub', env: 'TOKEN' }] },
      },
      'availableSecrets.secretManager[0].versionName must be projects/*/secrets/*/versions/*',
    ],
    [
      'more than 300 steps',
      { steps: Array.from({ length: 301 }, () => ({ name: 'x' })) },
      'build has 301 steps; at most 300',
    ],
  ])('refuses %s with 400 INVALID_ARGUMENT', async (_, body, message) => {
    const answer = await call('POST', `/v1/projects/p1/builds${INT}`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(400);
    expect(answer.body.error.status).toBe('INVALID_ARGUMENT');
    expect(answer.body.error.message).toContain(message);
    expect(api.createdBuilds()).toEqual([]);
  });

  it('accepts 300 steps and arguments and env entries of exactly 10,000 characters', async () => {
    await create({
      steps: [
        { name: 'x', args: ['x'.repeat(10_000)], env: [`A=${'x'.repeat(9_998)}`] },
        ...Array.from({ length: 299 }, () => ({ name: 'x' })),
      ],
    });
    expect(api.createdBuilds()).toHaveLength(1);
  });

  it('accepts a secretEnv defined in availableSecrets', async () => {
    await create({
      steps: [{ name: 'x', secretEnv: ['TOKEN'] }],
      availableSecrets: { secretManager: [{ versionName: VERSION, env: 'TOKEN' }] },
    });
    expect(api.createdBuilds()).toHaveLength(1);
  });

  it('accepts $$, built-in substitutions and defined ones', async () => {
    await create({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Cloud Build's ${NAME} syntax, not JavaScript
      steps: [{ name: 'x', args: ['$$HOME', '$PROJECT_ID', '${BUILD_ID}', '$_MINE'] }],
      substitutions: { _MINE: 'v' },
    });
    expect(api.createdBuilds()).toHaveLength(1);
  });

  it('records every request with its parsed body, refused ones too', async () => {
    await call('POST', `/v1/projects/p1/builds${INT}`, { steps: [] });
    await create();
    expect(api.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/v1/projects/p1/builds', 400],
      ['POST', '/v1/projects/p1/builds', 200],
    ]);
    expect(api.requests[1]?.query).toEqual({ $alt: 'json;enum-encoding=int' });
    expect(api.requests[1]?.body).toEqual({ steps: STEPS, images: ['r.example/x:1'] });
  });
});

describe('a build on the clock', () => {
  it('goes QUEUED, WORKING step by step with timing, then SUCCESS with digests', async () => {
    api.script('next', { queuedMs: 100, stepMs: 1000, pushMs: 50 });
    const start = now;
    const id = (await create()).metadata.build.id as string;
    const at = async (ms: number) => {
      now = start + ms;
      return (await call('GET', `/v1/projects/p1/builds/${id}`)).body;
    };
    expect((await at(50)).status).toBe('QUEUED');

    const first = await at(600);
    expect(first.status).toBe('WORKING');
    expect(first.startTime).toBe(new Date(start + 100).toISOString());
    expect(first.steps.map((s: Body) => s.status)).toEqual(['WORKING', 'QUEUED']);
    expect(first.steps[0].timing).toEqual({ startTime: new Date(start + 100).toISOString() });

    const second = await at(1500);
    expect(second.steps.map((s: Body) => s.status)).toEqual(['SUCCESS', 'WORKING']);
    expect(second.steps[0].timing.endTime).toBe(new Date(start + 1100).toISOString());

    const done = await at(5000);
    expect(done.status).toBe('SUCCESS');
    expect(done.finishTime).toBe(new Date(start + 2150).toISOString());
    expect(done.results.images).toEqual([
      {
        name: 'r.example/x:1',
        digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
        pushTiming: {
          startTime: new Date(start + 2100).toISOString(),
          endTime: new Date(start + 2150).toISOString(),
        },
      },
    ]);

    const operation = (
      await call('GET', `/v1/operations/build/p1/${Buffer.from(id).toString('base64')}`)
    ).body;
    expect(operation.done).toBe(true);
    expect(operation.response['@type']).toBe(
      'type.googleapis.com/google.devtools.cloudbuild.v1.Build',
    );
    expect(operation.response.status).toBe('SUCCESS');
  });

  it('returns what steps wrote to $BUILDER_OUTPUT/output as results.buildStepOutputs, base64, first 4 KB', async () => {
    const long = `${'PASS health\n'.repeat(400)}`; // 4.8 KB
    api.script('next', {
      stepMs: 10,
      steps: { one: { output: 'PASS health: 200 ✓\n' }, two: { output: long } },
    });
    const id = (await create()).metadata.build.id as string;
    now += 1000;
    const build = (await call('GET', `/v1/projects/p1/builds/${id}`)).body;
    expect(build.status).toBe('SUCCESS');
    const outputs = build.results.buildStepOutputs as string[];
    expect(outputs).toHaveLength(2); // one per step, in step order
    expect(Buffer.from(outputs[0] ?? '', 'base64').toString('utf8')).toBe('PASS health: 200 ✓\n');
    expect(Buffer.from(outputs[1] ?? '', 'base64').toString('utf8')).toBe(long.slice(0, 4096));

    // A step that wrote nothing has an empty entry.
    const quiet = (await create()).metadata.build.id as string;
    now += 1000;
    const plain = (await call('GET', `/v1/projects/p1/builds/${quiet}`)).body;
    expect(plain.results.buildStepOutputs).toEqual(['', '']);
  });

  it('fails on a scripted step with failureInfo and keeps its log lines', async () => {
    api.script('next', {
      stepMs: 10,
      steps: { two: { status: 'FAILURE', exitCode: 3, logs: ['boom'] } },
    });
    const id = (await create()).metadata.build.id as string;
    now += 1000;
    const build = (await call('GET', `/v1/projects/p1/builds/${id}${INT}`)).body;
    expect(build.status).toBe(4);
    expect(build.steps.map((s: Body) => s.status)).toEqual([3, 4]);
    expect(build.steps[1].exitCode).toBe(3);
    expect(build.failureInfo).toEqual({
      type: 5,
      detail:
        'Build step failure: build step 1 "gcr.io/cloud-builders/docker" failed: step exited with non-zero status: 3',
    });
    expect(api.logs(id)).toEqual(['boom']);
    expect((await call('GET', `/stand-in/builds/${id}/logs`)).body).toEqual({ lines: ['boom'] });
    const operation = (
      await call('GET', `/v1/operations/build/p1/${Buffer.from(id).toString('base64')}`)
    ).body;
    expect(operation.error.code).toBe(2);
  });

  it('times out the running step at the build deadline', async () => {
    api.script('next', { queuedMs: 0, stepMs: 1000, timeoutMs: 1500 });
    const id = (await create()).metadata.build.id as string;
    now += 10_000;
    const build = buildNow(id);
    expect(build.status).toBe('TIMEOUT');
    expect(build.steps.map((s: Body) => s.status)).toEqual(['SUCCESS', 'TIMEOUT']);
  });

  it('takes the timeout from the request when the scenario gives none', async () => {
    api.script('next', { queuedMs: 0, stepMs: 60_000 });
    const id = (await create({ steps: STEPS, timeout: '90s' })).metadata.build.id as string;
    now += 1_000_000;
    expect(api.build(id)?.finishTime).toBe(new Date(now - 1_000_000 + 90_000).toISOString());
  });

  it('cancels the running step and the build, and leaves a finished build alone', async () => {
    api.script('next', { queuedMs: 0, stepMs: 1000 });
    const id = (await create()).metadata.build.id as string;
    now += 1500;
    const cancelled = await call('POST', `/v1/projects/p1/builds/${id}:cancel`, {});
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.steps.map((s: Body) => s.status)).toEqual(['SUCCESS', 'CANCELLED']);
    now += 5000;
    expect(api.build(id)?.status).toBe('CANCELLED');
    const again = await call('POST', `/v1/projects/p1/builds/${id}:cancel`, {});
    expect(again.body.finishTime).toBe(cancelled.body.finishTime);
  });

  it('reports step status only at completion when scripted so, timing all along', async () => {
    api.script('next', { queuedMs: 0, stepMs: 1000, stepStatus: 'on-completion' });
    const id = (await create()).metadata.build.id as string;
    now += 1500;
    const working = buildNow(id);
    expect(working.steps.map((s: Body) => s.status)).toEqual([undefined, undefined]);
    expect(working.steps.map((s: Body) => Boolean(s.timing?.endTime))).toEqual([true, false]);
    now += 1000;
    expect(buildNow(id).steps.map((s: Body) => s.status)).toEqual(['SUCCESS', 'SUCCESS']);
  });
});

describe('errors and routes', () => {
  it('answers 404 NOT_FOUND for an unknown build, in Google error shape', async () => {
    const answer = await call('GET', '/v1/projects/p1/builds/nope');
    expect(answer).toEqual({
      status: 404,
      body: {
        error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' },
      },
    });
  });

  it('answers 503 UNAVAILABLE to the next N requests, then serves again', async () => {
    api.unavailable(2);
    expect((await call('GET', '/v1/projects/p1/builds/nope')).body.error.status).toBe(
      'UNAVAILABLE',
    );
    expect((await call('POST', `/v1/projects/p1/builds${INT}`, { steps: STEPS })).status).toBe(503);
    await create();
    expect(api.createdBuilds()).toHaveLength(1);
  });

  it('aims faults at matching requests only', async () => {
    api.unavailable(1, { method: 'GET' });
    const id = (await create()).metadata.build.id as string;
    expect((await call('GET', `/v1/projects/p1/builds/${id}`)).status).toBe(503);
    expect((await call('GET', `/v1/projects/p1/builds/${id}`)).status).toBe(200);
    api.stall(1, { path: /:cancel$/ });
    const stalled = await fetch(`${api.url}/v1/projects/p1/builds/${id}:cancel`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(200),
    }).catch((error: Error) => error.name);
    expect(stalled).toBe('TimeoutError');
    expect(api.requests.at(-1)).toMatchObject({
      path: `/v1/projects/p1/builds/${id}:cancel`,
      status: 0,
    });
  });

  it('serves the locations/{location} forms', async () => {
    const answer = await call('POST', `/v1/projects/p1/locations/europe-west1/builds${INT}`, {
      steps: STEPS,
    });
    const build = answer.body.metadata.build;
    expect(build.name).toBe(`projects/p1/locations/europe-west1/builds/${build.id}`);
    expect(answer.body.name).toMatch(/^projects\/p1\/locations\/europe-west1\/operations\//);
    expect(
      (await call('GET', `/v1/projects/p1/locations/europe-west1/builds/${build.id}`)).status,
    ).toBe(200);
    expect((await call('GET', `/v1/${answer.body.name}`)).body.metadata.build.id).toBe(build.id);
  });

  it('lists builds by tag, newest first', async () => {
    const a = (await create({ steps: STEPS, tags: ['pg-1-r1'] })).metadata.build.id;
    now += 1;
    const b = (await create({ steps: STEPS, tags: ['pg-1-r1', 'x'] })).metadata.build.id;
    await create({ steps: STEPS, tags: ['pg-2-r1'] });
    const listed = await call(
      'GET',
      `/v1/projects/p1/builds?filter=${encodeURIComponent('tags="pg-1-r1"')}`,
    );
    expect(listed.body.builds.map((build: Body) => build.id)).toEqual([b, a]);
  });
});

describe('the build log (logEntries), as Cloud Build writes it to Cloud Logging', () => {
  /** Each line as `[seq, step, text, ms after the build was created]`. */
  const lines = (id: string, created: number) =>
    api
      .logEntries(id)
      .map((line) => [
        line.seq,
        line.step ? `${line.step.index}:${line.step.id ?? ''}` : 'MAIN',
        line.text,
        line.time - created,
      ]);

  it('frames each step’s lines, spread over the step, with the build’s own lines', async () => {
    api.script('next', {
      queuedMs: 100,
      stepMs: 1000,
      steps: { one: { logs: ['a1', 'a2', 'a3'] }, two: { logs: ['b1'] } },
    });
    const created = now;
    const id = (await create()).metadata.build.id as string;
    expect(api.logEntries(id)).toEqual([]); // queued: nothing printed yet

    now = created + 700; // step one runs from 100 to 1100: a1 at 350, a2 at 600, a3 at 850
    expect(lines(id, created)).toEqual([
      [1, 'MAIN', `starting build "${id}"`, 100],
      [2, 'MAIN', 'Starting Step #0 - "one"', 100],
      [3, '0:one', 'a1', 350],
      [4, '0:one', 'a2', 600],
    ]);

    now = created + 5000;
    const all = lines(id, created);
    expect(all).toEqual([
      [1, 'MAIN', `starting build "${id}"`, 100],
      [2, 'MAIN', 'Starting Step #0 - "one"', 100],
      [3, '0:one', 'a1', 350],
      [4, '0:one', 'a2', 600],
      [5, '0:one', 'a3', 850],
      [6, 'MAIN', 'Finished Step #0 - "one"', 1100],
      [7, 'MAIN', 'Starting Step #1 - "two"', 1100],
      [8, '1:two', 'b1', 1600],
      [9, 'MAIN', 'Finished Step #1 - "two"', 2100],
      [10, 'MAIN', 'PUSH', 2100],
      [11, 'MAIN', 'DONE', 2105],
    ]);
    expect(api.logEntries(id).every((line) => line.buildId === id && line.projectId === 'p1')).toBe(
      true,
    );
  });

  it('ends a failed build with ERROR and the failure, without the rest of the steps', async () => {
    api.script('next', {
      queuedMs: 0,
      stepMs: 10,
      steps: [{ logs: ['ok'] }, { status: 'FAILURE', exitCode: 3, logs: ['boom', 'bang'] }],
    });
    const created = now;
    const id = (await create({ steps: [...STEPS, { name: 'x', args: ['never'] }] })).metadata.build
      .id as string;
    now += 1000;
    expect(lines(id, created).slice(-5)).toEqual([
      [5, 'MAIN', 'Starting Step #1 - "two"', 10],
      [6, '1:two', 'boom', 13],
      [7, '1:two', 'bang', 17],
      [8, 'MAIN', 'ERROR', 20],
      [
        9,
        'MAIN',
        'ERROR: build step 1 "gcr.io/cloud-builders/docker" failed: step exited with non-zero status: 3',
        20,
      ],
    ]);
    expect(api.logEntries(id).some((line) => line.step?.index === 2)).toBe(false);
  });

  it('names a step without id by its index only; a cancelled step stops printing', async () => {
    api.script('next', { queuedMs: 0, stepMs: 1000, steps: [{ logs: ['x1', 'x2', 'x3'] }] });
    const id = (await create({ steps: [{ name: 'gcr.io/cloud-builders/docker' }] })).metadata.build
      .id as string;
    now += 600; // x1 at 250, x2 at 500; x3 would be at 750
    await call('POST', `/v1/projects/p1/builds/${id}:cancel`, {});
    now += 5000;
    const entries = api.logEntries(id);
    expect(entries.filter((line) => line.step).map((line) => [line.step, line.text])).toEqual([
      [{ index: 0 }, 'x1'],
      [{ index: 0 }, 'x2'],
    ]);
    expect(entries.map((line) => line.text)).toContain('Starting Step #0');
    expect(entries.at(-1)?.text).toBe('ERROR');
  });

  it('gives every build’s log without an id, and none for an unknown build', async () => {
    api.script('next', { queuedMs: 0, stepMs: 10 });
    api.script('next', { queuedMs: 0, stepMs: 10 });
    const a = (await create()).metadata.build.id as string;
    const b = (await create()).metadata.build.id as string;
    now += 1000;
    expect(new Set(api.logEntries().map((line) => line.buildId))).toEqual(new Set([a, b]));
    expect(api.logEntries('no-such-build')).toEqual([]);
  });
});
