// The bundle's check_service.py run against a wrapped service, as a child process.
import { spawn } from 'node:child_process';
import type { GunicornService } from '../gunicorn.ts';

/** Runs the check script; stops it when the service dies or the build is stopped. */
export function runCheck(
  python: string,
  args: string[],
  service: GunicornService,
  signal: AbortSignal,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    const append = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    let why: string | undefined;
    const stop = (reason: string) => {
      why ??= reason;
      child.kill('SIGTERM');
    };
    const watch = setInterval(() => {
      if (!service.running()) stop('FAIL service: the wrapped service stopped running');
    }, 500);
    const onAbort = () => stop('FAIL cancelled: the build was stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(watch);
      signal.removeEventListener('abort', onAbort);
      resolve(
        why === undefined ? { code: code ?? 1, output } : { code: 1, output: `${output}\n${why}` },
      );
    });
  });
}
