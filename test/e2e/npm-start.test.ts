/**
 * `npm start` with no Slack credentials, already set up (the checkout the tests run in),
 * as a newcomer runs it from a shell whose Node may be older than 22: it sets up nothing,
 * announces local mode, serves the page, and Ctrl-C (SIGINT to the process group, as a
 * terminal sends it) stops every process it started — its own Firestore emulator (Java)
 * included. How long start-up takes is measured by `node bench/startup.ts`, not here.
 */
import { describe, expect, it } from 'vitest';
import { alive } from '../helpers/processes.ts';
import { descendants, newcomerEnv, npmStart, ROOT } from './npm-start.ts';

describe('npm start (local workspace)', () => {
  it('sets up nothing again, serves the page, and leaves nothing running after Ctrl-C', async () => {
    const env = await newcomerEnv();
    const started = npmStart(ROOT, env);
    try {
      const pageUrl = await started.ready;
      expect(started.output()).toContain('LOCAL MODE');
      expect(started.output()).not.toContain('set-up:');
      expect((await fetch(pageUrl)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);

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
