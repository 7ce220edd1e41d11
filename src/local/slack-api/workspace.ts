import { type Clock, IdFactory, TsFactory } from './ids.ts';
import type {
  ChangeEvent,
  JsonObject,
  MessageWithReplies,
  SharedFile,
  SlackChannelSeed,
  SlackUsergroupSeed,
  SlackUserSeed,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
} from './types.ts';

export interface WorkspaceOptions {
  clock: Clock;
  triggerTtlMs: number;
  teamId: string;
  teamDomain: string;
  /** Base of permalinks and auth.test's url, e.g. `https://slack.example/`. */
  workspaceUrl: string;
  botUserId: string;
  botId: string;
  appId: string;
  users?: SlackUserSeed[];
  usergroups?: SlackUsergroupSeed[];
  /** When given, only these channels (and DMs the stand-in opened) exist. */
  channels?: SlackChannelSeed[];
}

interface Trigger {
  user: string;
  issuedAt: number;
  used: boolean;
}

/** A channel id as Slack writes them: C (public), G (private / group DM), D (DM). */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
/** Slack lets apps post to a user id: the message goes to the app's DM with that user. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export type TriggerCheck = { ok: true; user: string } | { ok: false; error: string };

/**
 * The stand-in's workspace: channels with messages and threads, ephemeral messages per user,
 * modal stacks and home tabs per user, trigger ids. Pure state, no HTTP: the Web API methods
 * and the local page both work on it. Accessors return copies.
 */
export class Workspace {
  readonly options: WorkspaceOptions;
  readonly #ids = new IdFactory();
  readonly #ts: TsFactory;
  readonly #listeners = new Set<(event: ChangeEvent) => void>();
  #messages = new Map<string, StoredMessage[]>();
  #ephemerals: StoredEphemeral[] = [];
  #stacks = new Map<string, StoredView[]>();
  #homes = new Map<string, StoredView>();
  #triggers = new Map<string, Trigger>();
  #dms = new Map<string, string>();
  #channels = new Map<string, SlackChannelSeed>();
  #files = new Map<string, StoredFile>();

  constructor(options: WorkspaceOptions) {
    this.options = options;
    this.#ts = new TsFactory(options.clock);
    for (const channel of options.channels ?? []) this.#channels.set(channel.id, channel);
  }

  // --- change notifications -------------------------------------------------------------

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ChangeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  reset(): void {
    this.#messages = new Map();
    this.#ephemerals = [];
    this.#stacks = new Map();
    this.#homes = new Map();
    this.#triggers = new Map();
    this.#files = new Map();
    this.emit({ kind: 'reset' });
  }

  now(): number {
    return this.options.clock();
  }

  // --- directory --------------------------------------------------------------------------

  user(id: string): SlackUserSeed | undefined {
    return this.options.users?.find((u) => u.id === id);
  }

  /** Whether a user id is acceptable: any well-formed id unless users were seeded. */
  knowsUser(id: string): boolean {
    return this.options.users ? this.user(id) !== undefined : USER_ID.test(id);
  }

  usergroup(id: string): SlackUsergroupSeed | undefined {
    return this.options.usergroups?.find((g) => g.id === id);
  }

  hasDm(user: string): boolean {
    return this.#dms.has(user);
  }

  /** The app's DM channel with a user, stable for the stand-in's life. */
  openDm(user: string): string {
    let id = this.#dms.get(user);
    if (!id) {
      id = this.#ids.next('D');
      this.#dms.set(user, id);
      this.#channels.set(id, { id, name: user });
    }
    return id;
  }

