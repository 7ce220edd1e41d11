// Local builds: what makes the Cloud Build and App Engine stand-ins fit for people in local
// mode (`npm start`), attached to them through their hooks.
//
// - Timing: every step takes (at least) `stepSeconds`, queueing and deploys too, so a
//   person watches the checklist progress (PLAYGROUND_LOCAL_STEP_SECONDS, default 3).
// - Real runs: when the partner image of a build (the `wrap` step's
//   PG_BASE_IMAGE) is `docker.io/examples/NAME:TAG` and `EXAMPLES/NAME` is a
//   folder, the build runs for real what can run here: it unpacks the bundle carried in
//   the request (PG_BUNDLE_TGZ), starts the wrapper under gunicorn on loopback with that
//   folder on PYTHONPATH (the partner's package, as the partner image would hold it),
//   runs the bundle's own check_service.py against it with the spec's padding and zoom,
//   and reports each step as it actually went. The service keeps running: a version of
//   the build's image (by digest) gets the service's loopback URL as its versionUrl.
// - Anything else is simulated on a timed scenario, and its step logs say so.
// - Demo failures: a service id ending in `-fail-STEP` (STEP one of render, wrap, test,
//   push, deploy) fails that step on the first attempt of each revision; Retry succeeds.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { load } from 'js-yaml';
import { pythonExecutable } from '../bundle/check.ts';
import { parseDockerRef } from '../domain/submission-spec/index.ts';
import { BUNDLE_ENV } from '../gcp/build-request.ts';
import type { AppEngineApiStandIn, VersionToCreate } from './app-engine/server.ts';
import { digestOf } from './cloud-build/builds.ts';
import type {
  CloudBuildStandIn,
  CreatedBuild,
  Scenario,
  StepScript,
} from './cloud-build/server.ts';
import type { JsonObject } from './cloud-build/types.ts';
import { type GunicornService, startGunicorn } from './gunicorn.ts';

/** The repository's `examples/` folder. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The steps a demo failure can be asked for in, as the checklist names them. */
export const DEMO_FAILURE_STEPS = ['render', 'wrap', 'test', 'push', 'deploy'] as const;
export type DemoFailureStep = (typeof DEMO_FAILURE_STEPS)[number];

/** The build step that fails for a demo failure of each checklist step (deploy: none). */
const BUILD_STEP_OF: Record<Exclude<DemoFailureStep, 'deploy'>, string> = {
  render: 'bundle',
  wrap: 'wrap',
  test: 'test',
  push: 'push',
};

/** The env variable that sets the seconds a local step takes. */
/** What a simulated build tells people, in its status (shown in the Slack thread). */
export const SIMULATED_NOTE =
  'Simulated build: only examples/ predictors are built and run on this machine (no Docker engine here).';

export const STEP_SECONDS_ENV = 'PLAYGROUND_LOCAL_STEP_SECONDS';
export const DEFAULT_STEP_SECONDS = 3;

/** Where demo failures are explained to people, quoted in their log lines. */
const DEMO_HINT = 'a service id ending in -fail-<render|wrap|test|push|deploy>';

/** The step a service id asks to fail in (`boats-fail-test` -> `test`), if any. */
export function demoFailureOf(service: string): DemoFailureStep | undefined {
  const match = /-fail-([a-z]+)$/.exec(service);
  const step = match?.[1];
  return DEMO_FAILURE_STEPS.find((candidate) => candidate === step);
}

/** Seconds per step from PLAYGROUND_LOCAL_STEP_SECONDS; undefined when unset. */
export function stepSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[STEP_SECONDS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new Error(`${STEP_SECONDS_ENV} must be a number of seconds from 0 to 600, got ${raw}`);
  }
  return seconds;
}

/** pino's Logger fits. */
export interface LocalBuildLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface LocalBuildOptions {
  cloudBuild: CloudBuildStandIn;
  appEngine: AppEngineApiStandIn;
  /** The folder of example predictors. Default: the repository's `examples/`. */
  examplesDir?: string;
  /** Seconds each step takes at least. Default: PLAYGROUND_LOCAL_STEP_SECONDS, else 3. */
  stepSeconds?: number;
  /** How long the check waits for a real service's health (model loading). Default 60 s. */
  healthTimeoutSeconds?: number;
  /** The Python of the wrapper and the check. Default: pythonExecutable(). */
  python?: string;
  log?: LocalBuildLog;
}

