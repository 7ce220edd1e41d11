// @ts-check
/**
 * The project's own packages: `npm ci` when node_modules is missing or older than
 * package-lock.json (npm writes node_modules/.package-lock.json at every install).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { lastLines, SetupError } from './host.mjs';
import { run } from './processes.mjs';

/** @param {string} path */
function modified(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** @param {import('./host.mjs').Host} host */
export async function ensureDependencies(host) {
  const installed = modified(join(host.root, 'node_modules', '.package-lock.json'));
  const locked = modified(join(host.root, 'package-lock.json')) ?? 0;
  if (installed !== undefined && installed >= locked) return;
  const why = installed === undefined ? '' : ' (package-lock.json changed)';
  await host.progress.step(`npm ci${why}`, async () => {
    const outcome = await run('npm', ['ci', '--no-audit', '--no-fund'], {
      env: host.env,
      cwd: host.root,
    });
    if (outcome.code !== 0) {
      throw new SetupError(
        `npm ci failed:\n${lastLines(outcome.output)}\nRun \`npm ci\` to see all of it.`,
      );
    }
  });
}
