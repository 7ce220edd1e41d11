/**
 * The Firestore emulator (gcloud's, Java) as a child process: used by `npm start` in local
 * mode and by the test setup. Starts in its own process group so that stopping it also
 * stops the Java server that gcloud spawns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { findExecutable } from '../../bootstrap/processes.mjs';

export const FIRESTORE_EMULATOR_INSTALL =
  'install it with: apt-get install google-cloud-cli google-cloud-cli-firestore-emulator ' +
  'openjdk-17-jre-headless (google-cloud-cli comes from Google’s apt repository: ' +
  '"deb https://packages.cloud.google.com/apt cloud-sdk main", see ' +
  'https://cloud.google.com/sdk/docs/install#deb), or point FIRESTORE_EMULATOR_HOST at a running emulator';

export interface EmulatorLog {
  info(message: string): void;
}

export interface StartFirestoreEmulatorOptions {
  /** Loopback port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Receives the emulator's output lines (prefixed), e.g. a pino logger's info. */
  log?: EmulatorLog | ((line: string) => void);
  /** How long to wait for the emulator to answer, in ms (default 60 s). */
  timeoutMs?: number;
  /** The gcloud executable (default `gcloud` on PATH). */
  gcloud?: string;
  /** How long stop() waits after SIGTERM before SIGKILL, in ms (default 5 s). */
  stopGraceMs?: number;
}

export interface FirestoreEmulator {
  /** host:port, the value for FIRESTORE_EMULATOR_HOST. */
  host: string;
  /** Stops the emulator and everything it spawned; resolves when they are gone. */
  stop(): Promise<void>;
}

export class FirestoreEmulatorError extends Error {
  readonly code: 'emulator_missing' | 'emulator_failed';
  constructor(code: 'emulator_missing' | 'emulator_failed', message: string) {
    super(message);
    this.name = 'FirestoreEmulatorError';
    this.code = code;
  }
}

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function missingMessage(gcloud: string, why: string): string {
  return `the Firestore emulator could not be started (${why}). It needs \`${gcloud}\`, its Firestore emulator component and Java 17 or newer: ${FIRESTORE_EMULATOR_INSTALL}.`;
}

function checkInstalled(gcloud: string): void {
  if (!findExecutable(gcloud, process.env)) {
    throw new FirestoreEmulatorError(
      'emulator_missing',
      missingMessage(gcloud, `${gcloud} not found on PATH`),
    );
  }
  if (!process.env.JAVA_HOME && !findExecutable('java', process.env)) {
    throw new FirestoreEmulatorError(
      'emulator_missing',
      missingMessage(gcloud, 'java not found on PATH'),
    );
  }
}

/** Sends `signal` to the whole process group led by `child`; false when it is already gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answers(host: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1_000) });
    // The emulator's root answers a plain "Ok"; anything else is not (yet) our emulator.
    return response.ok && (await response.text()).trim() === 'Ok';
  } catch {
    return false;
  }
}

export async function startFirestoreEmulator(
  options: StartFirestoreEmulatorOptions = {},
): Promise<FirestoreEmulator> {
  const gcloud = options.gcloud ?? 'gcloud';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const log =
    typeof options.log === 'function'
      ? options.log
      : options.log
        ? (line: string) => (options.log as EmulatorLog).info(line)
        : () => {};
  checkInstalled(gcloud);
  const port = options.port ?? (await freePort());
  const host = `127.0.0.1:${port}`;

  const child = spawn(
    gcloud,
    ['emulators', 'firestore', 'start', `--host-port=${host}`, '--quiet'],
    {
      detached: true, // own process group: gcloud (python) -> shell -> java
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const pgid = child.pid;
  const output: string[] = [];
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 50) output.shift();
      log(`[firestore-emulator] ${line}`);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  child.on('error', (error) => {
    spawnError = error;
  });
  // If this process exits abruptly, do not leave a Java server behind.
  const onExit = () => signalGroup(child, 'SIGKILL');
  process.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      if (pgid === undefined) return;
      signalGroup(child, 'SIGTERM');
      const deadline = Date.now() + (options.stopGraceMs ?? 5_000);
      while (groupAlive(pgid) && Date.now() < deadline) await delay(100);
      if (groupAlive(pgid)) {
        signalGroup(child, 'SIGKILL');
        while (groupAlive(pgid)) await delay(50);
      }
      await Promise.race([exitedPromise, delay(1_000)]);
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return stopping;
  };

  const started = Date.now();
  while (true) {
    if (spawnError || exited) {
      await stop();
      const why = spawnError
        ? spawnError.message
        : `exited with ${exited?.code ?? exited?.signal} before it was ready`;
      const tail = output.slice(-15).join('\n');
      const missing =
        /not installed|component|java/i.test(tail) ||
        (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
      throw new FirestoreEmulatorError(
        missing ? 'emulator_missing' : 'emulator_failed',
        `${missing ? missingMessage(gcloud, why) : `the Firestore emulator ${why}`}${tail ? `\n${tail}` : ''}`,
      );
    }
    if (await answers(host)) break;
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new FirestoreEmulatorError(
        'emulator_failed',
        `the Firestore emulator did not answer on ${host} within ${Math.round(timeoutMs / 1000)} s\n${output.slice(-15).join('\n')}`,
      );
    }
    await delay(200);
  }
  log(`[firestore-emulator] ready on ${host} after ${Date.now() - started} ms`);
  return { host, stop };
}

/**
 * Deletes every document of `projectId` in the emulator at `host`. Retries for a few seconds
 * while the emulator answers 409 (an open transaction still holds a lock).
 */
export async function clearFirestoreEmulator(host: string, projectId: string): Promise<void> {
  const url = `http://${host}/emulator/v1/projects/${encodeURIComponent(projectId)}/databases/(default)/documents`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    if (response.ok) return;
    if (response.status !== 409 || Date.now() > deadline) {
      throw new Error(
        `clearing Firestore emulator project ${projectId} failed: ${response.status} ${body}`,
      );
    }
    await delay(250);
  }
}
