// @ts-check
/**
 * Node 22.18 or newer (the first to run TypeScript files as they are, and what the Google
 * clients need). An older system Node gets one from the npm registry, into `.tools/`:
 * the `node` package ships the runtime itself, so npm is all it takes, and it stays out of
 * the project's own dependencies (and out of the production image, which has its own Node).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lastLines, prependPath, SetupError } from './host.mjs';
import { run } from './processes.mjs';

export const NEEDED = { major: 22, minor: 18 };
export const FETCH_NODE = 'npm install --prefix .tools node@22';
const TOOLS_NODE = '.tools/node_modules/.bin/node';

/**
 * @param {string} version e.g. "v22.23.3" or "20.20.2"
 */
export function newEnough(version) {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > NEEDED.major || (major === NEEDED.major && minor >= NEEDED.minor);
}

/**
 * The version `node` at `path` prints, when it runs.
 * @param {import('./host.mjs').Host} host
 * @param {string} path
 */
async function versionOf(host, path) {
  if (!existsSync(path)) return undefined;
  const outcome = await run(path, ['--version'], { env: host.env, cwd: host.root });
  return outcome.code === 0 ? outcome.output.trim() : undefined;
}

/**
 * Makes `node` on the host's PATH a new enough one: this one, or `.tools/`'s (fetched when
 * missing or too old).
 * @param {import('./host.mjs').Host} host
 */
export async function ensureNode(host) {
  if (newEnough(host.nodeVersion)) {
    prependPath(host, dirname(host.nodePath));
    return;
  }
  const tools = join(host.root, TOOLS_NODE);
  const found = await versionOf(host, tools);
  if (!found || !newEnough(found)) {
    await host.progress.step(`Node 22 into .tools/ (this one is v${host.nodeVersion})`, () =>
      fetchNode(host, tools),
    );
  }
  prependPath(host, dirname(tools));
}

/**
 * @param {import('./host.mjs').Host} host
 * @param {string} tools
 */
async function fetchNode(host, tools) {
  const prefix = join(host.root, '.tools');
  mkdirSync(prefix, { recursive: true });
  // npm 11 asks for install scripts to be allowed: the `node` package's one links the
  // runtime for this platform.
  writeFileSync(
    join(prefix, 'package.json'),
    `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`,
  );
  const [command = 'npm', ...args] = FETCH_NODE.split(' ');
  const outcome = await run(command, [...args, '--no-save', '--no-audit', '--no-fund'], {
    env: host.env,
    cwd: host.root,
  });
  const fetched = await versionOf(host, tools);
  if (outcome.code !== 0 || !fetched || !newEnough(fetched)) {
    throw new SetupError(
      `Node ${NEEDED.major}.${NEEDED.minor} or newer is needed (this is v${host.nodeVersion}), ` +
        `and it could not be fetched from the npm registry (\`${FETCH_NODE}\`):\n` +
        `${lastLines(outcome.output)}\n` +
        `Run that command once it can reach the registry, or install Node ${NEEDED.major} yourself ` +
        '(https://nodejs.org/en/download; on macOS: brew install node@22), then npm start again.',
    );
  }
}