/** A wrapped service a real build started and left running. */
export interface LocalService {
  buildId: string;
  /** The wrapped image the build "pushed", and its digest. */
  image: string;
  digest: string;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** gunicorn's master process (and process group). */
  pid: number;
}

export interface LocalBuilds {
  stepSeconds: number;
  /** The services of successful real builds, still running. */
  services(): LocalService[];
  /** Resolves when no real build is in flight (for tests). */
  settled(): Promise<void>;
  /** Detaches from the stand-ins, stops every build in flight and every service started. */
  close(): Promise<void>;
}

/** What a build request says, read the way its steps would read it. */
interface BuildInfo {
  stepIds: string[];
  /** The partner image: PG_BASE_IMAGE of the `wrap` step. */
  baseImage?: string;
  /** The wrapped image to push. */
  image?: string;
  /** The bundle's files, or why they cannot be read. */
  bundle: Record<string, string> | { error: string };
  /** The app.yaml's service id ('' when unknown). */
  service: string;
  /** PG_PADDING / PG_ZOOM of the `test` step. */
  padding?: string;
  zoom?: string;
  /** One key per submission revision (the `<id>-r<revision>` tag), for "first attempt only". */
  attemptKey: string;
}

interface StepOutcome {
  ok: boolean;
  logs: string[];
}

/** A step still running: longer than any build may last (its timeout ends it first). */
const RUNNING_MS = 48 * 3600_000;

/**
 * Attaches local builds to the stand-ins (their `onBuildCreated` and `onDeploy` hooks);
 * `close()` detaches them. The stand-ins must run on the real clock (their default): real
 * builds report their steps in wall-clock time.
 */
