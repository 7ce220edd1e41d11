import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;

import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Pipeline } from '../ports/pipeline.ts';
import type { SubmissionStore } from '../ports/store.ts';
import type { Approvers } from './approvers.ts';
import type { InFlight } from './in-flight.ts';

/** What every handler gets: collaborators passed in, no module globals. */
export interface HandlerContext {
  config: Config;
  store: SubmissionStore;
  pipeline: Pipeline;
  logger: Logger;
  approvers: Approvers;
  client: WebClient;
  inFlight: InFlight;
}
