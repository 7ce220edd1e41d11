import type { Submission } from '../domain/submission.ts';
import type { Logger } from '../log.ts';
import type { Pipeline } from './port.ts';

/**
 * Until the build-and-deploy pipeline exists, an approved submission is only recorded as
 * handed over: logged, and kept in `handedOver` for whoever wants to look.
 */
export class HandoverPipeline implements Pipeline {
  readonly handedOver: Submission[] = [];
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async start(submission: Submission): Promise<void> {
    this.handedOver.push(submission);
    this.#logger.info(
      {
        submissionId: submission.id,
        revision: submission.revision,
        project: submission.approval?.project,
      },
      'handed over to the pipeline',
    );
  }
}
