// @ts-check
/**
 * The Firestore emulator's prerequisites, checked before anything starts (the workspace and
 * the tests start the emulator themselves): the Google Cloud CLI, its Firestore emulator
 * component, and Java. Not installed here: the CLI comes from Google's own package
 * repository, not from Debian's, so the message gives the commands instead.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SetupError } from './host.mjs';
import { findExecutable } from './processes.mjs';

/** @type {Record<import('./host.mjs').Host['system'], string>} */
const INSTALL = {
  debian:
    'apt-get install -y google-cloud-cli google-cloud-cli-firestore-emulator openjdk-17-jre-headless ' +
    '(google-cloud-cli comes from Google’s apt repository, see https://cloud.google.com/sdk/docs/install#deb)',
  macos:
    'brew install --cask google-cloud-sdk && gcloud components install cloud-firestore-emulator && brew install openjdk@17',
  other:
    'the Google Cloud CLI from https://cloud.google.com/sdk/docs/install, then ' +
    '`gcloud components install cloud-firestore-emulator`, and Java 17 or newer',
};

/**
 * What of the emulator's prerequisites is missing, in words; empty when nothing is.
 * @param {import('./host.mjs').Host} host
 * @returns {string[]}
 */
function missingPrerequisites(host) {
  const missing = [];
  const gcloud = findExecutable('gcloud', host.env);
  if (!gcloud) {
    missing.push('gcloud (the Google Cloud CLI) is not on PATH');
  } else {
    // Components live in the CLI's own folder: <sdk>/bin/gcloud, <sdk>/platform/<component>.
    const sdk = dirname(dirname(realpathSync(gcloud)));
    if (!existsSync(join(sdk, 'platform', 'cloud-firestore-emulator'))) {
      missing.push(`the CLI at ${sdk} has no Firestore emulator component`);
    }
  }
  if (!host.env.JAVA_HOME && !findExecutable('java', host.env)) {
    missing.push('java is not on PATH');
  }
  return missing;
}

/** @param {import('./host.mjs').Host} host */
export function checkEmulator(host) {
  // A running emulator given by the standard variable is used as it is.
  if (host.env.FIRESTORE_EMULATOR_HOST) return;
  const missing = missingPrerequisites(host);
  if (missing.length === 0) return;
  throw new SetupError(
    `The Firestore emulator is needed, and ${missing.join('; ')}.\n` +
      `Install it with:\n  ${INSTALL[host.system]}\n` +
      'or set FIRESTORE_EMULATOR_HOST to a running emulator.',
  );
}
