import { fileURLToPath } from 'node:url';
import { runProcess } from './run-process.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own Node process, as an operator would. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliRun> {
  const run = await runProcess(process.execPath, [CLI, ...args], env);
  return { ...run, code: run.code ?? -1 };
}
