// What the page's parts share: the workspace it shows, whose eyes it looks through, and
// its own memory of modal errors.
import type { ServicePanel } from '../app-engine/panel.ts';
import type { SlackApiStandIn } from '../slack-api/server.ts';
import type { BotRequests } from './bot-requests.ts';

export type PageRole = 'partner' | 'approver';

export interface PageUser {
  id: string;
  name: string;
  role: PageRole;
}

export interface PageContext {
  api: SlackApiStandIn;
  /** Whose eyes the page can look through, first one by default. */
  users: PageUser[];
  reviewChannel: string;
  /** Shown when the stand-in has no name for the review channel. */
  reviewChannelName: string | undefined;
  appName: string;
  /** Slash commands the app has. */
  commands: string[];
  /** Field errors of each modal's last submission, with the hash they were given for. */
  viewErrors: Map<string, { hash: string; errors: Record<string, string> }>;
  /** Tells every open page that something changed (`kind`), so it re-fetches. */
  tick(kind: string): void;
  bot: BotRequests;
  /** The App Engine side's panels, when the page shows one (the local workspace). */
  services?: () => ServicePanel[];
}
