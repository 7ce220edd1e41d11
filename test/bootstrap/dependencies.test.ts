import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDependencies } from '../../bootstrap/dependencies.mjs';
import { fakeMachine, NPM } from './fake-machine.ts';

const CI = 'npm ci --no-audit --no-fund';

describe("the project's dependencies", () => {
  it('npm ci when node_modules is missing, then not again', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    const host = machine.host();
    await ensureDependencies(host);
    host.progress.end();
    expect(machine.ran()).toEqual([CI]);
    expect(machine.written()).toMatch(/^set-up: npm ci … \d+\.\d s\n$/);

    await ensureDependencies(machine.host());
    expect(machine.ran()).toEqual([CI]);
  });

  it('npm ci again when package-lock.json is newer than node_modules', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    await ensureDependencies(machine.host());
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(machine.root, 'package-lock.json'), later, later);
    const host = machine.host();
    await ensureDependencies(host);
    expect(machine.ran()).toEqual([CI, CI]);
    expect(machine.written()).toContain('npm ci (package-lock.json changed) … ');
  });

  it('a failed npm ci stops with its last lines', async () => {
    const machine = fakeMachine();
    machine.install(
      'npm',
      'echo "npm error code ETARGET"; echo "npm error notarget No matching version"; exit 1',
    );
    await expect(ensureDependencies(machine.host())).rejects.toThrow(
      'npm ci failed:\n  | npm error code ETARGET\n  | npm error notarget No matching version\nRun `npm ci` to see all of it.',
    );
  });
});
