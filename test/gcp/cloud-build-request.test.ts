// The Cloud Build request (pure) and the two shell scripts it carries, run for real with
// bash: the bundle step unpacks the inline archive, the test step drives a fake `docker`.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bundle, CHECK_SCRIPT_PATH, render } from '../../src/bundle/render.ts';
import {
  DESCRIPTION_MAX,
  EMAIL_MAX,
  emailProblem,
  ORGANIZATION_MAX,
  TITLE_MAX,
} from '../../src/domain/submission-spec/describe.ts';
import type { SubmissionSpec } from '../../src/domain/submission-spec/index.ts';
import {
  archiveFromEnv,
  BUNDLE_ENV,
  BUNDLE_PARTS_ENV,
  BuildRequestError,
  buildRequest,
  buildTags,
  bundleArchive,
  CHECKS_OUTPUT_MAX,
  escapeDollars,
  hasUnescapedDollar,
  machineTypeFor,
  PULL_CREDENTIALS_ENV,
  unescapedDollars,
} from '../../src/gcp/build-request.ts';
import { validateBuild } from '../../src/local/cloud-build/validate.ts';
import type { BuildPlan } from '../../src/ports/build.ts';
import { validSpecArb } from '../domain/submission-spec/arbitraries.ts';
import { sampleSpec } from '../helpers/sample-spec.ts';

const IMAGE = 'europe-docker.pkg.dev/pg-builds/playground/my-service:pg-0042-r1';
const PULL_SECRET = 'projects/pg-builds/secrets/docker-hub/versions/3';

function planFor(
  spec: SubmissionSpec = sampleSpec(),
  overrides: Partial<BuildPlan> = {},
): BuildPlan {
  return {
    submissionId: 'PG-0042',
    revision: 1,
    spec,
    bundle: render(spec, { project: 'playground-target' }),
    image: IMAGE,
    ...overrides,
  };
}

/**
 * Every describe field at its longest, with text gzip cannot shrink (pseudo-random, with
 * multi-byte characters): the largest bundle a valid spec makes.
 */
function longestDescribe(): SubmissionSpec['describe'] {
  const alphabet = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éü€漢字'];
  let seed = 42;
  const text = (length: number) =>
    Array.from({ length }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return alphabet[seed % alphabet.length];
    }).join('');
  const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
  expect(email).toHaveLength(EMAIL_MAX);
  expect(emailProblem(email)).toBeUndefined();
  return {
    title: text(TITLE_MAX),
    description: text(DESCRIPTION_MAX),
    organization: text(ORGANIZATION_MAX),
    email,
  };
}

/** What Cloud Build runs after substitution: `$$` is `$`. */
const substituted = (text: string) => text.replaceAll('$$', '$');

