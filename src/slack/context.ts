import type { webApi } from '@slack/bolt';
import type { UseCases } from '../app/index.ts';
import type { InFlight } from '../lib/in-flight.ts';
import type { WorkQueue } from '../lib/work-queue.ts';
import type { Logger } from '../log.ts';

type WebClient = webApi.WebClient;

/** What every handler gets: the use cases and the one Web API client, no module globals. */
export interface HandlerContext {
  useCases: UseCases;
  /** The app's Web API client: every handler answers through it. */
  client: WebClient;
  logger: Logger;
  inFlight: InFlight;
  /** Where work after an answer waits its turn, so that answers never wait for it. */
  followUps: WorkQueue;
  /** PLAYGROUND_TARGET_PROJECTS, offered in the approve modal. */
  targetProjects: string[];
}