  /** Channel id a message goes to, or undefined when Slack would say channel_not_found. */
  resolveChannel(channel: string): string | undefined {
    if (USER_ID.test(channel)) return this.knowsUser(channel) ? this.openDm(channel) : undefined;
    if (this.#channels.has(channel)) return channel;
    if (this.options.channels || !CHANNEL_ID.test(channel)) return undefined;
    this.#channels.set(channel, { id: channel, name: channel.toLowerCase() });
    return channel;
  }

  /** The bot joins (or leaves) a known channel. */
  setBotMember(channel: string, member: boolean): void {
    const known = this.#channels.get(channel);
    if (known) this.#channels.set(channel, { ...known, botIsMember: member });
  }

  channels(): SlackChannelSeed[] {
    return [...this.#channels.values()].map((c) => ({ ...c }));
  }

  // --- messages ---------------------------------------------------------------------------

  nextTs(): string {
    return this.#ts.next();
  }

  findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.#messages.get(channel)?.find((m) => m.ts === ts);
  }

  postMessage(
    channel: string,
    content: {
      text: string;
      blocks?: JsonObject[];
      thread_ts?: string;
      extra?: JsonObject;
      files?: SharedFile[];
    },
  ): StoredMessage {
    const message: StoredMessage = {
      type: 'message',
      channel,
      ts: this.#ts.next(),
      user: this.options.botUserId,
      bot_id: this.options.botId,
      app_id: this.options.appId,
      text: content.text,
      ...(content.blocks ? { blocks: content.blocks } : {}),
      ...(content.thread_ts ? { thread_ts: content.thread_ts } : {}),
      ...(content.extra && Object.keys(content.extra).length > 0 ? { extra: content.extra } : {}),
      ...(content.files ? { files: content.files } : {}),
    };
    const list = this.#messages.get(channel) ?? [];
    list.push(message);
    this.#messages.set(channel, list);
    if (content.thread_ts) {
      const root = list.find((m) => m.ts === content.thread_ts);
      if (root && !root.thread_ts) root.thread_ts = root.ts;
    }
    this.emit({ kind: 'message', channel, ts: message.ts, action: 'posted' });
    return structuredClone(message);
  }

  /** Replaces a message's content; its ts (and place in the thread) stay. */
  updateMessage(
    channel: string,
    ts: string,
    content: { text: string; blocks?: JsonObject[] },
  ): StoredMessage {
    const message = this.findMessage(channel, ts);
    if (!message) throw new Error(`no message ${channel}/${ts}`);
    message.text = content.text;
    if (content.blocks) message.blocks = content.blocks;
    else delete message.blocks;
    message.edited = { user: this.options.botUserId, ts: this.#ts.next() };
    this.emit({ kind: 'message', channel, ts, action: 'updated' });
    return structuredClone(message);
  }

  deleteMessage(channel: string, ts: string): boolean {
    const list = this.#messages.get(channel);
    const i = list?.findIndex((m) => m.ts === ts) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    this.emit({ kind: 'message', channel, ts, action: 'deleted' });
    return true;
  }

  /** Top-level messages of a channel, oldest first, each with its thread replies. */
  messages(channel: string): MessageWithReplies[] {
    const list = this.#messages.get(channel) ?? [];
    const roots = list.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    return structuredClone(
      roots.map((root) => ({
        ...root,
        replies: list.filter((m) => m.thread_ts === root.ts && m.ts !== root.ts),
      })),
    );
  }

  addEphemeral(ephemeral: Omit<StoredEphemeral, 'message_ts'>): StoredEphemeral {
    const stored = { ...ephemeral, message_ts: this.#ts.next() };
    this.#ephemerals.push(stored);
    this.emit({
      kind: 'ephemeral',
      user: stored.user,
      channel: stored.channel,
      message_ts: stored.message_ts,
    });
    return structuredClone(stored);
  }

  ephemerals(user: string): StoredEphemeral[] {
    return structuredClone(this.#ephemerals.filter((e) => e.user === user));
  }

  // --- triggers ---------------------------------------------------------------------------

  issueTrigger(user: string): string {
    const id = this.#ids.trigger(this.now());
    this.#triggers.set(id, { user, issuedAt: this.now(), used: false });
    return id;
  }

  /**
   * Exchanges a trigger id for the user it was issued to. Slack's views.open errors
   * (docs.slack.dev/reference/methods/views.open): `invalid_trigger_id` for one it never
   * issued, `exchanged_trigger_id` for one already used, `expired_trigger_id` after its
   * 3 seconds.
   */
  exchangeTrigger(id: string): TriggerCheck {
    const trigger = this.#triggers.get(id);
    if (!trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (this.now() - trigger.issuedAt > this.options.triggerTtlMs)
      return { ok: false, error: 'expired_trigger_id' };
    trigger.used = true;
    return { ok: true, user: trigger.user };
  }

  // --- views ------------------------------------------------------------------------------

  #makeView(user: string, view: JsonObject, keep?: StoredView): StoredView {
    const type = view.type === 'home' ? 'home' : 'modal';
    const id = keep?.id ?? this.#ids.next('V');
    return {
      id,
      team_id: this.options.teamId,
      type,
      ...(type === 'modal'
        ? {
            title: view.title as JsonObject,
            submit: (view.submit as JsonObject) ?? null,
            close: (view.close as JsonObject) ?? null,
          }
        : {}),
      blocks: (view.blocks as JsonObject[]) ?? [],
      private_metadata: typeof view.private_metadata === 'string' ? view.private_metadata : '',
      callback_id: typeof view.callback_id === 'string' ? view.callback_id : '',
      external_id: typeof view.external_id === 'string' ? view.external_id : '',
      state: keep?.state ?? { values: {} },
      hash: this.#ids.hash(this.now()),
      clear_on_close: view.clear_on_close === true,
      notify_on_close: view.notify_on_close === true,
      root_view_id: keep?.root_view_id ?? id,
      previous_view_id: keep?.previous_view_id ?? null,
      app_id: this.options.appId,
      bot_id: this.options.botId,
      user_id: user,
    };
  }

  #allViews(): StoredView[] {
    return [...[...this.#stacks.values()].flat(), ...this.#homes.values()];
  }

  findView(by: { view_id?: string; external_id?: string }): StoredView | undefined {
    return this.#allViews().find((v) =>
      by.view_id ? v.id === by.view_id : by.external_id ? v.external_id === by.external_id : false,
    );
  }

  /** Whether another current view already uses this external_id (Slack: duplicate_external_id). */
  externalIdTaken(externalId: unknown, exceptViewId?: string): boolean {
    if (typeof externalId !== 'string' || externalId === '') return false;
    return this.#allViews().some((v) => v.external_id === externalId && v.id !== exceptViewId);
  }

  openView(user: string, view: JsonObject): StoredView {
    const stored = this.#makeView(user, view);
    this.#stacks.set(user, [stored]);
    this.emit({ kind: 'view', user, view_id: stored.id, action: 'opened' });
    return structuredClone(stored);
  }

  stackSize(user: string): number {
    return this.#stacks.get(user)?.length ?? 0;
  }

  pushView(user: string, view: JsonObject): StoredView {
    const stack = this.#stacks.get(user) ?? [];
    const top = stack.at(-1);
    const stored = this.#makeView(user, view);
    stored.root_view_id = top?.root_view_id ?? stored.id;
    stored.previous_view_id = top?.id ?? null;
    stack.push(stored);
    this.#stacks.set(user, stack);
    this.emit({ kind: 'view', user, view_id: stored.id, action: 'pushed' });
    return structuredClone(stored);
  }

  /** Replaces a view's content; id, root and state stay, the hash changes. */
  updateView(viewId: string, view: JsonObject): StoredView {
    for (const [user, stack] of this.#stacks) {
      const i = stack.findIndex((v) => v.id === viewId);
      const current = stack[i];
      if (current) {
        stack[i] = this.#makeView(user, { ...view, type: current.type }, current);
        this.emit({ kind: 'view', user, view_id: viewId, action: 'updated' });
        return structuredClone(stack[i] as StoredView);
      }
    }
    for (const [user, home] of this.#homes) {
      if (home.id === viewId) return this.publishHome(user, view);
    }
    throw new Error(`no view ${viewId}`);
  }

  publishHome(user: string, view: JsonObject): StoredView {
    const stored = this.#makeView(user, view, this.#homes.get(user));
    this.#homes.set(user, stored);
    this.emit({ kind: 'home', user, view_id: stored.id });
    return structuredClone(stored);
  }

  /**
   * Closes the top view (what Slack does after a view_submission acked with no
   * response_action) or, with `all`, the whole stack (response_action `clear`, or the
   * user closing the modal).
   */
  closeView(user: string, opts: { all?: boolean } = {}): StoredView[] {
    const stack = this.#stacks.get(user) ?? [];
    const closed = opts.all ? stack.splice(0) : stack.splice(-1);
    if (stack.length === 0) this.#stacks.delete(user);
    for (const view of closed)
      this.emit({ kind: 'view', user, view_id: view.id, action: 'closed' });
    return structuredClone(closed);
  }

  /**
   * What Slack does with the answer to a view_submission (not `errors`, which the page
   * shows): `update` replaces the submitted view, `push` stacks one on it, `clear` closes
   * the stack, anything else closes the submitted view. The answer applies to the view as
   * it was submitted: a views.update the bot made once it had answered (the hash changed)
   * came later and stays.
   */
  answerSubmission(
    user: string,
    submitted: { id: string; hash: string },
    answer: JsonObject | undefined,
  ): 'updated' | 'pushed' | 'closed' | 'kept' {
    const stack = this.#stacks.get(user) ?? [];
    const current = stack.find((v) => v.id === submitted.id);
    if (!current || current.hash !== submitted.hash) return 'kept';
    switch (answer?.response_action) {
      case 'update':
        this.updateView(submitted.id, answer.view as JsonObject);
        return 'updated';
      case 'push':
        this.pushView(user, answer.view as JsonObject);
        return 'pushed';
      case 'clear':
        this.closeView(user, { all: true });
        return 'closed';
      default:
        if (stack.at(-1)?.id !== submitted.id) return 'kept';
        this.closeView(user);
        return 'closed';
    }
  }

  /** Records what the user typed into a view, as the page would before submitting. */
  setViewState(viewId: string, values: StoredView['state']['values']): void {
    const view = this.#allViews().find((v) => v.id === viewId);
    if (!view) throw new Error(`no view ${viewId}`);
    view.state = { values: structuredClone(values) };
    this.emit({ kind: 'view', user: view.user_id, view_id: viewId, action: 'updated' });
  }

  /** The user's modal stack, root first. */
  openViews(user: string): StoredView[] {
    return structuredClone(this.#stacks.get(user) ?? []);
  }

  home(user: string): StoredView | undefined {
    const home = this.#homes.get(user);
    return home ? structuredClone(home) : undefined;
  }
  // --- files ------------------------------------------------------------------------------

  /** A file announced to files.getUploadURLExternal, waiting for its bytes. */
  announceFile(name: string, length: number): StoredFile {
    const file: StoredFile = {
      id: this.#ids.next('F'),
      name,
      title: name,
      size: 0,
      length,
      state: 'awaiting_upload',
    };
    this.#files.set(file.id, file);
    this.emit({ kind: 'file', file_id: file.id, action: 'announced' });
    return structuredClone(file);
  }

  /** The bytes posted to a file's upload URL; false when no upload of that id is awaited. */
  receiveUpload(id: string, bytes: Buffer): boolean {
    const file = this.#files.get(id);
    if (!file || file.state === 'completed') return false;
    file.content = bytes.toString('utf8');
    file.size = bytes.length;
    file.state = 'uploaded';
    this.emit({ kind: 'file', file_id: id, action: 'uploaded' });
    return true;
  }

  /**
   * Completes an uploaded file: its title, and where it is shared (a message carrying it,
   * in the channel or the thread). Private (no channel) otherwise.
   */
  completeFile(
    id: string,
    share: { title?: string; channel?: string; thread_ts?: string; comment?: string },
  ): StoredFile {
    const file = this.#files.get(id);
    if (file?.state !== 'uploaded') throw new Error(`no uploaded file ${id}`);
    file.state = 'completed';
    if (share.title) file.title = share.title;
    if (share.channel) {
      const shown: SharedFile = { id, name: file.name, title: file.title, size: file.size };
      const message = this.postMessage(share.channel, {
        text: share.comment ?? '',
        ...(share.thread_ts ? { thread_ts: share.thread_ts } : {}),
        files: [shown],
      });
      file.channel = share.channel;
      if (share.thread_ts) file.thread_ts = share.thread_ts;
      file.message_ts = message.ts;
    }
    this.emit({ kind: 'file', file_id: id, action: 'completed' });
    return structuredClone(file);
  }

  file(id: string): StoredFile | undefined {
    const file = this.#files.get(id);
    return file ? structuredClone(file) : undefined;
  }

  /** Every file of the upload flow, in the order they were announced. */
  files(): StoredFile[] {
    return structuredClone([...this.#files.values()]);
  }
}
