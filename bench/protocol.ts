// Messages between the benchmark (bench/run.ts) and the measured bot's process
// (bench/bot-process.ts), over the IPC channel of child_process.fork.

export interface Memory {
  rssMb: number;
  heapMb: number;
}

export interface CallStats {
  calls: number;
  /** Time spent in these calls, summed. */
  ms: number;
}

/** Firestore documents read and written. */
export interface DocOps {
  reads: number;
  writes: number;
}

export interface BotReport {
  /** Before the bot was created. */
  baseline: Memory;
  /** Highest values sampled every 100 ms from the bot's creation to the window's end. */
  peak: Memory;
  /** Length of the window as the bot's process saw it. */
  windowMs: number;
  /** Store calls during the window, by method. */
  store: Record<string, CallStats>;
  /** Firestore documents read and written during the window, by purpose (firestore-ops.ts). */
  firestore: Record<string, DocOps>;
  /** The bot's warning and error log lines over its life, by message. */
  warnings: Record<string, number>;
}

export type FromBot =
  | { kind: 'started' }
  | { kind: 'held'; count: number }
  | { kind: 'report'; report: BotReport };

export type ToBot = { kind: 'window' } | { kind: 'stop' };
