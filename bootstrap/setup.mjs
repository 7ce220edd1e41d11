// @ts-check
/**
 * What `npm start` and `npm test` set up, in order. The checks that only tell come first,
 * so that nothing is installed before a stop.
 */

import { ensureDependencies } from './dependencies.mjs';
import { checkEmulator } from './emulator.mjs';
import { SetupError } from './host.mjs';
import { ensureNode } from './node.mjs';
import { ensurePython } from './python.mjs';
import { ensureTestTools } from './test-tools.mjs';

/** @typedef {(host: import('./host.mjs').Host) => void | Promise<void>} Step */

/**
 * A step only the local workspace needs: with Slack credentials, `npm start` runs the bot
 * alone, against real Slack and GCP (the same rule as src/main.ts).
 * @param {Step} step
 * @returns {Step}
 */
const forLocalWorkspace = (step) => (host) =>
  host.env.SLACK_BOT_TOKEN || host.env.SLACK_SIGNING_SECRET ? undefined : step(host);

/** @type {{ start: Step[], test: Step[] }} */
export const STEPS = {
  start: [
    forLocalWorkspace(checkEmulator),
    ensureNode,
    ensureDependencies,
    forLocalWorkspace(ensurePython),
  ],
  test: [checkEmulator, ensureNode, ensureDependencies, ensurePython, ensureTestTools],
};

/**
 * Runs `steps` on `host`; false, with the reason written out, when one had to stop.
 * @param {import('./host.mjs').Host} host
 * @param {Step[]} steps
 */
export async function setUp(host, steps) {
  try {
    for (const step of steps) await step(host);
    host.progress.end();
    return true;
  } catch (error) {
    host.progress.end();
    if (!(error instanceof SetupError)) throw error;
    host.progress.write(`\n${error.message}\n\n`);
    return false;
  }
}
