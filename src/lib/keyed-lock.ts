/**
 * In-process serialisation per key. Firestore transactions already make concurrent changes
 * correct across processes; queueing the ones from this process avoids their lock contention
 * (two transactions that read the same document and both write it wait for each other and
 * are retried with back-off, seconds on the emulator). Twenty clicks on one instance then
 * cost twenty short transactions, not twenty retried ones.
 */
export class KeyedLock {
  #tails = new Map<string, Promise<void>>();

  /**
   * Runs `fn` once every earlier holder of `key` has finished. `fn` receives a release
   * function to let the next one in early (e.g. when its caller gave up waiting).
   */
  async run<T>(key: string, fn: (release: () => void) => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    try {
      await previous;
      return await fn(release);
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a holder or waiters (for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
