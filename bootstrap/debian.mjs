// @ts-check
/**
 * Debian's packages, installed when the set-up runs as root on Debian (the machines this
 * project runs on); elsewhere the steps print the command instead.
 */
import { lastLines, SetupError } from './host.mjs';
import { findExecutable, run } from './processes.mjs';

/**
 * @param {import('./host.mjs').Host} host
 */
export function canInstallFromDebian(host) {
  return (
    host.system === 'debian' && host.isRoot && findExecutable('apt-get', host.env) !== undefined
  );
}

/**
 * The command a user runs for `packages` (with sudo when not root).
 * @param {import('./host.mjs').Host} host
 * @param {string[]} packages
 */
export function aptCommand(host, packages) {
  return `${host.isRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
}

/**
 * The packages of `packages` that dpkg does not have installed.
 * @param {import('./host.mjs').Host} host
 * @param {string[]} packages
 */
export async function notInstalled(host, packages) {
  const outcome = await run(
    'dpkg-query',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    ['-W', '-f', '${Package} ${db:Status-Status}\\n', ...packages],
    {
      env: host.env,
      cwd: host.root,
    },
  );
  const installed = new Set(
    outcome.output
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  return packages.filter((name) => !installed.has(name));
}

/**
 * `apt-get install` as one announced step (`apt-get update` first, once per set-up).
 * @param {import('./host.mjs').Host} host
 * @param {string[]} packages
 * @param {string} why who needs them, for the progress line
 */
export async function aptInstall(host, packages, why) {
  const options = { env: { ...host.env, DEBIAN_FRONTEND: 'noninteractive' }, cwd: host.root };
  await host.progress.step(`apt-get install ${packages.join(' ')} (${why})`, async () => {
    if (!host.aptUpdated) {
      const update = await run('apt-get', ['update', '-qq'], options);
      if (update.code !== 0) throw failed(host, packages, update.output);
      host.aptUpdated = true;
    }
    const install = await run('apt-get', ['install', '-y', '-qq', ...packages], options);
    if (install.code !== 0) throw failed(host, packages, install.output);
  });
}

/**
 * @param {import('./host.mjs').Host} host
 * @param {string[]} packages
 * @param {string} output
 */
function failed(host, packages, output) {
  return new SetupError(
    `apt-get could not install ${packages.join(' ')}:\n${lastLines(output)}\n` +
      `Run \`apt-get update && ${aptCommand(host, packages)}\` to see all of it.`,
  );
}
