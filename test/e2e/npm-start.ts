/**
 * `npm start` as a person runs it, for the end-to-end tests: in a folder of the project
 * (this checkout, or a fresh clone of its committed HEAD), with a PATH on which the
 * system's own Node and npm come first, stopped with Ctrl-C as a terminal sends it (to
 * the whole process group).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/local/firestore-emulator.ts';
import { eventually } from '../helpers/eventually.ts';
import { alive } from '../helpers/processes.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where Debian keeps the system's Node and npm. */
export const SYSTEM_BIN = '/usr/bin';

/** A fresh clone of this repository's committed HEAD (uncommitted changes are not in it). */
export function cloneProject(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'fresh-clone-')), 'playground-deploy');
  execFileSync('git', ['clone', '--quiet', ROOT, dir], { stdio: 'pipe' });
  return dir;
}

function hasNode(dir: string): boolean {
  try {
    accessSync(join(dir, 'node'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The environment of a newcomer's shell: this one's PATH with the system's bin folder
 * first and no other folder holding a `node` (such as the Node 22 this test runs on); no
 * Slack credentials, no emulator given, nothing that npm or the set-up put here.
 */
export async function newcomerEnv(extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const rest = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir && !hasNode(dir));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|SLACK_|FIRESTORE_EMULATOR_HOST$|PLAYGROUND_|VITEST|NODE_OPTIONS$)/.test(name))
      continue;
    env[name] = value;
  }
  return {
    ...env,
    PATH: [SYSTEM_BIN, ...rest].join(delimiter),
    PORT: String(await freePort()),
    PLAYGROUND_PAGE_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface NpmStart {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** The page's URL, once `npm start` says it is ready. */
  ready: Promise<string>;
  /**
   * Ctrl-C as a terminal sends it (to the process group). npm and its shell end at once
   * (npm re-raises the signal); resolves when every process it had started has gone too,
   * and throws when some are still there after 30 s.
   */
  stop(): Promise<void>;
}

export function npmStart(cwd: string, env: NodeJS.ProcessEnv): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /ready in [\d.]+ s: open (http:\S+)/.exec(output);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 100);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`npm start exited before ready:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    ready,
    stop: async () => {
      const running = descendants(child.pid as number);
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(-child.pid, 'SIGINT');
      }
      await exited;
      await eventually(
        () => {
          const left = running.filter(alive);
          if (left.length > 0) throw new Error(`npm start left ${left.join(', ')} running`);
        },
        30_000,
        200,
      );
    },
  };
}

/** Every process below `pid`, read from /proc. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}
