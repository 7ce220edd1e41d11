// GET /state: everything the page shows to one user, read from the Slack stand-in.
import type { ServicePanel } from '../app-engine/panel.ts';
import type {
  MessageWithReplies,
  StoredEphemeral,
  StoredMessage,
  StoredView,
} from '../slack-api/types.ts';
import type { PageContext, PageUser } from './context.ts';

/** A modal as the page gets it: the stored view plus the errors of its last submission. */
export type PageModal = StoredView & { errors?: Record<string, string> };

export interface PageChannel {
  id: string;
  name: string;
  /** `channel`: a conversation; `app`: the user's DM with the app (Messages tab). */
  kind: 'channel' | 'app';
  messages: MessageWithReplies[];
}

export interface PageState {
  me: PageUser;
  users: PageUser[];
  app: { id: string; name: string };
  reviewChannel: string;
  commands: string[];
  /** User id -> display name, for `<@U…>` mentions. */
  names: Record<string, string>;
  channels: PageChannel[];
  ephemerals: StoredEphemeral[];
  /** The user's modal stack, root first. */
  modals: PageModal[];
  home: StoredView | null;
  /** App Engine's services with their versions; null when the page has no App Engine side. */
  services: ServicePanel[] | null;
}

/** A channel's name as Slack gives it to the app (`directmessage` for a DM). */
export function channelName(page: PageContext, id: string): string {
  if (id.startsWith('D')) return 'directmessage';
  const seeded = page.api.workspace.channels().find((c) => c.id === id);
  if (seeded && seeded.name !== id.toLowerCase()) return seeded.name;
  return id === page.reviewChannel
    ? (page.reviewChannelName ?? 'playground-review')
    : id.toLowerCase();
}

function names(page: PageContext): Record<string, string> {
  const ws = page.api.workspace;
  const all: Record<string, string> = {};
  for (const u of ws.options.users ?? []) all[u.id] = u.real_name ?? u.name;
  for (const u of page.users) all[u.id] = u.name;
  all[ws.options.botUserId] = page.appName;
  return all;
}

/** Shared files carry their text, as Slack's client shows a text file's preview (Show log's file). */
function withFileText(page: PageContext, messages: MessageWithReplies[]): MessageWithReplies[] {
  const files = page.api.workspace.files();
  if (files.length === 0) return messages;
  const text = new Map(files.map((f) => [f.id, f.content]));
  const withText = <M extends StoredMessage>(m: M): M =>
    m.files ? { ...m, files: m.files.map((f) => ({ ...f, text: text.get(f.id) ?? '' })) } : m;
  return messages.map((m) => ({ ...withText(m), replies: m.replies.map(withText) }));
}

export function pageState(page: PageContext, user: PageUser): PageState {
  const ws = page.api.workspace;
  const { reviewChannel, appName } = page;
  const dm = ws.openDm(user.id);
  const others = ws
    .channels()
    .filter((c) => !c.id.startsWith('D') && c.id !== reviewChannel)
    .map((c) => c.id);
  const channels: PageChannel[] = [reviewChannel, ...others].map((id) => ({
    id,
    name: channelName(page, id),
    kind: 'channel',
    messages: withFileText(page, ws.messages(id)),
  }));
  channels.push({
    id: dm,
    name: appName,
    kind: 'app',
    messages: withFileText(page, ws.messages(dm)),
  });
  const modals: PageModal[] = ws.openViews(user.id).map((view) => {
    const errors = page.viewErrors.get(view.id);
    return errors && errors.hash === view.hash ? { ...view, errors: errors.errors } : view;
  });
  return {
    me: user,
    users: page.users,
    app: { id: ws.options.botUserId, name: appName },
    reviewChannel,
    commands: page.commands,
    names: names(page),
    channels,
    ephemerals: ws.ephemerals(user.id),
    modals,
    home: ws.home(user.id) ?? null,
    services: page.services?.() ?? null,
  };
}
