// @ts-check
/**
 * What every set-up step works with: the project folder, the environment the workspace
 * will run in (steps add to its PATH and may set PLAYGROUND_PYTHON), a few facts about
 * this machine, and the progress line.
 */
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';

/** A set-up step could not be done: the message says what is missing and the command that fixes it. */
export class SetupError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/**
 * @typedef {object} Host
 * @property {string} root the project folder
 * @property {NodeJS.ProcessEnv} env what commands run with, and what the workspace gets
 * @property {string} nodeVersion the running Node's version, e.g. "20.20.2"
 * @property {string} nodePath the running Node's executable
 * @property {boolean} isRoot
 * @property {'debian' | 'macos' | 'other'} system which install commands apply
 * @property {string} systemPython the Python the wrapper runs under unless PLAYGROUND_PYTHON says otherwise
 * @property {Progress} progress
 * @property {boolean} [aptUpdated] set once `apt-get update` ran in this set-up
 */

/**
 * The host this process runs on.
 * @param {string} root
 * @param {(text: string) => void} write where the progress line goes
 * @returns {Host}
 */
export function currentHost(root, write) {
  return {
    root,
    env: { ...process.env },
    nodeVersion: process.versions.node,
    nodePath: process.execPath,
    isRoot: process.getuid?.() === 0,
    system: existsSync('/etc/debian_version')
      ? 'debian'
      : process.platform === 'darwin'
        ? 'macos'
        : 'other',
    // The same default as pythonExecutable() in src/bundle/check.ts.
    systemPython: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3',
    progress: new Progress(write),
  };
}

/**
 * Puts `dir` first on the PATH the workspace and later commands get.
 * @param {Host} host
 * @param {string} dir
 */
export function prependPath(host, dir) {
  const rest = (host.env.PATH ?? '').split(delimiter).filter((entry) => entry && entry !== dir);
  host.env.PATH = [dir, ...rest].join(delimiter);
}

/**
 * Everything the set-up does goes on one line, each step announced before it runs:
 * `set-up: npm ci … 29.4 s; apt-get install gunicorn … 12.0 s`. Nothing is written when
 * there was nothing to do.
 */
export class Progress {
  /** @param {(text: string) => void} write */
  constructor(write) {
    this.write = write;
    this.open = false;
  }

  /**
   * Runs `action` as one announced step. It may return a word on how it went instead of
   * its duration (a step that found it could not help, and left it to the next one).
   * @template {string | undefined | void} T
   * @param {string} what
   * @param {() => Promise<T>} action
   * @returns {Promise<T>}
   */
  async step(what, action) {
    this.write(`${this.open ? '; ' : 'set-up: '}${what} … `);
    this.open = true;
    const started = Date.now();
    try {
      const result = await action();
      this.write(result || `${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    } catch (error) {
      this.write('failed\n');
      this.open = false;
      throw error;
    }
  }

  /** Ends the line, if anything was written. */
  end() {
    if (this.open) this.write('\n');
    this.open = false;
  }
}

/**
 * The last lines of an installer's output, for a failure message.
 * @param {string} output
 * @param {number} [lines]
 */
export function lastLines(output, lines = 5) {
  return output
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `  | ${line}`)
    .join('\n');
}
