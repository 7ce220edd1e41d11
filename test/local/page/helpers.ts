import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackSignature } from '../../../src/local/slack-api/signing.ts';
import { eventually as retry } from '../../helpers/eventually.ts';

/** One request the page sent to the "bot", with what it proved about itself. */
export interface Received {
  path: string;
  contentType: string;
  raw: string;
  /** Signature checked as Slack's docs and Bolt check it. */
  verified: boolean;
  /** Slash command fields, the decoded `payload=` of an interaction, or the event JSON. */
  body: Record<string, unknown>;
  kind: 'command' | 'interaction' | 'event';
}

export interface Reply {
  status?: number;
  /** An object is sent as JSON; a string as is; nothing for an empty ack. */
  body?: unknown;
  delayMs?: number;
}

/**
 * An app endpoint that checks every request's signature with `verifySlackSignature`,
 * records it parsed, and answers with `reply` (an empty 200 by default).
 */
export async function startRecorder(secret: string) {
  const received: Received[] = [];
  let reply: (r: Received) => Reply = () => ({});
  const read = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer(async (req, res) => {
    const raw = await read(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const verified = verifySlackSignature({
      signingSecret: secret,
      rawBody: raw,
      signature: req.headers['x-slack-signature'] as string | undefined,
      timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
      nowSec: Math.floor(Date.now() / 1000),
    }).ok;
    let body: Record<string, unknown>;
    let kind: Received['kind'];
    if (contentType.startsWith('application/json')) {
      body = JSON.parse(raw) as Record<string, unknown>;
      kind = 'event';
    } else {
      const form = Object.fromEntries(new URLSearchParams(raw));
      kind = form.payload ? 'interaction' : 'command';
      body = form.payload ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
    }
    const entry: Received = { path: req.url ?? '', contentType, raw, verified, body, kind };
    received.push(entry);
    if (!verified) {
      res.writeHead(401).end();
      return;
    }
    const answer = reply(entry);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.body === undefined) {
      res.writeHead(answer.status ?? 200).end();
    } else if (typeof answer.body === 'string') {
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain' }).end(answer.body);
    } else {
      res
        .writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer.body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    answer(next: (r: Received) => Reply) {
      reply = next;
    },
    reset() {
      received.length = 0;
      reply = () => ({});
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** POSTs JSON to the page's API and returns status and parsed answer. */
export async function call(
  pageUrl: string,
  path: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits until `check` passes, looking often: the page answers within milliseconds. */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 3000): Promise<T> {
  return retry(check, timeoutMs, 20);
}

/**
 * Opens the page's GET /events, calls `trigger` once the stream is open, and resolves with
 * what the stream said up to the first tick naming `kind`.
 */
export async function eventsUntil(pageUrl: string, kind: string, trigger: () => unknown) {
  const controller = new AbortController();
  const res = await fetch(new URL('events', pageUrl), { signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  setTimeout(trigger, 50);
  while (!seen.includes(`"kind":"${kind}"`)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value);
  }
  controller.abort();
  return { contentType: res.headers.get('content-type'), seen };
}
