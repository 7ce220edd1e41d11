/**
 * Work still running that shutdown must wait for: what a Slack handler does after its
 * answer (posts, updates, slow saves), store calls abandoned at their deadline that are
 * still retrying. A SIGTERM then never cuts a thread update or a transaction in half.
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