const work = mkdtempSync(join(tmpdir(), 'pg-cloud-build-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('buildRequest', () => {
  const request = buildRequest(planFor());
  const steps = request.steps ?? [];

  it('has the steps bundle, wrap, test-start, test, push, in order', () => {
    expect(steps.map((step) => step.id)).toEqual(['bundle', 'wrap', 'test-start', 'test', 'push']);
    expect(steps.every((step) => step.name === 'gcr.io/cloud-builders/docker')).toBe(true);
    // Sequential: no waitFor anywhere.
    expect(steps.some((step) => step.waitFor)).toBe(false);
  });

  it('builds FROM the partner image with exactly its reference, and tags the wrapped image', () => {
    expect(steps[1]).toMatchObject({
      id: 'wrap',
      name: 'gcr.io/cloud-builders/docker',
      entrypoint: 'bash',
      env: ['PG_BASE_IMAGE=eu.gcr.io/theplayground_repo/my_service:1.0.3', `PG_IMAGE=${IMAGE}`],
    });
  });

  it('keeps a digest-pinned partner reference verbatim', () => {
    const image = `eu.gcr.io/theplayground_repo/my_service:1.0.3@sha256:${'ab'.repeat(32)}`;
    const wrap = buildRequest(planFor(sampleSpec({ image }))).steps?.[1];
    expect(wrap?.env?.[0]).toBe(`PG_BASE_IMAGE=${image}`);
  });

  it('runs the wrapped container on the cloudbuild network, then the check with padding and zoom', () => {
    expect(steps[2]).toEqual({
      id: 'test-start',
      name: 'gcr.io/cloud-builders/docker',
      args: ['run', '--detach', '--name', 'pg-wrapped', '--network', 'cloudbuild', IMAGE],
    });
    expect(steps[3]?.entrypoint).toBe('bash');
    expect(steps[3]?.args?.[0]).toBe('-c');
    expect(steps[3]?.env).toEqual([
      'PG_CHECK_IMAGE=mirror.gcr.io/library/python:3.12-slim',
      'PG_CONTAINER=pg-wrapped',
      'PG_SERVICE_URL=http://pg-wrapped:8080',
      'PG_PADDING=24',
      'PG_ZOOM=16',
      'PG_HEALTH_TIMEOUT=1800',
    ]);
    // The health wait is App Engine's app start timeout; the step adds 5 minutes for the checks.
    expect(steps[3]?.timeout).toEqual({ seconds: 2100 });
  });

  it('pushes the wrapped image and lists it in images for its digest', () => {
    expect(steps[4]).toEqual({
      id: 'push',
      name: 'gcr.io/cloud-builders/docker',
      args: ['push', IMAGE],
    });
    expect(request.images).toEqual([IMAGE]);
  });

  it('sets tags, timeouts and logging deliberately, and no substitutions', () => {
    expect(request.tags).toEqual(['playground-deploy', 'pg-0042', 'pg-0042-r1']);
    // The health wait (1800 s) plus 20 minutes for the pull, the install and the push.
    expect(request.timeout).toEqual({ seconds: 3000 });
    expect(request.queueTtl).toEqual({ seconds: 3600 });
    expect(request.options).toEqual({ logging: 'CLOUD_LOGGING_ONLY', machineType: 'E2_HIGHCPU_8' });
    expect(request.substitutions).toBeUndefined();
    expect(buildRequest(planFor(sampleSpec(), { timeoutSeconds: 2700 })).timeout).toEqual({
      seconds: 2700,
    });
  });

  it('carries the bundle inline and escapes every $ of its scripts', () => {
    expect(steps[0]?.entrypoint).toBe('bash');
    const [count, ...parts] = steps[0]?.env ?? [];
    expect(count).toBe(`${BUNDLE_PARTS_ENV}=${parts.length}`);
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((part, i) => {
      expect(part).toMatch(new RegExp(`^${BUNDLE_ENV}${i}=[A-Za-z0-9+/]+=*$`));
    });
    expect(steps[0]?.args?.[1]).toContain('"$${!part}"');
    expect(steps[3]?.args?.[1]).toContain('"$$PG_PADDING"');
    expect(steps[3]?.args?.[1]).toContain('check=$$!');
    expect(unescapedDollars(request)).toEqual([]);
  });

  it('with a pull secret, gives it to the wrap step only, through availableSecrets', () => {
    const withSecret = buildRequest(planFor(), { pullSecret: PULL_SECRET });
    expect(withSecret.availableSecrets).toEqual({
      secretManager: [{ versionName: PULL_SECRET, env: PULL_CREDENTIALS_ENV }],
    });
    expect(withSecret.steps?.map((step) => step.secretEnv)).toEqual([
      undefined,
      [PULL_CREDENTIALS_ENV],
      undefined,
      undefined,
      undefined,
    ]);
    expect(() => validateBuild(JSON.parse(JSON.stringify(withSecret)))).not.toThrow();
    expect(request.availableSecrets).toBeUndefined();
    expect(steps.some((step) => step.secretEnv)).toBe(false);
  });

  it("tests on the smallest machine type with at least the version's memory", () => {
    const machineFor = (memory_gb: number) =>
      buildRequest(planFor(sampleSpec({ resources: { cpu: 8, memory_gb, disk_size_gb: 10 } })))
        .options?.machineType;
    expect(machineFor(3.2)).toBe('E2_HIGHCPU_8');
    expect(machineFor(8)).toBe('E2_HIGHCPU_8');
    expect(machineFor(8.1)).toBe('E2_HIGHCPU_32');
    expect(machineFor(32)).toBe('E2_HIGHCPU_32');
  });

  it('cannot be made for more memory than the largest machine type has, and says the numbers', () => {
    const spec = sampleSpec({ resources: { cpu: 8, memory_gb: 40, disk_size_gb: 10 } });
    expect(() => buildRequest(planFor(spec))).toThrow(BuildRequestError);
    expect(() => machineTypeFor(40)).toThrow(
      'resources.memory_gb 40 is more than the largest Cloud Build machine (E2_HIGHCPU_32, 32 GB) can test; at most 32 GB can be wrapped',
    );
  });

  it('is deterministic', () => {
    expect(buildRequest(planFor())).toEqual(request);
  });

  it('refuses what cannot be made safe', () => {
    expect(() =>
      buildRequest(planFor(sampleSpec(), { image: 'europe-docker.pkg.dev/p/r/x' })),
    ).toThrow(/needs a tag/);
    expect(() => buildRequest(planFor(sampleSpec(), { image: 'x:1; rm -rf /' }))).toThrow(
      BuildRequestError,
    );
    expect(() => buildRequest(planFor(sampleSpec({ image: 'UPPER/case' })))).toThrow(
      BuildRequestError,
    );
    expect(() => buildRequest(planFor(sampleSpec({ PADDING: 1.5 })))).toThrow(/PADDING/);
    expect(() => buildRequest(planFor(sampleSpec(), { timeoutSeconds: 10 }))).toThrow(
      /timeoutSeconds/,
    );
    const bundle = { ...planFor().bundle, '../evil': 'x' };
    expect(() => buildRequest(planFor(sampleSpec(), { bundle }))).toThrow(/plain relative path/);
  });
});

