// @ts-check
/**
 * `npm start` and `npm test` come here first, on whatever Node the machine has (so this is
 * plain JavaScript, type-checked through JSDoc): set up what is missing, then run the
 * command that follows in the environment the set-up made.
 *
 *   node bootstrap/run.mjs start node src/main.ts
 *   node bootstrap/run.mjs test npm run gate
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { currentHost } from './host.mjs';
import { STEPS, setUp } from './setup.mjs';

/**
 * Runs `command` with the set-up's environment, and exits as it does. It gets its own
 * process group so that a Ctrl-C, which reaches this process twice (from the terminal, and
 * again from npm, which passes it on), reaches it once.
 * @param {string[]} command
 * @param {NodeJS.ProcessEnv} env
 */
function handOver([command = 'node', ...args], env) {
  const child = spawn(command, args, { env, stdio: 'inherit', detached: true });
  /** @type {Map<NodeJS.Signals, number>} */
  const passed = new Map();
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, () => {
      const now = Date.now();
      if (now - (passed.get(signal) ?? 0) < 1000) return;
      passed.set(signal, now);
      child.kill(signal);
    });
  }
  child.on('error', (error) => {
    process.stderr.write(`${command}: ${error.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) =>
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)),
  );
}

const [mode = '', ...command] = process.argv.slice(2);
const steps = mode === 'start' || mode === 'test' ? STEPS[mode] : undefined;
if (!steps || command.length === 0) {
  process.stderr.write('usage: node bootstrap/run.mjs start|test COMMAND [ARGS…]\n');
  process.exit(2);
}
const host = currentHost(fileURLToPath(new URL('..', import.meta.url)), (text) =>
  process.stderr.write(text),
);
if (!(await setUp(host, steps))) process.exit(1);
handOver(command, host.env);
