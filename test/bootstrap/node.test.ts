import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../bootstrap/host.mjs';
import { ensureNode, newEnough } from '../../bootstrap/node.mjs';
import { fakeMachine, NPM } from './fake-machine.ts';

const FETCH = 'npm install --prefix .tools node@22 --no-save --no-audit --no-fund';

describe('Node 22', () => {
  it('is new enough from 22.18 on (the first that runs .ts files without a flag)', () => {
    expect(['v20.20.2', '22.17.1', '21.9.0'].map(newEnough)).toEqual([false, false, false]);
    expect(['22.18.0', 'v22.23.3', '24.1.0'].map(newEnough)).toEqual([true, true, true]);
  });

  it('a new enough Node is used as it is: nothing runs, nothing is said', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    const host = machine.host({ nodeVersion: '22.23.3', nodePath: '/opt/node22/bin/node' });
    await ensureNode(host);
    expect(machine.ran()).toEqual([]);
    expect(host.env.PATH?.split(':')[0]).toBe('/opt/node22/bin');
    host.progress.end();
    expect(machine.written()).toBe('');
  });

  it('an older one gets Node 22 from the npm registry into .tools/, once', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    const host = machine.host();
    await ensureNode(host);
    host.progress.end();
    expect(machine.ran()).toEqual([FETCH]);
    expect(host.env.PATH?.split(':')[0]).toBe(join(machine.root, '.tools/node_modules/.bin'));
    expect(machine.written()).toMatch(
      /^set-up: Node 22 into \.tools\/ \(this one is v20\.20\.2\) … \d+\.\d s\n$/,
    );
    // npm 11 runs the package's install script (which links the runtime) only when allowed.
    const policy = JSON.parse(readFileSync(join(machine.root, '.tools/package.json'), 'utf8'));
    expect(policy.allowScripts).toEqual({ node: true });

    const again = machine.host();
    await ensureNode(again);
    again.progress.end();
    expect(machine.ran()).toEqual([FETCH]);
    expect(machine.written()).toMatch(/s\n$/);
    expect(again.env.PATH?.split(':')[0]).toBe(join(machine.root, '.tools/node_modules/.bin'));
  });

  it('when it cannot be fetched, stops with what is needed and the command', async () => {
    const machine = fakeMachine();
    machine.install('npm', NPM);
    machine.mark('registry-down');
    const host = machine.host();
    const failure = ensureNode(host);
    await expect(failure).rejects.toBeInstanceOf(SetupError);
    await expect(failure).rejects.toThrow(
      /^Node 22\.18 or newer is needed \(this is v20\.20\.2\), and it could not be fetched from the npm registry \(`npm install --prefix \.tools node@22`\):\n {2}\| npm error code EAI_AGAIN\n/,
    );
    await expect(failure).rejects.toThrow(/brew install node@22/);
    expect(machine.ran()).toEqual([FETCH]);
    expect(machine.written()).toMatch(/… failed\n$/);
    expect(existsSync(join(machine.root, '.tools/node_modules/.bin/node'))).toBe(false);
  });
});