export function attachLocalBuilds(options: LocalBuildOptions): LocalBuilds {
  const { cloudBuild, appEngine, log } = options;
  const examplesDir = options.examplesDir ?? EXAMPLES_DIR;
  const stepSeconds = options.stepSeconds ?? stepSecondsFromEnv() ?? DEFAULT_STEP_SECONDS;
  const stepMs = Math.round(stepSeconds * 1000);
  const queuedMs = Math.round(stepMs / 2);
  const pushMs = Math.round(stepMs / 4);
  const healthTimeout = options.healthTimeoutSeconds ?? 60;
  const python = options.python ?? pythonExecutable();

  /** Attempt keys (builds) and version names (deploys) whose demo failure happened. */
  const failedOnce = new Set<string>();
  /** Running services of successful real builds, by image digest (what a version names). */
  const served = new Map<string, LocalService & { stop(): Promise<void>; workDir: string }>();
  /** Real builds in flight: their abort switch and their end. */
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let closed = false;

  /** The demo failure this attempt should have, consumed on the first attempt only. */
  const demoFailure = (key: string, service: string, ofDeploy: boolean) => {
    const step = demoFailureOf(service);
    if (step === undefined || (step === 'deploy') !== ofDeploy || failedOnce.has(key)) {
      return undefined;
    }
    failedOnce.add(key);
    return step;
  };

  const exampleFor = (baseImage: string | undefined): string | undefined => {
    const parsed = baseImage === undefined ? undefined : parseDockerRef(baseImage);
    if (typeof parsed !== 'object' || parsed.registry !== 'docker.io') return undefined;
    const name = /^examples\/([a-z0-9][a-z0-9._-]*)$/.exec(parsed.repository)?.[1];
    if (!name) return undefined;
    const dir = join(examplesDir, name);
    return existsSync(dir) && statSync(dir).isDirectory() ? dir : undefined;
  };

  const onBuildCreated = (build: CreatedBuild): Scenario | undefined => {
    if (closed) return undefined;
    const info = readBuild(build.request);
    const demo = demoFailure(info.attemptKey, info.service, false);
    const failStep = demo && demo !== 'deploy' ? BUILD_STEP_OF[demo] : undefined;
    const example = exampleFor(info.baseImage);
    log?.info(
      {
        buildId: build.id,
        image: info.baseImage,
        ...(example ? { example } : {}),
        ...(failStep ? { demoFailure: failStep } : {}),
      },
      example ? 'local build: running the example for real' : 'local build: simulated',
    );
    if (!example) return simulated(info, failStep);
    const scenario: Scenario = {
      queuedMs,
      pushMs,
      steps: info.stepIds.map((): StepScript => ({ durationMs: RUNNING_MS })),
    };
    const abort = new AbortController();
    const done = runReal(build, info, example, failStep, scenario, abort.signal)
      .catch((error: unknown) => {
        log?.warn({ buildId: build.id, error: String(error) }, 'local build: stopped');
      })
      .finally(() => inFlight.delete(build.id));
    inFlight.set(build.id, { abort, done });
    return scenario;
  };

  /** A timed scenario for a build that cannot run here; its logs say so. */
  const simulated = (info: BuildInfo, failStep: string | undefined): Scenario => {
    const failAt = failStep === undefined ? -1 : info.stepIds.indexOf(failStep);
    const steps = info.stepIds.map((id, i): StepScript => {
      if (i === failAt) return { durationMs: stepMs, status: 'FAILURE', logs: demoLogs(info, id) };
      const command = SIMULATED_COMMANDS[id]?.(info) ?? `step ${id}`;
      return {
        durationMs: stepMs,
        logs: [
          `[local mode] simulated, nothing ran: ${command}`,
          `Only docker.io/examples/NAME images with a folder ${join(examplesDir, 'NAME')} run for real${exampleList(examplesDir)}.`,
        ],
      };
    });
    return { queuedMs, pushMs, steps, statusDetail: SIMULATED_NOTE };
  };

  /** Runs a build of an example for real, step by step, telling the stand-in as it goes. */
  const runReal = async (
    build: CreatedBuild,
    info: BuildInfo,
    exampleDir: string,
    failStep: string | undefined,
    scenario: Scenario,
    signal: AbortSignal,
  ): Promise<void> => {
    const steps = scenario.steps as StepScript[];
    const workDir = mkdtempSync(join(tmpdir(), 'pg-local-build-'));
    let service: GunicornService | undefined;
    let cursor = build.createdAt + queuedMs;
    // Stopped by close(), or by Cloud Build: cancelled, timed out, or forgotten by a reset.
    const aborted = new AbortController();
    const abort = () => aborted.abort();
    signal.addEventListener('abort', abort, { once: true });
    const watch = setInterval(() => {
      const status = cloudBuild.build(build.id)?.status;
      if (status === undefined || status === 'CANCELLED' || status === 'TIMEOUT') abort();
    }, 250);
    const stopped = aborted.signal;

    const stepWork: Record<string, () => Promise<StepOutcome>> = {
      bundle: async () => {
        if ('error' in info.bundle) return { ok: false, logs: [info.bundle.error] };
        const paths = Object.keys(info.bundle).sort();
        for (const path of paths) {
          const target = join(workDir, path);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, info.bundle[path] ?? '');
        }
        return { ok: true, logs: ['wrap bundle:', ...paths.map((path) => `./${path}`)] };
      },
      wrap: async () => {
        const lines = [
          `[local mode] ${info.baseImage} is the predictor folder ${exampleDir}; the wrapper runs under local gunicorn with it on PYTHONPATH`,
          '$ python3 -m gunicorn --config app/gunicorn.conf.py --chdir app --bind 127.0.0.1:0 app:APP',
        ];
        try {
          service = await startGunicorn({
            appDir: join(workDir, 'app'),
            python,
            env: { ...process.env, PYTHONPATH: exampleDir, PYTHONDONTWRITEBYTECODE: '1' },
          });
        } catch (error) {
          return { ok: false, logs: [...lines, ...tail(String((error as Error).message), 30)] };
        }
        return { ok: true, logs: [...lines, `Listening at: ${service.url} (pid ${service.pid})`] };
      },
      'test-start': async () =>
        service?.running()
          ? { ok: true, logs: [`the wrapped service runs at ${service.url} (pid ${service.pid})`] }
          : {
              ok: false,
              logs: ['the wrapped service is not running', ...tail(service?.logs() ?? '', 30)],
            },
      test: async () => {
        if (!service) return { ok: false, logs: ['no wrapped service to check'] };
        const args = [join(workDir, 'check_service.py'), service.url];
        if (info.padding !== undefined) args.push('--padding', info.padding);
        if (info.zoom !== undefined) args.push('--zoom', info.zoom);
        args.push('--timeout', String(healthTimeout));
        const run = await runCheck(python, args, service, stopped);
        const lines = run.output.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
        if (run.code === 0) return { ok: true, logs: lines };
        return {
          ok: false,
          logs: [
            ...lines.filter((line) => line.startsWith('FAIL ')),
            ...(lines.length === 0 ? tail(run.output, 10) : []),
            "--- last 30 lines of the wrapped service's log:",
            ...tail(service.logs(), 30),
          ],
        };
      },
      push: async () => ({
        ok: true,
        logs: [
          `[local mode] nothing to push: ${info.image} is the service running at ${service?.url}`,
          `digest: ${digestOf(info.image ?? '')}`,
        ],
      }),
    };

    try {
      for (const [i, id] of info.stepIds.entries()) {
        await sleepUntil(cursor, stopped);
        let outcome: StepOutcome;
        if (id === failStep) {
          outcome = { ok: false, logs: demoLogs(info, id) };
        } else {
          const work = stepWork[id];
          outcome = work
            ? await work().catch((error: unknown) => ({ ok: false, logs: [String(error)] }))
            : { ok: true, logs: [`[local mode] nothing to do for step ${id}`] };
        }
        if (stopped.aborted) throw new Error('cancelled');
        const end = Math.max(Date.now(), cursor + stepMs);
        await sleepUntil(end, stopped);
        steps[i] = {
          durationMs: end - cursor,
          logs: outcome.logs,
          ...(outcome.ok ? {} : { status: 'FAILURE' as const }),
        };
        cursor = end;
        cloudBuild.script(build.id, scenario);
        if (!outcome.ok) {
          log?.info({ buildId: build.id, step: id }, 'local build: step failed');
          return;
        }
      }
      if (!service || !info.image) return;
      const digest = digestOf(info.image);
      const previous = served.get(digest);
      const running = service;
      served.set(digest, {
        buildId: build.id,
        image: info.image,
        digest,
        url: running.url,
        pid: running.pid,
        workDir,
        stop: () => running.stop(),
      });
      service = undefined; // kept running: a version may serve it
      if (previous) await stopServed(previous);
      log?.info({ buildId: build.id, url: running.url }, 'local build: service running');
    } catch (error) {
      if (!stopped.aborted) throw error;
      log?.info({ buildId: build.id }, 'local build: stopped (cancelled or closing)');
    } finally {
      clearInterval(watch);
      signal.removeEventListener('abort', abort);
      if (service) {
        await service.stop();
        rmSync(workDir, { recursive: true, force: true });
      } else if (![...served.values()].some((entry) => entry.workDir === workDir)) {
        rmSync(workDir, { recursive: true, force: true });
      }
    }
  };

  const stopServed = async (entry: { stop(): Promise<void>; workDir: string }) => {
    await entry.stop();
    rmSync(entry.workDir, { recursive: true, force: true });
  };

  cloudBuild.onBuildCreated(onBuildCreated);
  appEngine.onDeploy({
    deploy: (version: VersionToCreate) => {
      if (closed) return undefined;
      const key = `apps/${version.app}/services/${version.service}/versions/${version.versionId}`;
      if (demoFailure(key, version.service, true)) {
        log?.info({ version: key }, 'local deploy: demo failure');
        return {
          durationMs: stepMs,
          error: {
            code: 9,
            message: `Demo failure (local mode): the service id "${version.service}" asks for one in deploy (${DEMO_HINT}); Retry succeeds.`,
          },
        };
      }
      return { durationMs: stepMs };
    },
    versionUrl: (image: string) => {
      const digest = image.slice(image.indexOf('@') + 1);
      return image.includes('@') ? served.get(digest)?.url : undefined;
    },
  });

  return {
    stepSeconds,
    services: () =>
      [...served.values()].map(({ buildId, image, digest, url, pid }) => ({
        buildId,
        image,
        digest,
        url,
        pid,
      })),
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()].map((b) => b.done));
    },
    close: async () => {
      closed = true;
      cloudBuild.onBuildCreated(undefined);
      appEngine.onDeploy(undefined);
      for (const build of inFlight.values()) build.abort.abort();
      await Promise.all([...inFlight.values()].map((build) => build.done));
      const entries = [...served.values()];
      served.clear();
      await Promise.all(entries.map(stopServed));
    },
  };
}

