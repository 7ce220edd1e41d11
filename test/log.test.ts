// The log (src/log.ts): Cloud Logging's shape, credentials redacted, and children made
// only when a request's handler writes something.
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, lazyChild } from '../src/log.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('lazyChild', () => {
  it('makes no child until something is logged, then one, with its bindings', () => {
    const { logger, lines } = capture();
    const child = vi.spyOn(logger, 'child');
    const log = lazyChild(logger, { requestId: 'command:T1', userId: 'U1' });
    expect(child).not.toHaveBeenCalled();
    log.info({ step: 1 }, 'first');
    log.warn('second');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { severity: 'INFO', message: 'first', step: 1, requestId: 'command:T1', userId: 'U1' },
      { severity: 'WARNING', message: 'second', requestId: 'command:T1', userId: 'U1' },
    ]);
  });

  it('redacts credentials in its bindings and in what it logs, as any child does', () => {
    const { logger, lines } = capture();
    const log = lazyChild(logger, { token: 'xoxb-secret' });
    log.info({ request: { token: 'xoxb-other' } }, 'call');
    expect(lines[0]).toMatchObject({ token: '[redacted]', request: { token: '[redacted]' } });
    expect(JSON.stringify(lines)).not.toContain('xoxb-');
  });

  it('has the level and children of the child it stands for', () => {
    const { logger, lines } = capture();
    const log = lazyChild(logger, { requestId: 'R1' });
    expect(log.level).toBe('info');
    expect(log.isLevelEnabled('debug')).toBe(false);
    log.child({ component: 'inner' }).info('nested');
    log.debug('not written');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'R1', component: 'inner' })]);
  });
});
