/**
 * Work repeated every `everyMs`, never two rounds at once: a round still running when the
 * next is due makes that one skip. A failed round is handed to `onError` (the caller logs
 * it) and the next round runs as usual. `stop` waits for the round in progress.
 */
export class Periodic {
  readonly #everyMs: number;
  readonly #round: () => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(everyMs: number, round: () => Promise<unknown>, onError: (error: unknown) => void) {
    this.#everyMs = everyMs;
    this.#round = round;
    this.#onError = onError;
  }

  /** Starts the rounds, the first one period from now. */
  run(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.#round()
        .then(() => {}, this.#onError)
        .finally(() => (this.#running = undefined));
    }, this.#everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