// ------------------------------------------------------------------- the build request

const SIMULATED_COMMANDS: Record<string, (info: BuildInfo) => string> = {
  bundle: (info) =>
    'error' in info.bundle
      ? 'unpack the wrap bundle'
      : `unpack the wrap bundle (${Object.keys(info.bundle).length} files)`,
  wrap: (info) => `docker build --build-arg base_id=${info.baseImage} -t ${info.image} .`,
  'test-start': (info) => `docker run --detach --name pg-wrapped ${info.image}`,
  test: () => 'check_service.py against the wrapped container',
  push: (info) => `docker push ${info.image}`,
};

function demoLogs(info: BuildInfo, stepId: string): string[] {
  return [
    `FAIL demo: a failure in step ${stepId} was asked for by the service id "${info.service}" (local mode: ${DEMO_HINT} fails that step once; Retry succeeds)`,
  ];
}

function exampleList(examplesDir: string): string {
  try {
    const names = readdirSync(examplesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `docker.io/examples/${entry.name}`);
    return names.length > 0 ? ` (here: ${names.join(', ')})` : '';
  } catch {
    return '';
  }
}

/** Cloud Build reads `$$` as a literal `$` (the request escapes every dollar). */
const literalDollars = (text: string) => text.replaceAll('$$', () => '$');

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function envOf(step: JsonObject | undefined, name: string): string | undefined {
  const entry = strings(step?.env).find((e) => e.startsWith(`${name}=`));
  return entry === undefined ? undefined : literalDollars(entry.slice(name.length + 1));
}

