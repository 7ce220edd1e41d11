/**
 * The process-level handlers main.ts installs, in a process of their own: a stray
 * rejection is logged with its stack and the process goes on; an uncaught exception is
 * logged with its stack and ends the process with 1.
 */
import { describe, expect, it } from 'vitest';
import { runProcess } from './helpers/run-process.ts';

const LOG = new URL('../src/log.ts', import.meta.url).href;
const HANDLERS = new URL('../src/process-errors.ts', import.meta.url).href;

/** Runs `body` as an ES module after installing the handlers; gives its JSON log lines. */
async function run(body: string) {
  const script = `
    import { createLogger } from '${LOG}';
    import { handleProcessErrors } from '${HANDLERS}';
    handleProcessErrors(createLogger('info'));
    ${body}
  `;
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', script]);
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { err?: { stack?: string } });
  return { ...result, lines };
}

describe('process-level error handlers', () => {
  it('log a stray rejection at error level with its stack, and keep the process running', async () => {
    const { code, stdout, lines } = await run(`
      Promise.reject(new Error('stray'));
      Promise.reject('not an error');
      setTimeout(() => console.log('still running'), 100);
    `);
    expect(code).toBe(0);
    expect(stdout).toContain('still running');
    expect(lines).toMatchObject([
      { severity: 'ERROR', message: expect.stringMatching(/unhandled promise rejection/) },
      { severity: 'ERROR', reason: 'not an error' },
    ]);
    expect(lines[0]?.err?.stack).toMatch(/Error: stray\n\s+at /);
  });

  it('log an uncaught exception at fatal level with its stack, then exit with 1', async () => {
    const { code, stdout, lines } = await run(`
      setTimeout(() => { throw new Error('boom'); }, 10);
      setTimeout(() => console.log('went on'), 200);
    `);
    expect(code).toBe(1);
    expect(stdout).not.toContain('went on');
    expect(lines).toMatchObject([
      { severity: 'CRITICAL', message: expect.stringMatching(/uncaught exception/) },
    ]);
    expect(lines[0]?.err?.stack).toMatch(/Error: boom\n\s+at /);
  });
});
