// Local builds: what makes the Cloud Build and App Engine stand-ins fit for people in local
// mode (`npm start`), attached to them through their hooks.
//
// - Timing (timing.ts): every step takes (at least) `stepSeconds`, queueing and deploys
//   too, so a person watches the checklist progress.
// - Real runs (real-build.ts): when the partner image of a build is
//   `docker.io/examples/NAME:TAG` and `EXAMPLES/NAME` is a folder (examples.ts), the build
//   runs for real what can run here. The service keeps running: a version of the build's
//   image (by digest) gets the service's loopback URL as its versionUrl (or the URL that
//   `versionUrl` gives, such as the workspace's serving side, app-engine/serving.ts).
// - Anything else is simulated on a timed scenario (simulated.ts).
// - Demo failures (demo-failures.ts): a service id ending in `-fail-STEP` fails that step
//   on the first attempt of each revision; Retry succeeds.
import { rmSync } from 'node:fs';
import { pythonExecutable } from '../../bundle/check.ts';
import type { AppEngineApiStandIn, VersionToCreate } from '../app-engine/server.ts';
import { digestOf } from '../cloud-build/builds.ts';
import type {
  CloudBuildStandIn,
  CreatedBuild,
  Scenario,
  StepScript,
} from '../cloud-build/server.ts';
import { demoDeployError, demoFailures } from './demo-failures.ts';
import { EXAMPLES_DIR, exampleFor } from './examples.ts';
import { readBuild } from './read-build.ts';
import { type KeptService, type LocalBuildLog, RUNNING_MS, runRealBuild } from './real-build.ts';
import { simulatedScenario } from './simulated.ts';
import { DEFAULT_STEP_SECONDS, stepSecondsFromEnv, stepTiming } from './timing.ts';

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
  /**
   * Where versions of simulated builds answer (a version service stand-in), so the bot's
   * live check reaches them; absent: their appspot.com URL, which answers nothing.
   */
  simulatedServiceUrl?: string;
  log?: LocalBuildLog;
  /**
   * The versionUrl to report for a version whose image a real build serves. Default: the
   * service's own loopback URL.
   */
  versionUrl?(version: VersionToCreate, instances: string): string;
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
  /** The loopback URL of the service running this image (`…@sha256:…`), if a real build left one. */
  instancesOf(image: string): string | undefined;
  /** Resolves when no real build is in flight (for tests). */
  settled(): Promise<void>;
  /** Detaches from the stand-ins, stops every build in flight and every service started. */
  close(): Promise<void>;
}

type Served = LocalService & { stop(): Promise<void>; workDir: string };

/**
 * Attaches local builds to the stand-ins (their `onBuildCreated` and `onDeploy` hooks);
 * `close()` detaches them. The stand-ins must run on the real clock (their default): real
 * builds report their steps in wall-clock time.
 */
export function attachLocalBuilds(options: LocalBuildOptions): LocalBuilds {
  const { cloudBuild, appEngine, log } = options;
  const examplesDir = options.examplesDir ?? EXAMPLES_DIR;
  const stepSeconds = options.stepSeconds ?? stepSecondsFromEnv() ?? DEFAULT_STEP_SECONDS;
  const timing = stepTiming(stepSeconds);
  const settings = {
    cloudBuild,
    timing,
    python: options.python ?? pythonExecutable(),
    healthTimeoutSeconds: options.healthTimeoutSeconds ?? 60,
    ...(log ? { log } : {}),
  };

  const demo = demoFailures();
  /** Running services of successful real builds, by image digest (what a version names). */
  const served = new Map<string, Served>();
  /** Real builds in flight: their abort switch and their end. */
  const inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let closed = false;

  const stopServed = async (entry: { stop(): Promise<void>; workDir: string }) => {
    await entry.stop();
    rmSync(entry.workDir, { recursive: true, force: true });
  };

  /** Serves a successful build's service under its image digest, in place of an older one. */
  const keep = async (buildId: string, { service, workDir, image }: KeptService) => {
    const digest = digestOf(image);
    const previous = served.get(digest);
    served.set(digest, {
      buildId,
      image,
      digest,
      url: service.url,
      pid: service.pid,
      workDir,
      stop: () => service.stop(),
    });
    if (previous) await stopServed(previous);
    log?.info({ buildId, url: service.url }, 'local build: service running');
  };

  // A simulated build's version answers from the version service stand-in, so the bot's
  // live check reaches it as it would a real version.
  const instancesOf = (image: string) =>
    (image.includes('@') ? served.get(image.slice(image.indexOf('@') + 1))?.url : undefined) ??
    options.simulatedServiceUrl;

  const onBuildCreated = (build: CreatedBuild): Scenario | undefined => {
    if (closed) return undefined;
    const info = readBuild(build.request);
    const failStep = demo.ofBuild(info.attemptKey, info.service);
    const example = exampleFor(examplesDir, info.baseImage);
    log?.info(
      {
        buildId: build.id,
        image: info.baseImage,
        ...(example ? { example } : {}),
        ...(failStep ? { demoFailure: failStep } : {}),
      },
      example ? 'local build: running the example for real' : 'local build: simulated',
    );
    if (!example) return simulatedScenario(info, failStep, timing, examplesDir);
    const scenario: Scenario = {
      queuedMs: timing.queuedMs,
      pushMs: timing.pushMs,
      steps: info.stepIds.map((): StepScript => ({ durationMs: RUNNING_MS })),
    };
    const abort = new AbortController();
    const run = { build, info, exampleDir: example, failStep, scenario, signal: abort.signal };
    const done = runRealBuild(settings, run)
      .then((kept) => (kept ? keep(build.id, kept) : undefined))
      .catch((error: unknown) => {
        log?.warn({ buildId: build.id, error: String(error) }, 'local build: stopped');
      })
      .finally(() => inFlight.delete(build.id));
    inFlight.set(build.id, { abort, done });
    return scenario;
  };

  cloudBuild.onBuildCreated(onBuildCreated);
  appEngine.onDeploy({
    deploy: (version: VersionToCreate) => {
      if (closed) return undefined;
      const key = `apps/${version.app}/services/${version.service}/versions/${version.versionId}`;
      if (demo.ofDeploy(key, version.service)) {
        log?.info({ version: key }, 'local deploy: demo failure');
        return { durationMs: timing.stepMs, error: demoDeployError(version.service) };
      }
      return { durationMs: timing.stepMs };
    },
    versionUrl: (version: VersionToCreate) => {
      const instances = version.image === undefined ? undefined : instancesOf(version.image);
      if (instances === undefined) return undefined;
      return options.versionUrl ? options.versionUrl(version, instances) : instances;
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
    instancesOf,
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
