import { randomBytes } from 'node:crypto';
import { readContent } from './methods/chat.ts';
import type { JsonObject, SlackResult } from './types.ts';
import type { Workspace } from './workspace.ts';

/** Slack: a response_url takes up to 5 posts within 30 minutes. */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

interface Hook {
  user: string;
  channel: string;
  /** The message whose button was clicked, for replace_original / delete_original. */
  messageTs?: string;
  issuedAt: number;
  uses: number;
}

export interface HookAnswer {
  status: number;
  response: SlackResult;
}

/**
 * Response URLs the stand-in hands out for slash commands and message actions, so Bolt's
 * `respond()` lands here instead of hooks.slack.com. Posts are applied to the workspace:
 * ephemeral by default, `in_channel` as a message, `replace_original` / `delete_original`
 * on the clicked message.
 */
export class ResponseUrls {
  readonly #ws: Workspace;
  readonly #hooks = new Map<string, Hook>();

  constructor(ws: Workspace) {
    this.#ws = ws;
  }

  /** A new hook id; the server turns it into `http://127.0.0.1:PORT/hooks/<id>`. */
  issue(target: { user: string; channel: string; messageTs?: string }): string {
    const id = `${this.#ws.options.teamId}/${Math.floor(this.#ws.now() / 1000)}/${randomBytes(12).toString('hex')}`;
    this.#hooks.set(id, { ...target, issuedAt: this.#ws.now(), uses: 0 });
    return id;
  }

  reset(): void {
    this.#hooks.clear();
  }

  /**
   * Applies one post. Unknown, used-up (5 posts) or expired (30 min) hooks answer HTTP 404
   * `expired_url`.
   */
  post(id: string, body: JsonObject): HookAnswer {
    const hook = this.#hooks.get(id);
    const expired =
      !hook ||
      hook.uses >= RESPONSE_URL_USES ||
      this.#ws.now() - hook.issuedAt > RESPONSE_URL_TTL_MS;
    if (!hook || expired) return { status: 404, response: { ok: false, error: 'expired_url' } };
    hook.uses += 1;
    const original = hook.messageTs
      ? this.#ws.findMessage(hook.channel, hook.messageTs)
      : undefined;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) this.#ws.deleteMessage(hook.channel, original.ts);
      return { status: 200, response: { ok: true } };
    }
    const content = readContent(body, { required: true });
    if ('ok' in content) return { status: 200, response: content };
    const text = content.text ?? '';
    const blocks = content.blocks && content.blocks.length > 0 ? { blocks: content.blocks } : {};
    const threadTs = typeof body.thread_ts === 'string' ? { thread_ts: body.thread_ts } : {};
    if ((body.replace_original === true || body.replace_original === 'true') && original) {
      this.#ws.updateMessage(hook.channel, original.ts, { text, ...blocks });
    } else if (body.response_type === 'in_channel') {
      this.#ws.postMessage(hook.channel, { text, ...blocks, ...threadTs });
    } else {
      this.#ws.addEphemeral({
        channel: hook.channel,
        user: hook.user,
        text,
        ...blocks,
        ...threadTs,
        via: 'response_url',
      });
    }
    return { status: 200, response: { ok: true } };
  }
}
