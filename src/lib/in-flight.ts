/**
 * Work still running after Slack got its answer (posts, updates, slow saves). Shutdown
 * waits for it, so a SIGTERM never cuts a thread update in half.
 */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
