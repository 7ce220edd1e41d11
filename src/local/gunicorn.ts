// Runs a wrap bundle's `app/` folder under real gunicorn on loopback, the way the wrapped
// image runs it (`gunicorn --config gunicorn.conf.py app:APP` in /api/), on a port gunicorn
// picks: bind 127.0.0.1:0 (the command line overrides the config's bind), read back from
// its "Listening at" line. The one launcher of the local mode and of the wrapper tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pythonExecutable } from '../bundle/check.ts';

export interface GunicornOptions {
  /** A bundle's `app/` folder: app.py, playground_wrapper/, app.yaml, gunicorn.conf.py. */
  appDir: string;
  /** The service's environment; PYTHONPATH names where the predictor package lives. */
  env?: NodeJS.ProcessEnv;
  /** Default: pythonExecutable() (PLAYGROUND_PYTHON, else /usr/bin/python3). */
  python?: string;
  /** How long gunicorn may take to listen. Default 20 s. */
  listenTimeoutMs?: number;
}

export interface GunicornService {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** gunicorn's master process, also the id of its process group (workers included). */
  pid: number;
  /** What gunicorn and the app printed so far (stdout and stderr, the last ~1 MB). */
  logs(): string;
  /** The master process has not exited. */
  running(): boolean;
  /** Ends the process group (SIGTERM, SIGKILL after 5 s); resolves once the master exited. */
  stop(): Promise<void>;
}

/** Process groups started here and not yet seen exiting: killed when Node exits. */
const running = new Set<ChildProcess>();
let exitHandler = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts gunicorn in its own process group. Resolves once it listens, not once the
 * predictor is loaded (the wrapper loads it in the background: poll /api/v1/health).
 */
export async function startGunicorn(options: GunicornOptions): Promise<GunicornService> {
  if (!exitHandler) {
    exitHandler = true;
    process.on('exit', () => {
      for (const child of running) killGroup(child, 'SIGKILL');
    });
  }
  const { appDir } = options;
  const child = spawn(
    options.python ?? pythonExecutable(),
    [
      '-m',
      'gunicorn',
      '--config',
      join(appDir, 'gunicorn.conf.py'),
      '--chdir',
      appDir,
      '--bind',
      '127.0.0.1:0',
      'app:APP',
    ],
    {
      cwd: appDir,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      // The master is gone; its workers follow it (they watch their parent).
      running.delete(child);
      resolve();
    });
    child.once('error', () => resolve());
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;

  const stop = async () => {
    if (isRunning()) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Workers that outlived their master, if any.
    killGroup(child, 'SIGKILL');
    running.delete(child);
  };

  const listenTimeoutMs = options.listenTimeoutMs ?? 20_000;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`gunicorn did not listen within ${listenTimeoutMs} ms:\n${output}`)),
        listenTimeoutMs,
      );
      const finish = () => {
        clearInterval(poll);
        clearTimeout(deadline);
      };
      const poll = setInterval(() => {
        const match = /Listening at: http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match?.[1]) {
          finish();
          resolve(Number(match[1]));
        }
      }, 25);
      child.once('error', (error) => {
        finish();
        reject(new Error(`gunicorn could not start: ${error.message}`));
      });
      child.once('exit', (code) => {
        finish();
        reject(new Error(`gunicorn exited (${code}) before listening:\n${output}`));
      });
    });
    return {
      url: `http://127.0.0.1:${port}`,
      pid: child.pid as number,
      logs: () => output,
      running: isRunning,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
