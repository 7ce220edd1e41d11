// @ts-check
/**
 * Debian's Chromium for the browser test (driven by playwright-core: no browser download,
 * which this kind of machine could not fetch anyway), with the emoji font the page uses.
 */
import { aptCommand, aptInstall, canInstallFromDebian, notInstalled } from './debian.mjs';
import { SetupError } from './host.mjs';

const PACKAGES = ['chromium', 'fonts-noto-color-emoji'];

/** @param {import('./host.mjs').Host} host */
export async function ensureChromium(host) {
  if (host.system !== 'debian') {
    throw new SetupError(
      `The browser test runs Debian's chromium (/usr/bin/chromium); on this system run the tests on Debian, or in a Debian container.`,
    );
  }
  const missing = await notInstalled(host, PACKAGES);
  if (missing.length === 0) return;
  if (canInstallFromDebian(host)) {
    await aptInstall(host, missing, 'the browser test');
    return;
  }
  throw new SetupError(`The browser test needs Debian's chromium: ${aptCommand(host, missing)}`);
}
