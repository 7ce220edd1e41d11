import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  clearFirestoreEmulator,
  FirestoreEmulatorError,
  startFirestoreEmulator,
} from '../../src/local/firestore-emulator.ts';

/** Processes whose command line mentions this port (the emulator's java included). */
function processesOn(port: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`port=${port}`) || line.includes(`:${port} `));
}

describe('startFirestoreEmulator', () => {
  it('names the exact install when gcloud is missing', async () => {
    let error: unknown;
    try {
      await startFirestoreEmulator({ gcloud: 'gcloud-that-does-not-exist' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FirestoreEmulatorError);
    expect((error as FirestoreEmulatorError).code).toBe('emulator_missing');
    expect((error as Error).message).toContain(
      'apt-get install google-cloud-cli google-cloud-cli-firestore-emulator openjdk-17-jre-headless',
    );
    expect((error as Error).message).toContain('not found on PATH');
  });

  it('starts a working emulator, clears it, and stops it with its java process', async () => {
    const lines: string[] = [];
    const emulator = await startFirestoreEmulator({ log: (line) => lines.push(line) });
    const port = emulator.host.split(':')[1] ?? '';
    try {
      expect(emulator.host).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(lines.join('\n')).toContain('Dev App Server is now running');
      expect(processesOn(port).some((line) => /java/.test(line))).toBe(true);

      // Write and read a document over the emulator's REST API, then clear the project.
      const doc = `http://${emulator.host}/v1/projects/emulator-test/databases/(default)/documents/a/b`;
      const headers = { Authorization: 'Bearer owner', 'Content-Type': 'application/json' };
      const body = JSON.stringify({ fields: { x: { integerValue: '1' } } });
      expect((await fetch(doc, { method: 'PATCH', headers, body })).status).toBe(200);
      expect((await fetch(doc, { headers })).status).toBe(200);
      await clearFirestoreEmulator(emulator.host, 'emulator-test');
      expect((await fetch(doc, { headers })).status).toBe(404);
    } finally {
      await emulator.stop();
    }
    expect(processesOn(port)).toEqual([]);
    await emulator.stop(); // twice is fine
  });
});
