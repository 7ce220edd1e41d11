import { describe, expect, it } from 'vitest';
import { checkEmulator } from '../../bootstrap/emulator.mjs';
import { fakeMachine, installEmulatorPrerequisites } from './fake-machine.ts';

describe("the Firestore emulator's prerequisites", () => {
  it('present: gcloud with its emulator component, and java', () => {
    const machine = fakeMachine();
    installEmulatorPrerequisites(machine);
    expect(() => checkEmulator(machine.host())).not.toThrow();
  });

  it('no gcloud, no java: the Debian command, or the Homebrew one on macOS', () => {
    const machine = fakeMachine();
    expect(() => checkEmulator(machine.host())).toThrow(
      'The Firestore emulator is needed, and gcloud (the Google Cloud CLI) is not on PATH; java is not on PATH.\n' +
        'Install it with:\n  apt-get install -y google-cloud-cli google-cloud-cli-firestore-emulator openjdk-17-jre-headless',
    );
    expect(() => checkEmulator(machine.host({ system: 'macos' }))).toThrow(
      '  brew install --cask google-cloud-sdk && gcloud components install cloud-firestore-emulator && brew install openjdk@17\n' +
        'or set FIRESTORE_EMULATOR_HOST to a running emulator.',
    );
  });

  it('gcloud without the emulator component', () => {
    const machine = fakeMachine();
    installEmulatorPrerequisites(machine, false);
    expect(() => checkEmulator(machine.host())).toThrow(
      /google-cloud-sdk has no Firestore emulator component\./,
    );
  });

  it('a running emulator in FIRESTORE_EMULATOR_HOST needs none of them', () => {
    const machine = fakeMachine();
    const env = { PATH: machine.bin, FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080' };
    expect(() => checkEmulator(machine.host({ env }))).not.toThrow();
  });
});
