// The real build of an example predictor: it unpacks the bundle carried in the request
// (PG_BUNDLE_TGZ_0, _1, …), starts the wrapper under gunicorn on loopback with the example folder
// on PYTHONPATH (the partner's package, as the partner image would hold it), runs the
// bundle's own check_service.py against it with the spec's padding and zoom, and reports
// each step to the Cloud Build stand-in as it actually went, in wall-clock time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { digestOf } from '../cloud-build/builds.ts';
import type {
  CloudBuildStandIn,
  CreatedBuild,
  Scenario,
  StepScript,
} from '../cloud-build/server.ts';
import { type GunicornService, startGunicorn } from '../gunicorn.ts';
import { runCheck } from './check-run.ts';
import { demoLogs } from './demo-failures.ts';
import type { BuildInfo } from './read-build.ts';
import type { StepTiming } from './timing.ts';

/** pino's Logger fits. */
export interface LocalBuildLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What every real build of a workspace shares. */
export interface RealBuildSettings {
  cloudBuild: CloudBuildStandIn;
  timing: StepTiming;
  /** The Python of the wrapper and the check. */
  python: string;
  /** How long the check waits for the service's health (model loading). */
  healthTimeoutSeconds: number;
  log?: LocalBuildLog;
}

/** One build to run for real. */
export interface RealBuild {
  build: CreatedBuild;
  info: BuildInfo;
  exampleDir: string;
  /** The build step a demo failure fails, if any. */
  failStep: string | undefined;
  /** The scenario the stand-in was given, rewritten as each step ends. */
  scenario: Scenario;
  /** Aborts the build (the workspace closing). */
  signal: AbortSignal;
}

/** The wrapped service a successful build leaves running, and the folder it runs from. */
export interface KeptService {
  service: GunicornService;
  workDir: string;
  image: string;
}

interface StepOutcome {
  ok: boolean;
  logs: string[];
  /** What the step writes to `$BUILDER_OUTPUT/output` (the test step: its checks). */
  output?: string;
}

/** A step still running: longer than any build may last (its timeout ends it first). */
export const RUNNING_MS = 48 * 3600_000;

/**
 * Runs a build step by step, telling the stand-in as it goes. Resolves with the service
 * left running when every step passed; otherwise everything it started is stopped.
 */
export async function runRealBuild(
  settings: RealBuildSettings,
  run: RealBuild,
): Promise<KeptService | undefined> {
  const { cloudBuild, timing, python, log } = settings;
  const { build, info, exampleDir, failStep, scenario, signal } = run;
  const steps = scenario.steps as StepScript[];
  const workDir = mkdtempSync(join(tmpdir(), 'pg-local-build-'));
  let service: GunicornService | undefined;
  let kept: KeptService | undefined;
  let cursor = build.createdAt + timing.queuedMs;
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
      args.push('--timeout', String(settings.healthTimeoutSeconds), '--details');
      const result = await runCheck(python, args, service, stopped);
      const lines = result.output.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
      // As the real test step: the checks to $BUILDER_OUTPUT/output, and on failure again
      // after the service's log (build-request.ts).
      const output = lines.length > 0 ? `${lines.join('\n')}\n` : undefined;
      if (result.code === 0) return { ok: true, logs: lines, ...(output ? { output } : {}) };
      return {
        ok: false,
        logs: [
          ...lines,
          ...(lines.length === 0 ? tail(result.output, 10) : []),
          "--- last 30 lines of the wrapped service's log:",
          ...tail(service.logs(), 30),
          ...(lines.length > 0 ? ['--- the acceptance checks:', ...lines] : []),
        ],
        ...(output ? { output } : {}),
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
        outcome = { ok: false, logs: demoLogs(info.service, id) };
      } else {
        const work = stepWork[id];
        outcome = work
          ? await work().catch((error: unknown) => ({ ok: false, logs: [String(error)] }))
          : { ok: true, logs: [`[local mode] nothing to do for step ${id}`] };
      }
      if (stopped.aborted) throw new Error('cancelled');
      const end = Math.max(Date.now(), cursor + timing.stepMs);
      await sleepUntil(end, stopped);
      steps[i] = {
        durationMs: end - cursor,
        logs: outcome.logs,
        ...(outcome.output ? { output: outcome.output } : {}),
        ...(outcome.ok ? {} : { status: 'FAILURE' as const }),
      };
      cursor = end;
      cloudBuild.script(build.id, scenario);
      if (!outcome.ok) {
        log?.info({ buildId: build.id, step: id }, 'local build: step failed');
        return undefined;
      }
    }
    if (!service || !info.image) return undefined;
    kept = { service, workDir, image: info.image };
    service = undefined; // kept running: a version may serve it
    return kept;
  } catch (error) {
    if (!stopped.aborted) throw error;
    log?.info({ buildId: build.id }, 'local build: stopped (cancelled or closing)');
    return undefined;
  } finally {
    clearInterval(watch);
    signal.removeEventListener('abort', abort);
    if (service) await service.stop();
    if (!kept) rmSync(workDir, { recursive: true, force: true });
  }
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
