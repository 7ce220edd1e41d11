// Real image builds without a Docker engine: Debian's buildah (vfs storage, chroot
// isolation) builds Dockerfiles with RUN steps and runs the built images on this machine,
// and debootstrap makes partner base images from Debian's archive. Everything buildah
// stores lives under CACHE, the machine's cache folder (~/.cache/playground-deploy, or
// PLAYGROUND_IMAGE_CACHE), so the Debian root file system and the imported base survive
// between runs and clones (CI's clean clone included); a fresh machine builds them once.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ProcessRun, runProcess } from './run-process.ts';

export const CACHE =
  process.env.PLAYGROUND_IMAGE_CACHE ??
  join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'playground-deploy',
    'partner-bases',
  );
const STORAGE = [
  '--storage-driver',
  'vfs',
  '--root',
  join(CACHE, 'storage'),
  '--runroot',
  join(CACHE, 'run'),
];
const INSTALL = 'apt-get install -y buildah debootstrap';

/** Fails loudly, with the command that installs them, when buildah or debootstrap is missing. */
export function requireBuildah(): void {
  for (const tool of ['buildah', 'debootstrap']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      throw new Error(`${tool} is missing; the image-build tests need it: ${INSTALL}`);
    }
  }
}

/** `buildah <args>` with the tests' own storage; resolves its output, whatever the exit code. */
export function buildah(args: string[]): Promise<ProcessRun> {
  return runProcess('buildah', [...STORAGE, ...args]);
}

async function buildahOk(args: string[]): Promise<string> {
  const run = await buildah(args);
  if (run.code !== 0)
    throw new Error(`buildah ${args.join(' ')} failed (${run.code}):\n${run.stderr}`);
  return run.stdout;
}

const KEY_LABEL = 'playground-deploy.test-key';

/** The KEY_LABEL of image `name` in the tests' storage; undefined when there is none. */
async function imageKey(name: string): Promise<string | undefined> {
  const run = await buildah(['inspect', '--type', 'image', name]);
  if (run.code !== 0) return undefined;
  return (JSON.parse(run.stdout) as { OCIv1: { config: { Labels?: Record<string, string> } } })
    .OCIv1.config.Labels?.[KEY_LABEL];
}

/**
 * A Debian bookworm root file system (minbase plus `packages`), made once with
 * debootstrap (~40 s, ~300 MB) and kept in CACHE; a key file records what it holds, so a
 * changed package list makes a new one. Built in a temporary folder, renamed when whole.
 */
function debianRoot(packages: string[]): string {
  const key = `bookworm minbase ${packages.join(',')}\n`;
  const root = join(CACHE, 'bookworm-root');
  const keyFile = join(CACHE, 'bookworm-root.key');
  if (existsSync(root) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return root;
  rmSync(root, { recursive: true, force: true });
  const partial = `${root}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  execFileSync(
    'debootstrap',
    ['--variant=minbase', `--include=${packages.join(',')}`, 'bookworm', partial],
    { stdio: 'pipe' },
  );
  renameSync(partial, root);
  writeFileSync(keyFile, key);
  return root;
}

export interface DebianBase {
  /** The image name to build FROM. */
  name: string;
  /** Debian packages on top of minbase. */
  packages: string[];
  /** Host folder -> absolute path in the image, copied in as the partner's files. */
  files?: Record<string, string>;
}

/**
 * The Debian root imported as image `name` (buildah from scratch, files copied into its
 * mount, commit), unless the storage holds it already with the same packages and files
 * (a hash of them is the image's KEY_LABEL).
 */
export async function debianBaseImage(base: DebianBase): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(base.packages));
  for (const from of Object.keys(base.files ?? {}).sort()) {
    hash.update(execFileSync('tar', ['-c', '--sort=name', '--mtime=@0', '-C', from, '.']));
  }
  const key = hash.digest('hex');
  if ((await imageKey(base.name)) === key) return base.name;
  const root = debianRoot(base.packages);
  const container = (await buildahOk(['from', 'scratch'])).trim();
  try {
    const mount = (await buildahOk(['mount', container])).trim();
    // cp -a keeps modes, owners and symlinks, as debootstrap made them.
    execFileSync('cp', ['-a', `${root}/.`, mount]);
    for (const [from, to] of Object.entries(base.files ?? {})) {
      cpSync(from, join(mount, to), { recursive: true });
    }
    await buildahOk(['config', '--cmd', '/bin/sh', '--label', `${KEY_LABEL}=${key}`, container]);
    await buildahOk(['commit', container, base.name]);
  } finally {
    await buildah(['rm', container]);
  }
  return base.name;
}

/**
 * `buildah bud` of DIR's Dockerfile (chroot isolation: RUN steps without a container
 * runtime), tagged `tag`; resolves the run, its output to assert on.
 */
export function buildImage(
  dir: string,
  tag: string,
  buildArgs: Record<string, string> = {},
): Promise<ProcessRun> {
  const args = Object.entries(buildArgs).flatMap(([name, value]) => [
    '--build-arg',
    `${name}=${value}`,
  ]);
  return buildah(['bud', '--isolation', 'chroot', ...args, '-t', tag, dir]);
}

/** A small Dockerfile built as image `tag` (the partner variants); throws on failure. */
export async function buildVariant(tag: string, dockerfile: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const run = await buildImage(dir, tag);
  if (run.code !== 0) throw new Error(`building ${tag} failed:\n${run.stdout}\n${run.stderr}`);
  return tag;
}

/** Removes the named images and every image no longer named (a rebuilt tag's old one). */
export async function removeImages(names: string[]): Promise<void> {
  await buildah(['rmi', '--force', ...names]);
  await buildah(['rmi', '--prune']);
}

/** The parts of an image's config that decide what runs, and as whom. */
export interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
}

export async function imageConfig(image: string): Promise<ImageConfig> {
  const out = await buildahOk(['inspect', '--type', 'image', image]);
  return (JSON.parse(out) as { OCIv1: { config: ImageConfig } }).OCIv1.config;
}

export interface RunningImage {
  /** What the image's process printed so far. */
  logs(): string;
  /** Ends the process group and removes the working container. */
  stop(): Promise<void>;
}

/**
 * Runs an image the way a container engine would: its own Entrypoint followed by its Cmd,
 * as its User, in its WorkingDir, with its Env (buildah run applies the last three from
 * the config). Chroot isolation shares the host's network, so the service is on loopback.
 */
export async function runImage(image: string, env: Record<string, string>): Promise<RunningImage> {
  const config = await imageConfig(image);
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const container = (await buildahOk(['from', image])).trim();
  const envArgs = Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  const child: ChildProcess = spawn(
    'buildah',
    [...STORAGE, 'run', '--isolation', 'chroot', ...envArgs, container, '--', ...command],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(-child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await buildah(['rm', container]);
    },
  };
}
