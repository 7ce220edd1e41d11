import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHECK_SCRIPT_PATH } from './render.ts';

export interface CheckOptions {
  padding: number;
  zoom: number;
  /** Seconds to wait for the service's health endpoint. */
  timeout?: number;
  json?: boolean;
}

/**
 * The Python that runs the wrapper and its check: PLAYGROUND_PYTHON when set, else
 * Debian's /usr/bin/python3 (the one with Flask and gunicorn), else python3 on PATH.
 */
export function pythonExecutable(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLAYGROUND_PYTHON) return env.PLAYGROUND_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export function checkArgs(url: string, options: CheckOptions): string[] {
  const args = [
    CHECK_SCRIPT_PATH,
    url,
    '--padding',
    String(options.padding),
    '--zoom',
    String(options.zoom),
  ];
  if (options.timeout !== undefined) args.push('--timeout', String(options.timeout));
  if (options.json) args.push('--json');
  return args;
}

/** Runs the acceptance check script (the pipeline's test stage) and resolves its exit code. */
export function runCheck(
  url: string,
  options: CheckOptions,
  stdio: 'inherit' | 'pipe' = 'inherit',
): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(pythonExecutable(), checkArgs(url, options), {
      stdio: ['ignore', stdio, stdio],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}
