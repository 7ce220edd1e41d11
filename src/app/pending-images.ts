// Revisions (first submissions or resubmissions) stored without their image resolution for
// a while: the instance that stored them stopped (or crashed) between the answer and
// finishSubmit. Every instance looks for them now and then and finishes them as the request
// would have; whichever finishes one first records it, so what it held is owed once.
import { Periodic } from '../lib/periodic.ts';
import type { Logger } from '../log.ts';
import type { RegistryPort } from '../ports/registry.ts';
import type { SubmissionStore } from '../ports/store.ts';
import { finishSubmit } from './submit.ts';

export interface PendingImagesOptions {
  store: SubmissionStore;
  registry: RegistryPort;
  logger: Logger;
  /** How often to look. */
  everyMs: number;
  /**
   * How long a submission may wait before another instance takes it over: longer than a
   * registry call (resolveImage's deadline) and a store write take after the answer.
   */
  graceMs: number;
}

/** Submissions finished per look; the rest wait for the next one. */
const PAGE = 50;

export class PendingImages {
  readonly #o: PendingImagesOptions;
  readonly #rounds: Periodic;

  constructor(options: PendingImagesOptions) {
    this.#o = options;
    this.#rounds = new Periodic(
      options.everyMs,
      () => this.finish(),
      (error) => options.logger.warn({ err: error }, 'could not finish submissions'),
    );
  }

  run(): void {
    this.#rounds.run();
  }

  stop(): Promise<void> {
    return this.#rounds.stop();
  }

  /** One look: finishes what has waited past the grace period; answers the ids finished. */
  async finish(now = new Date()): Promise<string[]> {
    const before = new Date(now.getTime() - this.#o.graceMs);
    const waiting = await this.#o.store.pendingImages({ before, limit: PAGE });
    for (const submission of waiting) {
      this.#o.logger.info({ submissionId: submission.id }, 'finishing a submission left pending');
      await finishSubmit(this.#o, submission);
    }
    return waiting.map((s) => s.id);
  }
}
