import type { IncomingMessage } from 'node:http';
import type { Args } from './types.ts';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The request's body as it came (an upload's bytes). */
export async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export type ParsedRequest =
  | { ok: true; args: Args; json: boolean; bearer?: string }
  | { ok: false; error: string };

/**
 * Arguments of a Web API call the way Slack reads them: query string, then the body as
 * `application/x-www-form-urlencoded` (what WebClient sends, with `blocks` and `view`
 * JSON-encoded inside) or `application/json` (an object).
 */
export function parseRequest(
  url: URL,
  headers: IncomingMessage['headers'],
  body: string,
): ParsedRequest {
  const args: Args = Object.fromEntries(url.searchParams);
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json = contentType === 'application/json';
  if (json) {
    let parsed: unknown;
    try {
      parsed = body === '' ? {} : JSON.parse(body);
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, error: 'invalid_json' };
    }
    Object.assign(args, parsed);
  } else if (contentType === 'multipart/form-data') {
    return { ok: false, error: 'invalid_form_data' };
  } else if (body !== '') {
    Object.assign(args, Object.fromEntries(new URLSearchParams(body)));
  }
  const authorization = headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  return { ok: true, args, json, ...(match?.[1] ? { bearer: match[1] } : {}) };
}

/**
 * The token a call carries. Slack takes the `Authorization: Bearer` header, or a `token`
 * argument in form bodies and query strings; JSON bodies must use the header.
 */
export function tokenOf(request: {
  args: Args;
  json: boolean;
  bearer?: string;
}): string | undefined {
  if (request.bearer) return request.bearer;
  if (request.json) return undefined;
  const token = request.args.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata'];

/** Arguments as recorded: JSON-encoded fields decoded, the token left out. */
export function recordedArgs(args: Args): Args {
  const copy: Args = { ...args };
  delete copy.token;
  for (const key of JSON_FIELDS) {
    const value = copy[key];
    if (typeof value === 'string') {
      try {
        copy[key] = JSON.parse(value);
      } catch {
        // Kept as sent: the method answered its own error for it.
      }
    }
  }
  return copy;
}
