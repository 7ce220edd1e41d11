import type { Memory } from './protocol.ts';

const MB = 1024 * 1024;

export function memoryNow(): Memory {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: rss / MB, heapMb: heapUsed / MB };
}

/** Samples this process's memory every `everyMs` and keeps the highest values. */
export class PeakMemory {
  peak: Memory = memoryNow();
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 100) {
    this.#timer = setInterval(() => this.sample(), everyMs);
    // Sampling must not keep the process alive.
    this.#timer.unref();
  }

  sample(): void {
    const now = memoryNow();
    this.peak = {
      rssMb: Math.max(this.peak.rssMb, now.rssMb),
      heapMb: Math.max(this.peak.heapMb, now.heapMb),
    };
  }

  stop(): Memory {
    clearInterval(this.#timer);
    this.sample();
    return this.peak;
  }
}
