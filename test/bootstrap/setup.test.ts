import { describe, expect, it } from 'vitest';
import { STEPS, setUp } from '../../bootstrap/setup.mjs';
import {
  APT_GET,
  DPKG_QUERY,
  type FakeMachine,
  fakeMachine,
  installEmulatorPrerequisites,
  NPM,
  PYTHON3,
  VENV_PYTHON,
} from './fake-machine.ts';

/** A fresh Debian machine as root: Node 20, no node_modules, no gunicorn, no Chromium. */
function freshMachine(): FakeMachine {
  const machine = fakeMachine();
  for (const [name, body] of Object.entries({
    npm: NPM,
    python3: PYTHON3,
    'venv-python': VENV_PYTHON,
    'apt-get': APT_GET,
    'dpkg-query': DPKG_QUERY,
  })) {
    machine.install(name, body);
  }
  installEmulatorPrerequisites(machine);
  return machine;
}

describe('npm start / npm test set-up', () => {
  it('npm test on a fresh machine: everything on one line; the next run does nothing of it', async () => {
    const machine = freshMachine();
    expect(await setUp(machine.host(), STEPS.test)).toBe(true);
    const lines = machine.written().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^set-up: Node 22 into \.tools\/ \(this one is v20\.20\.2\) … [\d.]+ s; npm ci … [\d.]+ s; a Python venv in \.tools\/python from requirements\.txt … not installable \(.*\); apt-get install gunicorn python3-yaml \(Python for the wrapper\) … [\d.]+ s; apt-get install chromium fonts-noto-color-emoji \(the browser test\) … [\d.]+ s; apt-get install buildah debootstrap \(the image-build test\) … [\d.]+ s$/,
    );
    // One apt-get update for all the installs.
    expect(machine.ran().filter((line) => line.startsWith('apt-get update'))).toHaveLength(1);

    for (const name of ['chromium', 'fonts-noto-color-emoji', 'buildah', 'debootstrap']) {
      machine.mark(`dpkg-${name}`);
    }
    const before = machine.ran().length;
    const again = machine.host();
    expect(await setUp(again, STEPS.test)).toBe(true);
    expect(machine.written()).toBe(`${lines[0]}\n`);
    expect(machine.ran().slice(before)).toEqual([
      'python3 -c …',
      expect.stringMatching(/^dpkg-query -W -f .* chromium fonts-noto-color-emoji$/),
      expect.stringMatching(/^dpkg-query -W -f .* buildah debootstrap$/),
    ]);
  });

  it('stops before installing anything when the emulator cannot run', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    expect(await setUp(machine.host(), STEPS.start)).toBe(false);
    expect(machine.ran()).toEqual([]);
    expect(machine.written()).toMatch(/^\nThe Firestore emulator is needed, and gcloud/);
  });

  it('npm start with Slack credentials (the bot alone) needs no emulator and no Python', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    const host = machine.host({ env: { PATH: machine.bin, SLACK_BOT_TOKEN: 'xoxb-1' } });
    expect(await setUp(host, STEPS.start)).toBe(true);
    expect(machine.ran()).toEqual([
      'npm install --prefix .tools node@22 --no-save --no-audit --no-fund',
      'npm ci --no-audit --no-fund',
    ]);
  });

  it('npm start does not install Chromium', async () => {
    const machine = freshMachine();
    expect(await setUp(machine.host(), STEPS.start)).toBe(true);
    expect(machine.ran().filter((line) => /chromium/.test(line))).toEqual([]);
  });

  it('not root: says which command gets Chromium', async () => {
    const machine = freshMachine();
    machine.mark('system-python-ok');
    machine.mark('dpkg-chromium');
    const host = machine.host({ isRoot: false });
    expect(await setUp(host, STEPS.test)).toBe(false);
    expect(machine.written()).toContain(
      "\nThe browser test needs Debian's chromium: sudo apt-get install -y fonts-noto-color-emoji\n",
    );
    expect(machine.ran().filter((line) => line.startsWith('apt-get'))).toEqual([]);
  });
});
