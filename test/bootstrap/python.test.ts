import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../bootstrap/host.mjs';
import { ensurePython, VENV_COMMAND } from '../../bootstrap/python.mjs';
import { APT_GET, type FakeMachine, fakeMachine, PYTHON3, VENV_PYTHON } from './fake-machine.ts';

/** python3 (without gunicorn and PyYAML until something installs them), a venv's python, apt-get. */
function machineWithPython(): FakeMachine {
  const machine = fakeMachine();
  machine.install('python3', PYTHON3);
  machine.install('venv-python', VENV_PYTHON);
  machine.install('apt-get', APT_GET);
  return machine;
}

const venv = (machine: FakeMachine) => join(machine.root, '.tools/python');
const PIP =
  '-m pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 -r src/bundle/templates/requirements.txt Pillow numpy';
/** The system python checked, then a venv made and pip asked for requirements.txt. */
const tryVenv = (machine: FakeMachine) => [
  'python3 -c …',
  `python3 -m venv ${venv(machine)}`,
  `venv-python ${PIP}`,
];

describe("the wrapper's Python", () => {
  it('present: only checked, nothing installed, nothing said', async () => {
    const machine = machineWithPython();
    machine.mark('system-python-ok');
    const host = machine.host();
    await ensurePython(host);
    host.progress.end();
    expect(machine.ran()).toEqual(['python3 -c …']);
    expect(machine.written()).toBe('');
    expect(host.env.PLAYGROUND_PYTHON).toBeUndefined();
  });

  it('installable from a package index: a venv from requirements.txt, used from then on', async () => {
    const machine = machineWithPython();
    machine.mark('index-reachable');
    const host = machine.host();
    await ensurePython(host);
    host.progress.end();
    expect(machine.ran()).toEqual([...tryVenv(machine), 'venv-python -c …']);
    expect(machine.written()).toMatch(
      /^set-up: a Python venv in \.tools\/python from requirements\.txt … \d+\.\d s\n$/,
    );
    expect(host.env.PLAYGROUND_PYTHON).toBe(join(venv(machine), 'bin/python'));

    const again = machine.host();
    await ensurePython(again);
    expect(machine.ran().slice(4)).toEqual(['venv-python -c …']);
    expect(again.env.PLAYGROUND_PYTHON).toBe(join(venv(machine), 'bin/python'));
  });

  it("no index, root on Debian: Debian's packages for what is missing, announced", async () => {
    const machine = machineWithPython();
    const host = machine.host();
    await ensurePython(host);
    host.progress.end();
    expect(machine.ran()).toEqual([
      ...tryVenv(machine),
      'apt-get update -qq',
      'apt-get install -y -qq gunicorn python3-yaml',
      'python3 -c …',
    ]);
    expect(machine.written()).toMatch(
      /^set-up: a Python venv in \.tools\/python from requirements\.txt … not installable \(ERROR: No matching distribution found for Flask==3\.0\.3\); apt-get install gunicorn python3-yaml \(Python for the wrapper\) … \d+\.\d s\n$/,
    );
    expect(existsSync(venv(machine))).toBe(false);
    expect(host.env.PLAYGROUND_PYTHON).toBeUndefined();
  });

  it('no index and not root: stops with the apt-get command, installs nothing', async () => {
    const machine = machineWithPython();
    const failure = ensurePython(machine.host({ isRoot: false }));
    await expect(failure).rejects.toBeInstanceOf(SetupError);
    await expect(failure).rejects.toThrow(
      `lacks gunicorn, yaml and no package index could be reached for a virtual environment.\nInstall them with:\n  sudo apt-get install -y gunicorn python3-yaml\n`,
    );
    expect(machine.ran().filter((line) => line.startsWith('apt-get'))).toEqual([]);
  });

  it('no index and no Debian (macOS): stops with the venv command', async () => {
    const machine = machineWithPython();
    await expect(ensurePython(machine.host({ system: 'macos' }))).rejects.toThrow(
      `Install them with:\n  ${VENV_COMMAND}\n`,
    );
    expect(VENV_COMMAND).toBe(
      'python3 -m venv .tools/python && .tools/python/bin/pip install -r src/bundle/templates/requirements.txt Pillow numpy',
    );
  });

  it('apt-get failing stops with its last lines', async () => {
    const machine = machineWithPython();
    machine.mark('apt-fails');
    await expect(ensurePython(machine.host())).rejects.toThrow(
      'apt-get could not install gunicorn python3-yaml:\n  | E: Unable to locate package python3-flask\n',
    );
  });

  it("PLAYGROUND_PYTHON is the user's choice: checked, never installed into", async () => {
    const machine = machineWithPython();
    const chosen = join(machine.bin, 'python3');
    const failure = ensurePython(
      machine.host({ env: { PATH: machine.bin, PLAYGROUND_PYTHON: chosen } }),
    );
    await expect(failure).rejects.toThrow(
      `PLAYGROUND_PYTHON (${chosen}) lacks gunicorn, yaml: \`${chosen} -m pip install -r src/bundle/templates/requirements.txt Pillow numpy\`, or unset PLAYGROUND_PYTHON.`,
    );
    expect(machine.ran()).toEqual(['python3 -c …']);
  });
});
