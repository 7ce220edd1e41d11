/**
 * `npm start` with no Slack credentials, already set up (the checkout the tests run in),
 * as a newcomer runs it from a shell whose Node may be older than 22: it sets up nothing,
 * announces local mode, serves the page, and Ctrl-C (SIGINT to the process group, as a
 * terminal sends it) stops every process it started — its own Firestore emulator (Java)
 * included. How long start-up takes is measured by `node bench/startup.ts`, not here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { alive } from '../helpers/processes.ts';
import { descendants, newcomerEnv, npmStart, ROOT } from './npm-start.ts';

describe('npm start (local workspace)', () => {
  // `npm test` set this checkout up for the Node it ran on, which need not be the newcomer's
  // (a Node 22 first on CI's PATH leaves no .tools/ here): one set-up with the newcomer's
  // own Node first, so that what follows is the second `npm start` a newcomer runs.
  beforeAll(async () => {
    const env = await newcomerEnv();
    await promisify(execFile)('node', ['bootstrap/run.mjs', 'start', 'true'], { cwd: ROOT, env });
  }, 300_000);

  it('sets up nothing again, serves the page, and leaves nothing running after Ctrl-C', async () => {
    // At info, so the doctor's start-up summary shows (its problems alone would at warn).
    const env = await newcomerEnv({ LOG_LEVEL: 'info' });
    const started = npmStart(ROOT, env);
    try {
      const pageUrl = await started.ready;
      expect(started.output()).toContain('LOCAL MODE');
      expect(started.output()).not.toContain('set-up:');
      expect((await fetch(pageUrl)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);
      // The doctor's start-up summary: against the local stand-ins the set-up is all well.
      const summary = await eventually(() => {
        const line = started.output().match(/.*"message":"doctor: [^"]*".*/)?.[0];
        if (!line) throw new Error(`no doctor summary yet:\n${started.output()}`);
        return line;
      }, 30_000);
      expect(summary).toContain('"message":"doctor: all checks of the set-up passed"');
      expect(started.output()).not.toMatch(/"message":"doctor: (?!all checks)/);

      const running = descendants(started.child.pid as number);
      // npm, the set-up, the bot, and the emulator (gcloud and its Java server) below it.
      expect(running.length).toBeGreaterThan(2);
      // A second SIGINT would kill the bot before it stops its emulator, which would stay.
      await started.stop();
      expect(running.filter(alive)).toEqual([]);
    } finally {
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
    }
  }, 120_000);
});
