/**
 * The emulator launcher against stand-in `gcloud` executables (the real one is started by
 * the global setup for every run): readiness, process-group shutdown, clear failures.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FirestoreEmulatorError,
  startFirestoreEmulator,
} from '../../src/local/firestore-emulator.ts';
import { alive } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'fake-gcloud-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable script standing in for gcloud. */
function fakeGcloud(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Like gcloud: prints its banner, serves "Ok" on --host-port, and spawns a long-lived child (java). */
const SERVING = `
const { createServer } = require('node:http');
const { spawn } = require('node:child_process');
const hostPort = process.argv.find((a) => a.startsWith('--host-port=')).split('=')[1];
const [host, port] = hostPort.split(':');
const java = spawn('sleep', ['1000'], { stdio: 'ignore' });
require('node:fs').writeFileSync(process.env.FAKE_PIDS, JSON.stringify([process.pid, java.pid]));
createServer((req, res) => res.end('Ok\\n')).listen(Number(port), host, () => {
  console.log('[firestore] Dev App Server is now running.');
});
process.on('SIGTERM', () => {}); // a stubborn parent: stop() must escalate to SIGKILL
`;

describe('startFirestoreEmulator', () => {
  it('names the exact install when gcloud is missing', async () => {
    const error = await startFirestoreEmulator({ gcloud: 'gcloud-that-does-not-exist' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(FirestoreEmulatorError);
    expect(error.code).toBe('emulator_missing');
    expect(error.message).toContain(
      'apt-get install google-cloud-cli google-cloud-cli-firestore-emulator openjdk-17-jre-headless',
    );
    expect(error.message).toContain('gcloud-that-does-not-exist not found on PATH');
  });

  it('names the install when gcloud lacks the emulator component', async () => {
    const gcloud = fakeGcloud(
      'gcloud-no-component',
      `console.error('ERROR: (gcloud.emulators.firestore.start) The component [cloud-firestore-emulator] is not installed.'); process.exit(1);`,
    );
    const error = await startFirestoreEmulator({ gcloud }).catch((e) => e);
    expect(error).toBeInstanceOf(FirestoreEmulatorError);
    expect(error.code).toBe('emulator_missing');
    expect(error.message).toContain('google-cloud-cli-firestore-emulator');
    expect(error.message).toContain('is not installed');
  });

  it('reports an emulator that never answers, and leaves nothing running', async () => {
    const pidFile = join(dir, 'silent.pid');
    const gcloud = fakeGcloud(
      'gcloud-silent',
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`,
    );
    const start = Date.now();
    const error = await startFirestoreEmulator({ gcloud, timeoutMs: 800 }).catch((e) => e);
    expect(error.code).toBe('emulator_failed');
    expect(error.message).toMatch(/did not answer on 127\.0\.0\.1:\d+ within 1 s/);
    expect(Date.now() - start).toBeLessThan(5_000);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('waits until it answers, and stop() ends the whole process group', async () => {
    const pids = join(dir, 'pids.json');
    process.env.FAKE_PIDS = pids;
    const gcloud = fakeGcloud('gcloud-serving', SERVING);
    const lines: string[] = [];
    const emulator = await startFirestoreEmulator({
      gcloud,
      log: (line) => lines.push(line),
      stopGraceMs: 300,
    });
    expect(emulator.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`http://${emulator.host}/`)).text()).toBe('Ok\n');
    expect(lines.join('\n')).toContain('Dev App Server is now running');
    const [parent, child] = JSON.parse(
      (await import('node:fs')).readFileSync(pids, 'utf8'),
    ) as number[];
    expect(alive(parent as number) && alive(child as number)).toBe(true);

    await emulator.stop();
    expect(alive(parent as number)).toBe(false);
    expect(alive(child as number)).toBe(false);
    await emulator.stop(); // twice is fine
  });
});
