// @ts-check
/**
 * Debian's tools that only the tests need: Chromium for the browser test (driven by
 * playwright-core: no browser download, which this kind of machine could not fetch anyway)
 * with the emoji font the page uses, and buildah with debootstrap for the test that builds
 * the wrapped image for real on Debian-made partner bases (no Docker engine needed).
 */
import { aptCommand, aptInstall, canInstallFromDebian, notInstalled } from './debian.mjs';
import { SetupError } from './host.mjs';

const TOOLS = [
  { packages: ['chromium', 'fonts-noto-color-emoji'], why: 'the browser test' },
  { packages: ['buildah', 'debootstrap'], why: 'the image-build test' },
];

/** @param {import('./host.mjs').Host} host */
export async function ensureTestTools(host) {
  if (host.system !== 'debian') {
    throw new SetupError(
      `The browser and image-build tests run Debian's chromium and buildah; on this system run the tests on Debian, or in a Debian container.`,
    );
  }
  for (const { packages, why } of TOOLS) {
    const missing = await notInstalled(host, packages);
    if (missing.length === 0) continue;
    if (!canInstallFromDebian(host)) {
      throw new SetupError(
        `The ${why.replace(/^the /, '')} needs Debian's ${packages[0]}: ${aptCommand(host, missing)}`,
      );
    }
    await aptInstall(host, missing, why);
  }
}
