// @ts-check
/**
 * The one place where the set-up starts other programs (npm, apt-get, dpkg-query, python3).
 * Commands are found on the PATH of the environment they are given, so the unit tests put
 * stand-in executables first on that PATH and read back what was run.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * @typedef {object} Outcome
 * @property {number} code exit code (127 when the command could not be started)
 * @property {string} output what it printed, stdout and stderr interleaved
 */

/** Longer than any install here takes; past it a command is taken as stuck, and stopped. */
const STUCK_MS = 15 * 60_000;

/**
 * Runs `command` to its end with its output collected (never shown: installers are loud).
 * @param {string} command
 * @param {string[]} args
 * @param {{ env: NodeJS.ProcessEnv, cwd: string }} options
 * @returns {Promise<Outcome>}
 */
export function run(command, args, { env, cwd }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: STUCK_MS,
    });
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ code: 127, output: error.message }));
    child.on('close', (code, signal) =>
      resolve(
        code === null
          ? {
              code: 1,
              output: `${output}\n(ended by ${signal}; a command is stopped after ${STUCK_MS / 60_000} minutes)`,
            }
          : { code, output },
      ),
    );
  });
}

/**
 * The path of `command` when it is an executable on `env.PATH` (or a path to one).
 * @param {string} command
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
export function findExecutable(command, env) {
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