function readBuild(request: JsonObject): BuildInfo {
  const steps = (Array.isArray(request.steps) ? request.steps : []) as JsonObject[];
  const step = (id: string) => steps.find((s) => s.id === id);
  const baseImage = envOf(step('wrap'), 'PG_BASE_IMAGE');
  const archive = envOf(step('bundle'), BUNDLE_ENV);
  let bundle: BuildInfo['bundle'];
  try {
    bundle =
      archive === undefined
        ? { error: `the bundle step has no ${BUNDLE_ENV}` }
        : untar(gunzipSync(Buffer.from(archive, 'base64')));
  } catch (error) {
    bundle = { error: `the bundle cannot be unpacked: ${(error as Error).message}` };
  }
  const tags = strings(request.tags);
  const image = strings(request.images).map(literalDollars)[0];
  const padding = envOf(step('test'), 'PG_PADDING');
  const zoom = envOf(step('test'), 'PG_ZOOM');
  return {
    stepIds: steps.map((s, i) => (typeof s.id === 'string' ? literalDollars(s.id) : `step-${i}`)),
    ...(baseImage ? { baseImage } : {}),
    ...(image ? { image } : {}),
    bundle,
    service: 'error' in bundle ? '' : serviceOf(bundle['app/app.yaml']),
    ...(padding === undefined ? {} : { padding }),
    ...(zoom === undefined ? {} : { zoom }),
    attemptKey: tags[2] ?? image ?? JSON.stringify(tags),
  };
}

function serviceOf(appYaml: string | undefined): string {
  try {
    const parsed = load(appYaml ?? '') as { service?: unknown } | undefined;
    return typeof parsed?.service === 'string' ? parsed.service : '';
  } catch {
    return '';
  }
}

/**
 * The regular files of a ustar archive (what build-request.ts `tar()` writes), as
 * path -> UTF-8 text. Directories are implied; links and other entries are refused.
 */
export function untar(archive: Buffer): Record<string, string> {
  const files: Record<string, string> = {};
  let offset = 0;
  const text = (start: number, length: number) =>
    archive.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break; // end of archive
    const prefix = text(offset + 345, 155);
    const name = text(offset, 100);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    if (!Number.isSafeInteger(size) || size < 0 || offset + 512 + size > archive.length) {
      throw new Error(`corrupt tar entry ${JSON.stringify(path)}`);
    }
    if (type === '0' || type === '\0') {
      const parts = path.split('/');
      if (path.startsWith('/') || parts.some((part) => part === '..' || part === '')) {
        throw new Error(`tar entry ${JSON.stringify(path)} is not a plain relative path`);
      }
      files[path] = archive.toString('utf8', offset + 512, offset + 512 + size);
    } else if (type !== '5') {
      throw new Error(`tar entry ${JSON.stringify(path)} is not a file or folder (type ${type})`);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

// ------------------------------------------------------------------- processes

/** Runs the check script; stops it when the service dies or the build is stopped. */
function runCheck(
  python: string,
  args: string[],
  service: GunicornService,
  signal: AbortSignal,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    let why: string | undefined;
    const stop = (reason: string) => {
      why ??= reason;
      child.kill('SIGTERM');
    };
    const watch = setInterval(() => {
      if (!service.running()) stop('FAIL service: the wrapped service stopped running');
    }, 500);
    const onAbort = () => stop('FAIL cancelled: the build was stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      resolve(
        why === undefined ? { code: code ?? 1, output } : { code: 1, output: `${output}\n${why}` },
      );
    });
  });
}

/** Waits until `time` (Date.now ms); rejects when `signal` aborts first. */
function sleepUntil(time: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, time - Date.now()),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function tail(text: string, lines: number): string[] {
  return text.trimEnd().split('\n').slice(-lines);
}
