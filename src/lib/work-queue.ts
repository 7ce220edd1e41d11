/**
 * At most `concurrency` tasks at once, the others waiting in order. What handlers do after
 * answering Slack (opening and filling a modal, Firestore reads) runs here, so a burst of
 * clicks does not put fifty follow-ups on the event loop ahead of the next request's
 * answer: the answers go first, the follow-ups a few at a time behind them.
 */
export class WorkQueue {
  readonly #concurrency: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new Error(`concurrency must be a positive whole number, got ${concurrency}`);
    }
    this.#concurrency = concurrency;
  }

  /**
   * Runs `task` in its turn. With `startWithinMs`, a task that has waited that long starts
   * anyway, beside the others (work bound to a deadline, such as a trigger_id's 3 s).
   */
  async run<T>(task: () => Promise<T>, options: { startWithinMs?: number } = {}): Promise<T> {
    if (this.#running < this.#concurrency) this.#running++;
    else await this.#turn(options.startWithinMs);
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiting task, or is freed.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #turn(startWithinMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const given = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer =
        startWithinMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#waiting.splice(this.#waiting.indexOf(given), 1);
              this.#running++;
              resolve();
            }, startWithinMs);
      this.#waiting.push(given);
    });
  }
}