describe('escaping for Cloud Build substitutions', () => {
  it('finds every $ not doubled', () => {
    expect(hasUnescapedDollar('no dollar')).toBe(false);
    expect(hasUnescapedDollar('$$HOME and $$$$')).toBe(false);
    expect(hasUnescapedDollar('$HOME')).toBe(true);
    expect(hasUnescapedDollar('$$$HOME')).toBe(true);
    expect(hasUnescapedDollar('cost: 5$')).toBe(true);
    expect(escapeDollars('a$b$$c')).toBe('a$$b$$$$c');
  });

  it('reports where a $ slipped through', () => {
    const request = buildRequest(planFor());
    const tampered = structuredClone(request);
    tampered.steps?.[3]?.env?.push('X=$HOME');
    tampered.images = ['x:$TAG'];
    expect(unescapedDollars(tampered)).toEqual(['steps[3].env[6]', 'images[0]']);
  });

  it('no accepted spec leaves an unescaped $, and its values arrive verbatim as data', () => {
    fc.assert(
      fc.property(validSpecArb, fc.integer({ min: 1, max: 999 }), (spec, revision) => {
        // More memory than the largest build machine has cannot be tested (see above).
        fc.pre(spec.resources.memory_gb <= 32);
        const request = buildRequest(planFor(spec, { revision }));
        expect(unescapedDollars(request)).toEqual([]);
        const steps = request.steps ?? [];
        expect(steps[1]?.env).toEqual([`PG_BASE_IMAGE=${spec.image}`, `PG_IMAGE=${IMAGE}`]);
        expect(steps[3]?.env).toContain(`PG_PADDING=${spec.PADDING}`);
        expect(steps[3]?.env).toContain(`PG_ZOOM=${spec.ZOOM_LEVEL}`);
        // The scripts never vary: partner values are only ever in args and env values.
        expect(steps[0]?.args).toEqual(buildRequest(planFor()).steps?.[0]?.args);
        expect(steps[1]?.args).toEqual(buildRequest(planFor()).steps?.[1]?.args);
        expect(steps[3]?.args).toEqual(buildRequest(planFor()).steps?.[3]?.args);
      }),
      { numRuns: 60 },
    );
  });
});

describe('buildTags', () => {
  it('follows Cloud Build tag rules', () => {
    expect(buildTags('PG-0042', 3)).toEqual(['playground-deploy', 'pg-0042', 'pg-0042-r3']);
    expect(buildTags('PG 12/x', 1)).toEqual(['playground-deploy', 'pg-12-x', 'pg-12-x-r1']);
    for (const tag of buildTags('-Weird..ID-', 12)) expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
  });
});

