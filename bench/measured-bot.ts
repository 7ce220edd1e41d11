// The benchmark's side of the measured bot's process (bench/bot-process.ts).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BotReport, FromBot, ToBot } from './protocol.ts';

const ENTRY = fileURLToPath(new URL('./bot-process.ts', import.meta.url));

export interface MeasuredBot {
  /** Resolves once the bot listens and its tracker runs. */
  started: Promise<void>;
  /** Resolves when the bot's tracker holds at least `count` pipelines. */
  holding(count: number, timeoutMs: number): Promise<void>;
  /** Starts the measurement window (the bot's store counts restart). */
  startWindow(): void;
  /** Ends the window, stops the bot (its heartbeat ended) and waits for its process to end. */
  stop(): Promise<BotReport>;
  /** Ends the process at once (after a failure). */
  kill(): void;
}

export function forkBot(env: Record<string, string>): MeasuredBot {
  const child: ChildProcess = fork(ENTRY, [], {
    env: { ...process.env, ...env },
    // A collection before the baseline sample makes it comparable between runs.
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let isStarted = false;
  let held = 0;
  let report: BotReport | undefined;
  const listeners = new Set<() => void>();
  child.on('message', (message: FromBot) => {
    if (message.kind === 'started') isStarted = true;
    if (message.kind === 'held') held = message.count;
    if (message.kind === 'report') report = message.report;
    for (const listener of listeners) listener();
  });
  /** Resolves when `done()` holds after a message; rejects if the process ends first. */
  const until = (done: () => boolean, what: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        listeners.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = () => done() && finish();
      const timer = setTimeout(
        () => finish(new Error(`the bot did not ${what} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      listeners.add(check);
      void exited.then((code) => finish(new Error(`the bot exited (${code}) before ${what}`)));
      check();
    });
  const send = (message: ToBot) => child.send(message);
  return {
    started: until(() => isStarted, 'start'),
    holding: (count, timeoutMs) => until(() => held >= count, `hold ${count} pipelines`, timeoutMs),
    startWindow: () => send({ kind: 'window' }),
    async stop() {
      send({ kind: 'stop' });
      await until(() => report !== undefined, 'report');
      await exited;
      return report as BotReport;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
