import type { Submission } from '../domain/submission.ts';

/** Where an approved submission is handed over; the build-and-deploy pipeline implements it. */
export interface Pipeline {
  start(submission: Submission): Promise<void>;
}