describe('the bundle step, run with bash', () => {
  function runBundleStep(bundle: Bundle): string {
    const request = buildRequest(planFor(sampleSpec(), { bundle }));
    const step = request.steps?.[0];
    const dir = mkdtempSync(join(work, 'workspace-'));
    const env = Object.fromEntries(
      (step?.env ?? []).map((entry) => {
        const [key = '', ...value] = substituted(entry).split('=');
        return [key, value.join('=')];
      }),
    );
    execFileSync('bash', ['-c', substituted(step?.args?.[1] ?? '')], {
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
      stdio: 'pipe',
    });
    return dir;
  }

  it('unpacks exactly the rendered bundle into the workspace', () => {
    const bundle = planFor().bundle;
    const dir = runBundleStep(bundle);
    for (const [path, content] of Object.entries(bundle)) {
      expect(readFileSync(join(dir, path), 'utf8')).toBe(content);
    }
    const listed = execFileSync('find', ['.', '-type', 'f'], { cwd: dir, encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.slice(2))
      .sort();
    expect(listed).toEqual(Object.keys(bundle).sort());
  });

  it('carries a spec with the longest describe within Cloud Build limits, unpacked byte for byte', () => {
    const plan = planFor(sampleSpec({ describe: longestDescribe() }));
    const request = buildRequest(plan);
    // The stand-in checks the documented limits (300 steps, 10,000 characters an argument)
    // and holds env entries to the same; the request goes to it as JSON, as on the wire.
    expect(() => validateBuild(JSON.parse(JSON.stringify(request)))).not.toThrow();
    const env = request.steps?.[0]?.env ?? [];
    expect(env.length).toBeGreaterThan(3);
    expect(archiveFromEnv(env)).toBe(bundleArchive(plan.bundle));
    const dir = runBundleStep(plan.bundle);
    for (const [path, content] of Object.entries(plan.bundle)) {
      expect(readFileSync(join(dir, path))).toEqual(Buffer.from(content, 'utf8'));
    }
  });

  it('keeps any text byte for byte (UTF-8, $, quotes, blocks of 512)', () => {
    const bundle: Bundle = {
      Dockerfile: 'FROM x\n',
      'check_service.py': `print("$HOME ${'é'.repeat(300)} '\\"")\n`,
      'app/exact.txt': 'x'.repeat(512),
      'app/empty.txt': '',
    };
    const dir = runBundleStep(bundle);
    for (const [path, content] of Object.entries(bundle)) {
      expect(readFileSync(join(dir, path), 'utf8')).toBe(content);
    }
  });

  it('makes an archive Python tarfile reads as plain files and directories', () => {
    const archive = join(work, 'bundle.tgz');
    writeFileSync(
      archive,
      Buffer.from(bundleArchive({ 'a/b/c.txt': 'c', 'd.txt': 'd' }), 'base64'),
    );
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys, tarfile\nfor m in tarfile.open(sys.argv[1]).getmembers(): print(m.name, m.type.decode(), oct(m.mode), m.uid)',
        archive,
      ],
      { encoding: 'utf8' },
    );
    expect(listing.trim().split('\n')).toEqual([
      'a 5 0o755 0',
      'a/b 5 0o755 0',
      'a/b/c.txt 0 0o644 0',
      'd.txt 0 0o644 0',
    ]);
  });
});

