/**
 * `npm start` with no Slack credentials, as a newcomer runs it: local mode is announced,
 * the page answers, and Ctrl-C (SIGINT) stops every process it started — its own
 * Firestore emulator (Java) included. How long start-up takes is measured by
 * `node bench/startup.ts`, not asserted here.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/local/firestore-emulator.ts';
import { alive } from '../helpers/processes.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Every process below `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const child of parents.get(p) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

describe('npm start (local workspace)', () => {
  it('announces local mode, serves the page, and leaves nothing running after Ctrl-C', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(await freePort()),
      PLAYGROUND_PAGE_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    };
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'FIRESTORE_EMULATOR_HOST']) {
      delete env[name];
    }
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const pageUrl = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /ready in [\d.]+ s: open (http:\S+)/.exec(output);
          if (match?.[1]) {
            clearInterval(timer);
            resolve(match[1]);
          }
        }, 100);
        void exited.then(() => {
          clearInterval(timer);
          reject(new Error(`npm start exited before ready:\n${output}`));
        });
      });
      expect(output).toContain('LOCAL MODE');
      expect((await fetch(pageUrl)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);

      const started = descendants(child.pid as number);
      // The emulator (gcloud and its Java server) runs below the bot.
      expect(started.length).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(started.filter(alive)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
