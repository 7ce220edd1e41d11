// @ts-check
/**
 * The Python the wrapper runs under (locally, the example is really wrapped and run under
 * gunicorn). Closest to the wrapped image first: a virtual environment from the bundle's
 * own pinned requirements.txt, when a package index can be reached; else Debian's packages
 * when running as root on Debian; else stop and say what to run.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { aptCommand, aptInstall, canInstallFromDebian } from './debian.mjs';
import { SetupError } from './host.mjs';
import { findExecutable, run } from './processes.mjs';

/**
 * Import name → Debian package. Pillow and numpy are the example predictor's.
 * @type {Record<string, string>}
 */
const MODULES = {
  flask: 'python3-flask',
  gunicorn: 'gunicorn',
  yaml: 'python3-yaml',
  PIL: 'python3-pil',
  numpy: 'python3-numpy',
};
const VENV = '.tools/python';
const REQUIREMENTS = 'src/bundle/templates/requirements.txt';
// No retries and a short timeout: without an index pip fails at once, and the set-up goes
// on to Debian's packages.
const PIP_INSTALL =
  `-m pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 -r ${REQUIREMENTS} Pillow numpy`.split(
    ' ',
  );
export const VENV_COMMAND = `python3 -m venv ${VENV} && ${VENV}/bin/pip install -r ${REQUIREMENTS} Pillow numpy`;

// Looks the modules up without importing them (numpy alone takes a third of a second).
const FIND_MISSING = [
  'import importlib.util, sys',
  'missing = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]',
  'print(" ".join(missing))',
  'sys.exit(3 if missing else 0)',
].join('\n');

/**
 * The modules `python` lacks (all of them when it does not run).
 * @param {import('./host.mjs').Host} host
 * @param {string} python
 * @returns {Promise<string[]>}
 */
async function missingModules(host, python) {
  const names = Object.keys(MODULES);
  const outcome = await run(python, ['-c', FIND_MISSING, ...names], {
    env: host.env,
    cwd: host.root,
  });
  if (outcome.code === 0) return [];
  if (outcome.code === 3) return outcome.output.trim().split(/\s+/);
  return names;
}

/** @param {import('./host.mjs').Host} host */
export async function ensurePython(host) {
  const chosen = host.env.PLAYGROUND_PYTHON;
  if (chosen) {
    const missing = await missingModules(host, chosen);
    if (missing.length === 0) return;
    throw new SetupError(
      `PLAYGROUND_PYTHON (${chosen}) lacks ${missing.join(', ')}: ` +
        `\`${chosen} -m pip install -r ${REQUIREMENTS} Pillow numpy\`, or unset PLAYGROUND_PYTHON.`,
    );
  }
  const venvPython = join(host.root, VENV, 'bin', 'python');
  if (existsSync(venvPython) && (await missingModules(host, venvPython)).length === 0) {
    host.env.PLAYGROUND_PYTHON = venvPython;
    return;
  }
  const missing = await missingModules(host, host.systemPython);
  if (missing.length === 0) return;

  if (await venvFromRequirements(host, venvPython)) {
    host.env.PLAYGROUND_PYTHON = venvPython;
    return;
  }
  const packages = missing.map((name) => MODULES[name] ?? name);
  if (canInstallFromDebian(host)) {
    await aptInstall(host, packages, 'Python for the wrapper');
    const still = await missingModules(host, host.systemPython);
    if (still.length === 0) return;
    throw new SetupError(
      `${host.systemPython} still lacks ${still.join(', ')} after apt-get install.`,
    );
  }
  const command = host.system === 'debian' ? aptCommand(host, packages) : VENV_COMMAND;
  throw new SetupError(
    `The wrapper needs Python 3 with Flask, gunicorn, PyYAML (and Pillow, numpy for the example); ` +
      `${host.systemPython} lacks ${missing.join(', ')} and no package index could be reached for a virtual environment.\n` +
      `Install them with:\n  ${command}\nthen run this again (or set PLAYGROUND_PYTHON to a Python that has them).`,
  );
}

/**
 * Tries the virtual environment; false (and nothing left behind) when it cannot be made,
 * which is what happens when no package index answers.
 * @param {import('./host.mjs').Host} host
 * @param {string} venvPython
 */
async function venvFromRequirements(host, venvPython) {
  if (!findExecutable('python3', host.env)) return false;
  const dir = join(host.root, VENV);
  const options = { env: host.env, cwd: host.root };
  const why = await host.progress.step(
    `a Python venv in ${VENV} from requirements.txt`,
    async () => {
      const made = await run('python3', ['-m', 'venv', dir], options);
      if (made.code !== 0) return `no venv (${gist(made.output)})`;
      const pip = await run(venvPython, PIP_INSTALL, options);
      if (pip.code !== 0) return `not installable (${gist(pip.output)})`;
      const missing = await missingModules(host, venvPython);
      if (missing.length > 0) return `venv lacks ${missing.join(', ')}`;
      return undefined;
    },
  );
  if (why === undefined) return true;
  rmSync(dir, { recursive: true, force: true });
  return false;
}

/** The gist of an installer's failure: its last line that says ERROR, else its last line. */
function gist(/** @type {string} */ output) {
  const lines = output.trim().split('\n');
  return (lines.findLast((line) => /error/i.test(line)) ?? lines.at(-1) ?? '').trim();
}