describe('the wrap step, run with bash and a fake docker', () => {
  /** Runs the step with a `docker` whose image config has USER `user`; returns its calls. */
  /**
   * Runs the step with a `docker` whose image config has USER `user`, and with
   * `credentials` as the secretEnv Cloud Build would set; returns its calls (one line
   * each), what `docker login` read on stdin, the exit status and the output.
   */
  function runWrapStep(user: string, credentials?: string) {
    const step = buildRequest(
      planFor(),
      credentials === undefined ? {} : { pullSecret: PULL_SECRET },
    ).steps?.[1];
    const dir = mkdtempSync(join(work, 'docker-'));
    const calls = join(dir, 'calls');
    writeFileSync(calls, '');
    writeFileSync(
      join(dir, 'docker'),
      [
        '#!/bin/bash',
        `printf '%s|' "$@" >> ${JSON.stringify(calls)}; echo >> ${JSON.stringify(calls)}`,
        `if [ "$1" = login ]; then cat > ${JSON.stringify(join(dir, 'login-stdin'))}; fi`,
        `if [ "$1" = image ]; then echo ${JSON.stringify(user)}; fi`,
      ].join('\n'),
    );
    chmodSync(join(dir, 'docker'), 0o755);
    const env = Object.fromEntries(
      (step?.env ?? []).map((entry) => {
        const [key = '', ...value] = substituted(entry).split('=');
        return [key, value.join('=')];
      }),
    );
    for (const name of step?.secretEnv ?? []) env[name] = credentials ?? '';
    const result = spawnSync('bash', ['-c', substituted(step?.args?.[1] ?? '')], {
      env: { ...env, PATH: `${dir}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    const loginStdin = join(dir, 'login-stdin');
    return {
      calls: readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean),
      loginStdin: existsSync(loginStdin) ? readFileSync(loginStdin, 'utf8') : undefined,
      status: result.status,
      output: `${result.stdout}${result.stderr}`,
    };
  }

  it('pulls the partner image, reads its USER and builds with it as partner_user', () => {
    const base = 'eu.gcr.io/theplayground_repo/my_service:1.0.3';
    const run = runWrapStep('1000:1000');
    expect(run.status, run.output).toBe(0);
    expect(run.calls).toEqual([
      `pull|${base}|`,
      `image|inspect|--format|{{.Config.User}}|${base}|`,
      `build|--build-arg|base_id=${base}|--build-arg|partner_user=1000:1000|-t|${IMAGE}|.|`,
    ]);
  });

  it('passes an empty partner_user when the image sets no USER (the Dockerfile then stays root)', () => {
    expect(runWrapStep('').calls.at(-1)).toContain('|partner_user=|');
  });

  it('with PLAYGROUND_PULL_SECRET, logs in to Docker Hub first, the token on stdin only', () => {
    const run = runWrapStep('', 'partner-bot:dckr_pat_s3cr:et');
    expect(run.status, run.output).toBe(0);
    expect(run.calls[0]).toBe('login|--username|partner-bot|--password-stdin|');
    expect(run.calls[1]).toMatch(/^pull\|/);
    expect(run.loginStdin).toBe('dckr_pat_s3cr:et');
    expect(run.calls.join('\n')).not.toContain('dckr_pat');
    expect(run.output).not.toContain('dckr_pat');
  });

  it('refuses a pull secret that is not user:token, before any pull', () => {
    const run = runWrapStep('', 'just-a-token');
    expect(run.status).toBe(1);
    expect(run.output).toContain('PLAYGROUND_PULL_SECRET must hold user:token');
    expect(run.output).not.toContain('just-a-token');
    expect(run.calls).toEqual([]);
  });
});

describe('the test step, run with bash and a fake docker', () => {
  const script = substituted(buildRequest(planFor()).steps?.[3]?.args?.[1] ?? '');
  const env = Object.fromEntries(
    (buildRequest(planFor()).steps?.[3]?.env ?? []).map((entry) => {
      const [key = '', ...value] = entry.split('=');
      return [key, value.join('=')];
    }),
  );

  /** A `docker` that logs its calls; `check` is what `docker run ... python3` does. */
  function fakeDocker(check: string, running: 'true' | 'false'): string {
    const dir = mkdtempSync(join(work, 'docker-'));
    const bin = join(dir, 'docker');
    writeFileSync(
      bin,
      [
        '#!/bin/bash',
        `echo "$*" >> ${JSON.stringify(join(dir, 'calls'))}`,
        'case "$1" in',
        `  run) cat > ${JSON.stringify(join(dir, 'stdin'))}; ${check} ;;`,
        `  inspect) echo ${running} ;;`,
        '  logs) echo "Traceback: ModuleNotFoundError: my_package" ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(bin, 0o755);
    return dir;
  }

  /** Runs the step; `builderOutput` is the folder Cloud Build names in $BUILDER_OUTPUT. */
  function runTestStep(docker: string, builderOutput?: string) {
    const workspace = mkdtempSync(join(work, 'workspace-'));
    writeFileSync(join(workspace, 'check_service.py'), readFileSync(CHECK_SCRIPT_PATH));
    const result = spawnSync('bash', ['-c', script], {
      cwd: workspace,
      env: {
        ...env,
        PATH: `${docker}:${process.env.PATH}`,
        ...(builderOutput ? { BUILDER_OUTPUT: builderOutput } : {}),
      },
      encoding: 'utf8',
      // Generous: a loaded CI machine runs these bash loops slowly; the timing assertion
      // that matters (failing fast) is made separately below.
      timeout: 30_000,
    });
    const calls = readFileSync(join(docker, 'calls'), 'utf8').trim().split('\n');
    return { status: result.status, output: result.stdout, calls };
  }

  it('pipes check_service.py into python with the service URL, padding, zoom and health timeout', () => {
    const docker = fakeDocker('exit 0', 'true');
    const { status, calls, output } = runTestStep(docker);
    expect(status).toBe(0);
    // The container watch runs beside the check: its `inspect` may be logged first.
    expect(calls.filter((call) => call.startsWith('run '))).toEqual([
      'run --rm --interactive --network cloudbuild mirror.gcr.io/library/python:3.12-slim python3 - http://pg-wrapped:8080 --padding 24 --zoom 16 --timeout 1800 --details',
    ]);
    expect(readFileSync(join(docker, 'stdin'), 'utf8')).toBe(
      readFileSync(CHECK_SCRIPT_PATH, 'utf8'),
    );
    expect(calls.at(-1)).toBe('rm --force pg-wrapped');
    expect(calls.some((call) => call.startsWith('logs'))).toBe(false);
    expect(output).not.toContain('last 100 lines');
  });

  it('fails with the check, printing the service log and removing the container', () => {
    const { status, calls, output } = runTestStep(fakeDocker('exit 1', 'true'));
    expect(status).toBe(1);
    expect(calls).toContain('logs --tail 100 pg-wrapped');
    expect(output).toContain('ModuleNotFoundError');
    expect(calls.at(-1)).toBe('rm --force pg-wrapped');
  });

  it("prints the checks' lines as they come and writes them to $BUILDER_OUTPUT/output", () => {
    const lines = ['PASS health: 200 {"state": "ready"}', 'PASS process: 2 feature(s)'];
    const check = `echo 'not a check line'; ${lines.map((l) => `echo '${l}'`).join('; ')}; exit 0`;
    const outputs = mkdtempSync(join(work, 'builder-outputs-'));
    const { status, output } = runTestStep(fakeDocker(check, 'true'), outputs);
    expect(status).toBe(0);
    expect(output).toContain(lines.join('\n'));
    expect(readFileSync(join(outputs, 'output'), 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it("on failure ends the log with the checks again, after the service's log, and writes them out too", () => {
    const check = "echo 'PASS health: 200'; echo 'FAIL process: HTTP 500: boom'; exit 1";
    const outputs = mkdtempSync(join(work, 'builder-outputs-'));
    const { status, output } = runTestStep(fakeDocker(check, 'true'), outputs);
    expect(status).toBe(1);
    const tail = output.trimEnd().split('\n').slice(-4);
    expect(tail).toEqual([
      'Traceback: ModuleNotFoundError: my_package',
      '--- the acceptance checks:',
      'PASS health: 200',
      'FAIL process: HTTP 500: boom',
    ]);
    expect(readFileSync(join(outputs, 'output'), 'utf8')).toBe(
      'PASS health: 200\nFAIL process: HTTP 500: boom\n',
    );
  });

  it('keeps $BUILDER_OUTPUT/output within the first 4 KB Cloud Build is documented to keep', () => {
    // 300 lines of 50 bytes: 15 KB of checks.
    const check = `for i in {100..399}; do echo "FAIL check-$i: ${'x'.repeat(34)}"; done; exit 1`;
    const outputs = mkdtempSync(join(work, 'builder-outputs-'));
    runTestStep(fakeDocker(check, 'true'), outputs);
    expect(readFileSync(join(outputs, 'output')).length).toBe(CHECKS_OUTPUT_MAX);
  });

  it('fails at once when the wrapped container stops, not after the health wait', () => {
    const started = Date.now();
    const { status, output } = runTestStep(fakeDocker('exec sleep 30', 'false'));
    // The check alone would sleep 30 s; the watch ends it within a few seconds of polling,
    // with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(status).not.toBe(0);
    expect(output).toContain('the wrapped container stopped running');
    expect(output).toContain('ModuleNotFoundError');
  });

  it('check_service.py runs from stdin as `python3 -`', () => {
    const result = spawnSync('python3', ['-', '--help'], {
      input: readFileSync(CHECK_SCRIPT_PATH),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--padding');
  });
});
